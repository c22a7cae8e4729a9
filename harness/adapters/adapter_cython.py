"""Cython adapter: the object model of libffi_native.so as Cython cdef
classes (cython/adapter_cython.pyx), the wrapper Cython's documentation
teaches: `cdef class Var: cdef ffi_obj *ptr`, a `@staticmethod cdef
from_ptr` factory adopting each pointer a C call returns, `__dealloc__`
dropping the reference, `__eq__`/`__hash__` by address, node-style
`__reduce__`, and `cdef object __weakref__` / `cdef dict __dict__` for weak
references and attributes. Nothing remembers a wrapper: every getter call
makes a new one.

cython.mk compiles the .pyx with each Cython version's build-time pip site
into the build directory as _adapter_cython_<version> (3.3.1 ->
_adapter_cython_3_3_1), so two versions load side by side; the extension
links libffi_native.so beside it. Pickle finds the classes by that module
name, which also provides handle() for pool workers."""
import importlib
import pickle
import re
import weakref

tool = "cython"


def extension_name(version):
    """The versioned module name cython.mk builds for `version`."""
    return "_adapter_cython_" + re.sub(r"[^0-9A-Za-z]", "_", version)


def _works(probe):
    try:
        probe()
        return True
    except Exception:   # the feature does not work here: leave it out
        return False


def _probe(ext):
    """The features that really work on these classes."""
    def pickle_():
        v = ext.Var("p")
        back = pickle.loads(pickle.dumps(ext.Layout([v], ext.Add(v, v)), protocol=2))
        assert back.axes[0].name == "p" and back.offset.b.name == "p"

    def weakref_():
        v = ext.Var("w")
        assert weakref.ref(v)() is v

    def dict_():
        v = ext.Var("d")
        v.note = 1
        assert v.note == 1

    def outer():
        o = ext.Outer(7)
        assert o.inner.value == 7 and ext.handle(o.inner) == ext.handle(o)

    def node():
        n = ext.Node(1, [ext.Node(2)])
        assert n.children[0].tag == 2

    def live():
        before = ext.native_live()
        v = ext.Var("l")
        assert ext.native_live() == before + 1
        del v
        assert ext.native_live() == before

    checks = {"pickle": pickle_, "weakref": weakref_, "dict": dict_, "outer": outer, "node": node,
              "live": live}
    return frozenset(f for f, probe in checks.items() if _works(probe))


def subject(ns, version, variant):
    modname = extension_name(version)
    try:
        ext = importlib.import_module(modname)
        reason = ""
    except ImportError as e:
        ext, reason = None, (f"the Cython {version} extension {modname} is not built or not on sys.path "
                             f"({e}): run `make adapters` and put the build directory on PYTHONPATH")

    ns.summary = f"Cython {version} cdef classes with a from_ptr factory: a new wrapper per returned pointer"
    ns.available = lambda: (ext is not None, reason)
    ns.features = frozenset()
    if ext is None:
        return
    ns.extension = ext
    ns.Var, ns.Add, ns.Layout, ns.Node = ext.Var, ext.Add, ext.Layout, ext.Node
    ns.Outer, ns.Inner = ext.Outer, ext.Inner
    ns.handle, ns.same_as, ns.native_live = ext.handle, ext.same_as, ext.native_live
    ns.features = _probe(ext)
