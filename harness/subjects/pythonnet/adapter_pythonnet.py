"""pythonnet adapter: the object model as a C# library (pythonnet/ClrModel.cs,
compiled by Mono's mcs into ffi_clr_model.dll in the build directory,
pythonnet/pythonnet.mk), used from Python through pythonnet the way its
users reach a .NET library: pythonnet.load("mono") (Debian's Mono, through
clr_loader), clr.AddReference(path), then `from FfiClrModel import Var`.
Nothing is generated or compiled for Python: pythonnet reflects the .NET
classes at run time.

pythonnet keeps no map from .NET object to Python object: each time a .NET
reference crosses into Python (a return value, a property read, an array
element, a callback argument) Converter.ToPython makes a new Python object
holding a GCHandle to it (src/runtime/Types/ClrObject.cs, CLRObject.Create).
The one exception is a .NET object of a class derived in Python (a Python
subclass with __namespace__), which keeps its Python object and gets it back
(ClassDerivedObject.ToPython); the model's classes are plain .NET classes.
A value typed by an interface comes back wrapped as that interface, its
object under __implementation__ (pythonnet 3.0; pythonnet#2213).

Mono is loaded only in the process that uses the model, on first use of a
class. Mono does not survive fork() (a collection in a forked child waits
for collector threads the child does not have, for ever; Mono disables its
own fork binding for that reason, mono/mono#6151), and the suite forks a
child per test from the subject's process: a runtime loaded there would
hang every test that collects. A pythonnet user with multiprocessing is in
the same place and does the same (load in the worker). The features are
probed in a forked child of their own, before the parent ever loads Mono.

handle(w) is the object's serial number (ClrModel.cs: the CLR has no stable
address). Pickling is what a pythonnet user has to write, since .NET objects
do not pickle (pythonnet#840): a copyreg reducer per class, node style
(the class's name and its fields, then the wrapper's __dict__ where
pythonnet shows one: a plain .NET class's wrapper takes attributes but has
no __dict__), and one for the model's arrays (Layout.axes, Node.children:
.NET arrays, which pythonnet hands to Python as such), rebuilt through the
namespace's rebuild(), which loads the runtime in an unpickling process.
native_live() counts objects not yet finalized after a full collection."""
import copyreg
import json
import os
import select
import signal
import sys
import warnings

tool = "pythonnet"
MODEL_DLL = "ffi_clr_model.dll"
# The namespace's attributes that need the runtime; bound on first access.
MODEL_NAMES = ("module", "Var", "Add", "Layout", "Node", "Derived", "Holder")
PROBE_SECONDS = 120


def _model_dll():
    """The compiled model: on sys.path, where the build directory is."""
    for entry in sys.path:
        path = os.path.join(entry or ".", MODEL_DLL)
        if os.path.isfile(path):
            return os.path.abspath(path)
    return None


_runtime_warnings = None   # what clr_loader warned, once Mono is loaded in this process


def _load_model(dll):
    """Loads Mono into this process (once: a process hosts one runtime),
    then the model's assembly; returns the model's namespace module."""
    global _runtime_warnings
    if _runtime_warnings is None:
        # Should Mono crash, its report goes to stderr only: no mono_crash.* files in the working
        # directory, and no gdb attached to the process first.
        os.environ.setdefault("MONO_CRASH_NOFILE", "1")
        os.environ.setdefault("MONO_DEBUG", "no-gdb-backtrace")
        import pythonnet
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pythonnet.load("mono")
        _runtime_warnings = [str(w.message) for w in caught]
    import clr
    clr.AddReference(dll)
    import FfiClrModel
    return FfiClrModel


def handle(w):
    """The object's serial number; through __implementation__ for a value
    pythonnet wrapped as an interface."""
    return getattr(w, "__implementation__", w).handle


def _register_reducers(ns, model):
    """copyreg reducers, node style: a class's own fields as its arguments,
    the wrapper's attributes as its state; an array as its items. Each is
    rebuilt through ns.rebuild, which loads the runtime first: the classes
    live in a .NET namespace that Python can import only after that."""
    from System import Array

    def state(w):
        # pythonnet's wrappers take attributes but show no __dict__ (a Python subclass's do)
        return dict(getattr(w, "__dict__", None) or {}) or None

    reducers = {
        model.Var: lambda w: (ns.rebuild, ("Var", w.name), state(w)),
        model.Add: lambda w: (ns.rebuild, ("Add", w.a, w.b), state(w)),
        model.Layout: lambda w: (ns.rebuild, ("Layout", w.axes, w.offset), state(w)),
        model.Node: lambda w: (ns.rebuild, ("Node", w.tag, w.children), state(w)),
        model.Derived: lambda w: (ns.rebuild, ("Derived", w.value), state(w)),
        Array[model.Expr]: lambda a: (ns.rebuild, ("Expr[]", list(a))),
        Array[model.Node]: lambda a: (ns.rebuild, ("Node[]", list(a))),
    }
    for cls, reduce in reducers.items():
        copyreg.pickle(cls, reduce)


def _rebuild(ns, kind, *args):
    """What the reducers' pickles call: a model object, or an array of one."""
    _bind(ns)
    if kind.endswith("[]"):
        from System import Array
        return Array[getattr(ns.module, kind[:-2])](args[0])
    return getattr(ns, kind)(*args)


def _bind(ns):
    """Loads the runtime and the model (in the process asking), and puts the
    model's classes into ns."""
    if "Var" in ns.__dict__:
        return
    model = _load_model(ns.dll)
    ns.runtime_warnings = _runtime_warnings   # clr_loader warns of Mono before 6.12 (Debian 12 has 6.8)
    ns.module = model
    ns.Var, ns.Add, ns.Layout, ns.Node = model.Var, model.Add, model.Layout, model.Node
    ns.Derived, ns.Holder = model.Derived, model.Holder
    _register_reducers(ns, model)


def _probe(ns):
    """The features that work, probed on the model's classes (Mono loaded
    here: call it in a child)."""
    import compiled_model
    _bind(ns)
    features = set(compiled_model.probe_features(ns))
    return sorted(features)


def _probe_in_child(ns):
    """(features, clr_loader's warnings), probed in a forked child, so that
    this process stays free of Mono; raises RuntimeError with the reason."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            out = {"features": _probe(ns), "warnings": _runtime_warnings}
        except BaseException as e:   # Mono missing or refusing: say so, with its words
            out = {"error": f"{type(e).__name__}: {e}"}
        os.write(write_end, json.dumps(out).encode())
        os._exit(0)
    os.close(write_end)
    data, timed_out = b"", False
    try:
        while select.select([read_end], [], [], PROBE_SECONDS)[0]:
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            data += chunk
        else:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(read_end)
        status = os.waitpid(pid, 0)[1]
    if not data:
        how = f"took more than {PROBE_SECONDS} s" if timed_out else f"ended with wait status {status:#x}"
        raise RuntimeError(f"the probe of the model in a child process gave no answer: it {how}")
    out = json.loads(data)
    if "error" in out:
        raise RuntimeError(out["error"])
    return frozenset(out["features"]), out["warnings"]


def _in_main_interpreter():
    """Whether this is the process's main interpreter (os.fork() from any
    other is fatal in the child)."""
    try:
        import _xxsubinterpreters as interpreters   # CPython 3.8 to 3.12
    except ImportError:
        try:
            import _interpreters as interpreters    # CPython 3.13 on
        except ImportError:
            return True
    return interpreters.get_current() == interpreters.get_main()


def subject(ns, version, variant):
    ns.features = frozenset()
    ns.why_not = {
        "outer": ("the CLR has no two objects at one address: a struct member is read by value (pythonnet "
                  "boxes a copy) and a class-typed member is an object of its own"),
        "intern": ("a .NET constructor always makes a new object, and pythonnet calls it for Var(...); "
                   "interning is a static factory method in .NET, which Var(name, intern=True) cannot name"),
        "disown": ("the CLR's collector owns every .NET object: there is no ownership for a wrapper to give "
                   "away, only references"),
        "derived": ("C# has one base class, so C++'s second base is an interface here (Holder.base is an ISecond), "
                    "and pythonnet 3 hands a value typed by an interface back wrapped as that interface "
                    "(pythonnet#2213): h.base never reads back as the Derived, whose members it reaches only "
                    "through __implementation__"),
    }
    ns.summary = f"pythonnet {version} on Debian's Mono, plain .NET classes: a new Python object per crossing"
    reason = ""
    import importlib.metadata
    try:
        found = importlib.metadata.version("pythonnet")
        if found != version:
            reason = f"pythonnet {found} is imported, not {version}: run `make HEAVY=1 deps`"
    except importlib.metadata.PackageNotFoundError:
        reason = "pythonnet is not installed: run `make HEAVY=1 deps` (pythonnet is heavy)"
    ns.dll = _model_dll()
    if not reason and ns.dll is None:
        reason = (f"{MODEL_DLL} is not built or not on sys.path: run `make HEAVY=1 adapters` and put the "
                  "build directory on PYTHONPATH")
    if reason:
        ns.available = lambda: (False, reason)
        return

    def model_attribute(name):
        """PEP 562: the model's classes load the runtime when first asked for."""
        if name not in MODEL_NAMES:
            raise AttributeError(f"module {ns.__name__!r} has no attribute {name!r}")
        _bind(ns)
        return ns.__dict__[name]
    ns.__getattr__ = model_attribute
    ns.handle = handle

    def rebuild(kind, *args):
        return _rebuild(ns, kind, *args)
    rebuild.__module__, rebuild.__qualname__ = ns.__name__, "rebuild"   # pickle finds it by name
    ns.rebuild = rebuild

    def native_live():
        _bind(ns)
        return ns.module.Model.NativeLive()
    native_live.__module__ = ns.__name__
    ns.native_live = native_live

    def visit_offset(layout, fn):
        # pythonnet turns a callable into a delegate when the delegate type is called with it.
        from System import Func, Object
        return ns.module.Model.VisitOffset(layout, Func[ns.module.Expr, Object](fn))
    visit_offset.__module__ = ns.__name__
    ns.visit_offset = visit_offset

    def same_as(a, b):
        return handle(a) == handle(b)
    same_as.__module__ = ns.__name__
    ns.same_as = same_as

    try:
        if _runtime_warnings is None and _in_main_interpreter():   # no Mono here: keep it so
            ns.features, ns.runtime_warnings = _probe_in_child(ns)
        else:   # Mono is here already, which a forked child could not use; or no fork is possible
            ns.features = frozenset(_probe(ns))
    except Exception as e:   # Mono missing or refusing: say so, with its words
        reason = f"loading Mono and {MODEL_DLL} through pythonnet failed: {type(e).__name__}: {e}"
    ns.available = lambda: (not reason, reason)

