# The object model as a C# library (Model.cs, compiled into model.dll by
# build.sh), used through pythonnet: Mono loaded, the assembly added with
# clr.AddReference, its namespace imported.
# @if pickle
import copyreg
# @end
import warnings

import pythonnet

with warnings.catch_warnings():
    warnings.simplefilter("ignore")   # clr_loader's warning of any Mono before 6.12: TOOL names the one loaded
    pythonnet.load("mono")
import clr  # noqa: E402  (after the runtime is loaded)

clr.AddReference(os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.dll"))
from Repro import Add, Expr, Layout, Obj, Var  # noqa: E402
# @if node
from Repro import Node  # noqa: E402
# @end
from System.Runtime.CompilerServices import RuntimeHelpers  # noqa: E402
# @if pickle
from System import Array  # noqa: E402
# @end
# @if callback
from System import Func  # noqa: E402
# @end

TOOL = f"pythonnet {clr.__version__}, Mono {pythonnet.get_runtime_info().version}"
# @if subclass teardown_crash
# Interpreter teardown crashes (SIGSEGV) here while an instance of a Python
# subclass of a .NET class is alive, a failure apart from the one shown:
# done() leaves with os._exit.
# @end
# @if pickle


# .NET objects do not pickle: each class gets a __reduce__ that rebuilds
# an object, node by node, through its constructor, with the attributes of
# its Python object as the state, as Python's default pickling takes them
# (copy uses them too; Python subclasses inherit them).
def state(obj):
    return getattr(obj, "__dict__", None)


Var.__reduce__ = lambda v: (type(v), (v.name,), state(v))
Add.__reduce__ = lambda x: (type(x), (x.a, x.b), state(x))
Layout.__reduce__ = lambda x: (type(x), (x.axes, x.offset), state(x))
copyreg.pickle(Array[Expr], lambda a: (tuple, (tuple(a),)))   # pythonnet takes a sequence for an array
# @if node
Node.__reduce__ = lambda n: (type(n), (n.tag, n.children), state(n))
copyreg.pickle(Array[Node], lambda a: (tuple, (tuple(a),)))
# @end
# @end


def addr(obj):
    """A model object's serial number (the CLR shows no addresses); another
    .NET object's identity hash (fixed for its life, not unique)."""
    return obj.serial if isinstance(obj, Obj) else RuntimeHelpers.GetHashCode(obj)
# @if live


def live():
    return Obj.Live()
# @end
# @if callback


def visit_offset(layout, fn):
    """.NET calls fn, passed as a Func delegate (pythonnet makes one of a callable)."""
    return Layout.VisitOffset(layout, Func[Expr, Expr](fn))
# @end
