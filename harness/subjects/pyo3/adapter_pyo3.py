"""PyO3 adapter: the object model as a Rust crate (harness/subjects/pyo3/),
built by pyo3/pyo3.mk with cargo, offline, against Debian's packaged PyO3
(librust-pyo3-dev: 0.17.3 on Debian 12) into one extension named by that
version (_adapter_pyo3_0_17_3) with a submodule per variant. Newer PyO3
releases come only from crates.io, which this project's machines do not
reach. The crate's sources say how each variant binds the model:

- plain (submodule py_fields): #[pyclass] objects own their Rust data, and
  parents hold their children as Py<T>; a field read returns the stored
  Python object, so one Python object per Rust object, for its whole life.
- arc (submodule arc): an Arc-shared Rust graph with a Clone #[pyclass]
  handle per Arc; a getter returns a clone of the child's handle, which PyO3
  puts in a new Python object on every read (PyO3 #1973, #4204).

Both: #[pyclass(weakref, dict)] on every class and `subclass` on Var,
pickling by __getnewargs__ (the instance __dict__ is the state), a Rust
visit_offset calling back into Python, a live count. handle(w) is the
address of w's Rust data (inside w for plain, behind the Arc for arc)."""
import importlib

import compiled_model

tool = "pyo3"

VARIANTS = {
    "": ("py_fields", "children held as Py<T> fields: a field read returns the stored object, "
                      "one Python object per Rust object for its whole life"),
    "arc": ("arc", "an Arc-shared Rust graph behind Clone #[pyclass] handles: every getter moves "
                   "a clone of the child's handle into a new Python object"),
}
CLASSES = ("Var", "Add", "Layout", "Node")


def subject(ns, version, variant):
    if variant not in VARIANTS:
        raise ValueError(f"pyo3 has no variant {variant!r} (plain or arc)")
    submodule, how = VARIANTS[variant]
    modname = compiled_model.module_name("_adapter_pyo3_", version)
    ns.summary = f"PyO3 {version} (Debian), {how}"
    ns.features = frozenset()
    ns.why_not = {
        "outer": ("a #[pyclass] owns its Rust data and cannot hand out a reference into another's: a "
                  "#[pyclass] field is read by value, cloned into a new object at another address "
                  "(PyO3 #1973, #4204), so no Inner can share its Outer's address"),
        "derived": ("Rust has no multiple inheritance (PyO3's `extends` takes one base, and a trait object "
                    "points at the object itself), so no base sits at another address than its object"),
        "disown": ("PyO3 extracts a #[pyclass] argument by reference (PyRef) or by clone: the Rust value "
                   "cannot be moved out of its Python object to give it away"),
        "entries": "PyO3 keeps no map from Rust data to Python objects: there is no cache to count",
    }
    if variant == "":
        ns.why_not["intern"] = (
            "the Rust data lives inside its Python object, so interning means returning the live object "
            "from Var(...); PyO3 0.17's #[new] can only fill a new one (PyO3 #2384; `#[new]` returning "
            "Py<Self> came with PyO3 0.20, PR #3287)")
    try:
        ext = importlib.import_module(modname)
        reason = ""
    except ModuleNotFoundError as e:
        if not version.startswith("0.17."):   # pyo3.mk builds only what the crate is written for
            why = (f"the crate (harness/subjects/pyo3) is written for PyO3 0.17's API, and Debian's "
                   f"librust-pyo3-dev here is {version}: port it to build this one")
        else:
            why = (f"run `make adapters` (it needs cargo and Debian's librust-pyo3-dev) and put the build "
                   "directory on PYTHONPATH")
        ext, reason = None, f"the PyO3 {version} extension ({modname}) is not built or not on sys.path ({e}): {why}"
    except ImportError as e:   # built, and refusing to load here (PyO3 refuses sub-interpreters)
        ext, reason = None, f"importing {modname} raised ImportError: {e}"
    ns.available = lambda: (ext is not None, reason)
    if ext is None:
        return
    sub = getattr(ext, submodule)
    for name in CLASSES:
        cls = getattr(sub, name)
        cls.__module__, cls.__qualname__ = ns.__name__, name   # pickle finds them in ns
        setattr(ns, name, cls)
    ns.module = sub
    ns.handle = sub.handle
    ns.native_live = ext.native_live
    ns.visit_offset = sub.visit_offset

    def same_as(a, b):
        return type(a) is type(b) and ns.handle(a) == ns.handle(b)
    same_as.__module__ = ns.__name__
    ns.same_as = same_as
    ns.features = compiled_model.probe_features(ns)
