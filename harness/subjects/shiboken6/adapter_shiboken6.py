"""shiboken6 adapter: the C++ object model of cpp_model.hpp bound with
shiboken6, the binding generator of Qt for Python (PySide6 is made with
it), the way its users bind a C++ library of their own: a typesystem
(shiboken6/typesystem_ffi.xml) and a global header (shiboken6/bindings.h)
that the generator turns into C++ wrappers, compiled against the runtime
wheel's libshiboken6 into an extension named by the version
(_adapter_shiboken6_6_12_0, shiboken6/shiboken6.mk). No Qt class is
involved: the identity machinery is libshiboken's, which PySide6 uses for
every Qt object too.

libshiboken keeps one BindingManager per process: a map from C++ address to
wrapper, holding the wrapper borrowed, with a Derived's wrapper entered at
the address of each base. A C++ pointer converted to Python gets the live
wrapper at that address, else a new one. The model's shared_ptr fields are
converted through that pointer conversion (the typesystem says why not
shiboken6's smart-pointer-type); objects made in Python are owned by their
wrappers, and each constructor that stores an argument keeps that
argument's wrapper alive (reference-count), as the shiboken6 documentation
tells users to. So a child's wrapper lives as long as a parent's wrapper.

handle(w) is the C++ address, shiboken6.getCppPointer(w)[0]. Pickling is
__reduce__ added in the typesystem: type(self), the fields, the __dict__.
No interning constructor and no disown: see why_not."""
import importlib

import compiled_model

tool = "shiboken6"


def handle(w):
    """The C++ address w wraps (the first of getCppPointer's addresses: the
    object's own, for a Derived too)."""
    from shiboken6 import Shiboken
    return Shiboken.getCppPointer(w)[0]


def subject(ns, version, variant):
    modname = compiled_model.module_name("_adapter_shiboken6_", version)
    ns.summary = (f"shiboken6 {version} (Qt for Python's generator), object-types owned by their wrappers, "
                  "children's wrappers kept by reference-count: one wrapper per C++ address while any "
                  "parent's wrapper lives")
    ns.features = frozenset()
    ns.why_not = {
        "intern": ("a shiboken6 constructor (tp_init) fills the wrapper being made, so none can return a live "
                   "one; and the model's intern table holds its Vars weakly, by shared_ptr, which a shiboken6 "
                   "wrapper of a C++-made object does not hold (it keeps a raw pointer), so the Var would die "
                   "with the returned shared_ptr"),
        "disown": ("ownership goes to C++ only through a function the typesystem marks "
                   "<define-ownership owner=\"c++\">; the model has none, and its parents hold their children "
                   "lent (not owned), so a C++ function freeing one would leave them dangling"),
    }
    try:
        mod = importlib.import_module(modname)
        built = getattr(mod, "shiboken_version", None)
        reason = "" if built == version else \
            f"{modname} was compiled against shiboken6 {built}, not {version}: run `make HEAVY=1 adapters` again"
    except ModuleNotFoundError as e:
        mod, reason = None, (f"{modname} is not built or not on sys.path ({e}): shiboken6 is heavy, "
                             "so run `make HEAVY=1 adapters` and put the build directory on PYTHONPATH")
    except ImportError as e:
        mod, reason = None, f"importing {modname} raised ImportError: {e}"
    ns.available = lambda: (not reason, reason)
    if reason:
        return
    ns.module = mod
    for name in ("Var", "Add", "Layout", "Node", "Outer", "Inner", "Derived", "Holder",
                 "visit_offset", "native_live"):
        setattr(ns, name, getattr(mod, name))
    ns.handle = handle

    def same_as(a, b):
        return type(a) is type(b) and handle(a) == handle(b)
    same_as.__module__ = ns.__name__
    ns.same_as = same_as
    ns.features = compiled_model.probe_features(ns)
