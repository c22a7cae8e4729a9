# The object model in Java (Model.java, compiled into model.jar by
# build.sh), used through JPype: the JVM started with the jar on its class
# path, the classes looked up with JClass, public fields read as attributes.
# @if pickle
import copyreg
# @end

import jpype

if not jpype.isJVMStarted():   # one JVM per process
    jpype.startJVM(classpath=[os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.jar")])
TOOL = f"JPype {jpype.__version__}, Java {'.'.join(map(str, jpype.getJVMVersion()))}"
Model = jpype.JClass("repro.Model")
Var, Add, Layout, Expr = Model.Var, Model.Add, Model.Layout, Model.Expr
# @if node
Node = Model.Node
# @end
# @if derived
Derived, Holder = Model.Derived, Model.Holder
# @end
# @if intern
construct = Var.__new__   # JPype's: the Java constructor


@jpype.JImplementationFor("repro.Model.Var")
class _Interning:
    """Var(name, intern=True) returns what the Java factory Var.intern does."""

    def __new__(cls, name, intern=False):
        return cls.intern(name) if intern else construct(cls, name)
# @end
# @if pickle


# Python's pickle knows no Java object: a reducer per class rebuilds each
# object, node by node, through its Java constructor (copy uses them too).
def rebuild(cls, *args):
    return getattr(Model, cls)(*args)


copyreg.pickle(Var, lambda v: (rebuild, ("Var", str(v.name))))
copyreg.pickle(Add, lambda x: (rebuild, ("Add", x.a, x.b)))
copyreg.pickle(Layout, lambda x: (rebuild, ("Layout", x.axes, x.offset)))
copyreg.pickle(jpype.JArray(Expr), lambda a: (tuple, (tuple(a),)))   # JPype takes a sequence for an array
# @if node
copyreg.pickle(Node, lambda n: (rebuild, ("Node", int(n.tag), n.children)))
copyreg.pickle(jpype.JArray(Node), lambda a: (tuple, (tuple(a),)))
# @end
# @end


def addr(obj):
    """A model object's serial number (the JVM shows no addresses); another
    Java object's identity hash (fixed for its life, not unique)."""
    return int(obj.serial) if isinstance(obj, Model.Obj) else int(jpype.java.lang.System.identityHashCode(obj))
# @if live


def live():
    return int(Model.Obj.live())
# @end
# @if callback


def visit_offset(layout, fn):
    """Java calls fn, which JPype passes as the java.util.function.Function."""
    return Model.visitOffset(layout, fn)
# @end
