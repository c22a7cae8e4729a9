"""Boost.Python adapter: the object model as a small C++ extension
(boost_python/adapter_boost_python.cpp: the same C++ classes as the
pybind11 adapter), built by `make adapters` against Debian's Boost.Python
into an extension named by its version (_adapter_boost_python_1_74_0_3,
boost_python/boost_python.mk).

Classes are class_<T, std::shared_ptr<T>>, fields return shared_ptr
children, pickling is boost::python::pickle_suite getinitargs (node style).
Boost.Python keeps no map from C++ objects to wrappers. Instead a shared_ptr
converted from a Python argument carries that argument's wrapper in its
deleter, and converting it back to Python returns that wrapper: a child
stored from Python is held, wrapper and all, by its parent, and reads give
back the wrapper passed in. A shared_ptr made in C++ gets a new wrapper per
conversion. The extension's classes keep the extension as their
__module__: pickle and pool workers import it by that (versioned) name."""
import importlib
import pickle
import re
import weakref

tool = "boost-python"
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
    """The extension of one Boost.Python version (boost_python.mk spells it the same way)."""
    return "_adapter_boost_python_" + re.sub(r"[^0-9A-Za-z]", "_", version)


def subject(ns, version, variant):
    modname = module_name(version)
    ns.summary = (f"Boost.Python {version}, std::shared_ptr holders: a child passed in from Python "
                  "keeps its wrapper in the shared_ptr's deleter, and reads return it")
    try:
        ext = importlib.import_module(modname)
        reason = ""
        # BOOST_LIB_VERSION is "1_74" for every 1.74.x package.
        if not version.replace(".", "_").startswith(ext.boost_version + "_"):
            reason = (f"{modname} was compiled against Boost {ext.boost_version}, not {version}: "
                      "run `make adapters` again")
    except ImportError as e:
        ext, reason = None, (f"the Boost.Python {version} extension {modname} is not built or not on "
                             f"sys.path ({e}): install libboost-python-dev (apt-get), run "
                             "`make adapters` and put the build directory on PYTHONPATH")
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
