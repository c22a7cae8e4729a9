"""pybind11 adapter: the object model as a small C++ extension
(pybind11/adapter_pybind11.cpp), one source compiled against each pybind11
version under test into an extension named by that version
(_adapter_pybind11_2_10_3, _adapter_pybind11_3_1_0; pybind11/pybind11.mk,
`make adapters`, in the build directory). The binding code is the same for
every version, so differences between subjects are pybind11's own.

Classes use std::shared_ptr holders and fields return shared_ptr children,
so pybind11's registered-instances map gives back the live wrapper of a C++
object while one exists; once the last Python reference goes, the next
access makes a new wrapper. Pickling is node style (py::pickle returning
child wrappers). The extension's classes keep the extension as their
__module__: pickle and pool workers import it by that (versioned) name."""
import importlib
import pickle
import re
import weakref

tool = "pybind11"
FEATURES = frozenset({"pickle", "weakref", "dict", "outer", "node", "live"})


def probe(ext):
    """What of FEATURES works on the extension's classes."""
    found = {f for f, attr in (("outer", "Outer"), ("node", "Node"), ("live", "native_live"))
             if hasattr(ext, attr)}
    v = ext.Var("probe")
    for feature, check in (("weakref", lambda: weakref.ref(v)() is v),
                           ("dict", lambda: setattr(v, "probe", 1) or delattr(v, "probe") or True),
                           ("pickle", lambda: pickle.loads(pickle.dumps(ext.Add(v, v))).a.name == "probe")):
        try:
            if check():
                found.add(feature)
        except Exception:
            pass
    return frozenset(found)


def module_name(version):
    """The extension of one pybind11 version (pybind11.mk spells it the same way)."""
    return "_adapter_pybind11_" + re.sub(r"[^0-9A-Za-z]", "_", version)


def subject(ns, version, variant):
    modname = module_name(version)
    ns.summary = (f"pybind11 {version}, shared_ptr holders: one wrapper per C++ object "
                  "while that wrapper lives")
    try:
        ext = importlib.import_module(modname)
        reason = ""
        if ext.pybind11_version != version:
            reason = (f"{modname} was compiled against pybind11 {ext.pybind11_version}, not {version}: "
                      "run `make adapters` again")
    except ImportError as e:
        ext, reason = None, (f"the pybind11 {version} extension {modname} is not built or not on "
                             f"sys.path ({e}): run `make adapters` and put the build directory on "
                             "PYTHONPATH")
    ok = not reason
    ns.available = lambda: (ok, reason)
    if not ok:
        ext = None
    ns.extension = ext
    ns.features = probe(ext) if ext is not None else FEATURES
    if ext is not None:
        ns.Var, ns.Add, ns.Layout, ns.Node = ext.Var, ext.Add, ext.Layout, ext.Node
        ns.Outer, ns.Inner = ext.Outer, ext.Inner
        ns.handle = ext.handle          # the C++ address (also what pool workers call)
        ns.native_live = ext.native_live

    def same_as(a, b):
        return type(a) is type(b) and ns.handle(a) == ns.handle(b)
    same_as.__module__ = ns.__name__
    ns.same_as = same_as
