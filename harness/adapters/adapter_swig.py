"""SWIG adapter: the object model of libffi_native.so through SWIG
(swig/adapter_swig.i): the header's C API wrapped as it is, %newobject on
every constructor and getter that returns a new reference, and SWIG proxy
("shadow") classes Var, Add, Layout, Node, Outer and Inner over the opaque
ffi_obj, given constructors, a reference-dropping destructor, fields and a
node-style __reduce__ through %extend and %pythoncode. A returned pointer
becomes a new proxy of its kind on every call (SWIG keeps no table of the
proxies it made); proxies compare and hash by address, and being plain
Python classes they take weak references and attributes.

swig.mk runs the installed swig (Debian's) into the build directory under
a versioned module name: SWIG 4.1.0 -> adapter_swig_4_1_0.py (proxies,
handle() for pool workers) over the extension _adapter_swig_4_1_0."""
import importlib
import pickle
import re
import weakref

tool = "swig"


def module_name(version):
    """The versioned proxy module swig.mk generates for SWIG `version`."""
    return "adapter_swig_" + re.sub(r"[^0-9A-Za-z]", "_", version)


def _works(probe):
    try:
        probe()
        return True
    except Exception:   # the feature does not work here: leave it out
        return False


def _probe(mod):
    """The features that really work on these classes."""
    def pickle_():
        v = mod.Var("p")
        back = pickle.loads(pickle.dumps(mod.Layout([v], mod.Add(v, v)), protocol=2))
        assert back.axes[0].name == "p" and back.offset.b.name == "p"

    def weakref_():
        v = mod.Var("w")
        assert weakref.ref(v)() is v

    def dict_():
        v = mod.Var("d")
        v.note = 1
        assert v.note == 1

    def outer():
        o = mod.Outer(7)
        assert o.inner.value == 7 and mod.handle(o.inner) == mod.handle(o)

    def node():
        n = mod.Node(1, [mod.Node(2)])
        assert n.children[0].tag == 2

    def live():
        before = mod.native_live()
        v = mod.Var("l")
        assert mod.native_live() == before + 1
        del v
        assert mod.native_live() == before

    checks = {"pickle": pickle_, "weakref": weakref_, "dict": dict_, "outer": outer, "node": node,
              "live": live}
    return frozenset(f for f, probe in checks.items() if _works(probe))


def subject(ns, version, variant):
    modname = module_name(version)
    try:
        mod = importlib.import_module(modname)
        reason = ""
    except ImportError as e:
        mod, reason = None, (f"the SWIG {version} module {modname} is not built or not on sys.path ({e}): "
                             "install swig (apt-get install swig), run `make adapters` and put the build "
                             "directory on PYTHONPATH")

    ns.summary = f"SWIG {version} proxy classes over an opaque C handle: a new proxy per returned pointer"
    ns.available = lambda: (mod is not None, reason)
    ns.features = frozenset()
    if mod is None:
        return
    ns.module = mod
    ns.Var, ns.Add, ns.Layout, ns.Node = mod.Var, mod.Add, mod.Layout, mod.Node
    ns.Outer, ns.Inner = mod.Outer, mod.Inner
    ns.handle, ns.same_as, ns.native_live = mod.handle, mod.same_as, mod.native_live
    ns.features = _probe(mod)
