"""nanobind adapter: the C object model (ffi_native_api.h) bound with
nanobind, built without CMake by harness/subjects/nanobind/nanobind.mk into
one versioned extension per nanobind version (_adapter_nanobind_3_1_0) with a
submodule per variant; the source, nanobind/adapter_nanobind.cpp, says how
each one binds the model.

- plain: nb::class_ over the native objects themselves, held by
  std::shared_ptr with a deleter that drops one native reference (the way a
  nanobind user binds a refcounted C library without writing a cache).
  Getters return shared_ptr; nanobind's instance map (inst_c2p, keyed by C++
  pointer and type) gives back the live wrapper of an address, so identity
  holds while a wrapper lives and is lost when its last Python reference
  goes. Pickling: __reduce__, node by node.
- intrusive: nanobind's intrusive reference counting. A C++ object per
  native object derives from nb::intrusive_base and owns one native
  reference; once wrapped (nb::intrusive_ptr -> set_self_py) its count is
  its wrapper's refcount, and C++ objects hold their children with nb::ref,
  so a child's wrapper lives as long as a C++ parent holds it. A side table
  maps each native object to its one C++ object (ffi_native_api.h exposes no
  header slot). Pickling: __getstate__/__setstate__ (placement new).

- cpp: the C++ object model (cpp_model.hpp, what the pybind11 and
  Boost.Python adapters bind) with std::shared_ptr fields, natives made from
  Python (nb::init). nanobind converts a shared_ptr argument into one whose
  deleter holds the argument's wrapper (stl/shared_ptr.h,
  shared_from_python), so a parent keeps its children's wrappers and its
  fields return them.
- cpp-factory: the same model, natives made in C++: the constructors are
  nb::new_ over the library's factories, which link children in C++, so every
  wrapper stands for a C++-made shared_ptr (shared_from_cpp) and the instance
  map holds it borrowed, as in plain.
The source, nanobind/adapter_nanobind_cpp.cpp, is compiled once per variant.

Every variant: nb::dynamic_attr() (dict) and nb::is_weak_referenceable().
Plain's Var(name, intern=True) is an nb::new_ returning the interned
native's object (nanobind's test46_custom_new idiom); the cpp variants
intern through a static factory, Var.intern(name) (ns.intern);
visit_offset takes a std::function; no Derived/Holder, no disown, and no
interning in the intrusive variant (why_not says why)."""
import importlib

tool = "nanobind"


def _module_name(version):
    return "_adapter_nanobind_" + version.replace(".", "_")


# Variant -> the extension's submodule that binds it.
SUBMODULES = {"": "plain", "intrusive": "intrusive", "cpp": "cpp", "cpp-factory": "cpp_factory"}


def subject(ns, version, variant):
    if variant not in SUBMODULES:
        raise ValueError(f"nanobind has no variant {variant!r} (plain, {', '.join(v for v in SUBMODULES if v)})")
    modname = _module_name(version)
    ns.summary = {
        "": f"nanobind {version}, shared_ptr over the C objects: nanobind's instance map "
            "gives one wrapper per native address while that wrapper lives",
        "intrusive": f"nanobind {version} intrusive_counter: C++ objects hold their children with "
                     "nb::ref and their count is their wrapper's, so a wrapper lives as long as "
                     "its native object is referenced",
        "cpp": f"nanobind {version}, a C++ model with shared_ptr children, natives made from Python "
               "(nb::init): a shared_ptr converted from an argument holds its wrapper, so parents "
               "keep their children's wrappers",
        "cpp-factory": f"nanobind {version}, a C++ model with shared_ptr children, natives made by C++ "
                       "factories (nb::new_): nanobind's instance map gives one wrapper per object "
                       "while that wrapper lives",
    }[variant]
    ns.features = frozenset({"pickle", "weakref", "dict", "outer", "node", "live"})
    try:
        ext = importlib.import_module(modname)
        reason = ""
    except ModuleNotFoundError as e:
        ext, reason = None, (f"the nanobind {version} extension ({modname}) is not built or not on "
                             f"sys.path ({e}): run `make adapters` and put the build directory on "
                             "PYTHONPATH")
    except ImportError as e:   # built, and refusing to load here (a second interpreter, say)
        ext, reason = None, f"importing {modname} raised ImportError: {e}"
    ns.available = lambda: (ext is not None, reason)
    if ext is None:
        return
    sub = getattr(ext, SUBMODULES[variant])
    for name in ("Var", "Add", "Layout", "Node", "Outer", "Inner"):
        cls = getattr(sub, name)
        cls.__module__, cls.__qualname__ = ns.__name__, name   # pickle finds them in ns
        setattr(ns, name, cls)
    ns.handle = sub.handle               # the native address
    ns.native_live = getattr(sub, "native_live", ext.native_live)   # the cpp variants count their own
    ns.visit_offset = sub.visit_offset   # CB1: a C++ function calling a std::function
    ns.features = ns.features | {"callback"} | ({"intern"} if variant != "intrusive" else set())
    if variant.startswith("cpp"):
        ns.intern = sub.Var.intern       # O1 through the static factory
    ns.why_not = {
        "intern": ("Var is built in place (nb::init), which nanobind cannot overload with an interning "
                   "nb::new_: a plain Var(name) then finds no __new__ for its arguments; building it "
                   "through nb::new_ instead makes a Python subclass instance a proxy (S1, S2 then fail)"),
        "derived": "nanobind binds single inheritance only (a class_ takes one base; its documentation and "
                   "discussion #1242), so a second base at an offset cannot be bound",
        "disown": ("the instances are shared: shared_ptr-held (plain) or reference-counted (intrusive); "
                   "nanobind gives an object away only through a std::unique_ptr argument"),
    }

    # S1, S2: "subclass" when a Python subclass of a wrapper class can be made and constructed.
    try:
        class S(ns.Var):
            pass
        S("x")
    except Exception:   # the classes cannot be subclassed: S1 and S2 skip
        pass
    else:
        ns.features = ns.features | {"subclass"}

    def same_as(a, b):
        return type(a) is type(b) and sub.handle(a) == sub.handle(b)

    ns.same_as = same_as
