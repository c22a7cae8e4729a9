"""Boost.Python adapter: the object model as a small C++ extension
(boost_python/adapter_boost_python.cpp: the same C++ classes as the
pybind11 adapter), built by `make adapters` against Debian's Boost.Python
into an extension named by its version (_adapter_boost_python_1_74_0_3,
boost_python/boost-python.mk).

Classes are class_<T, std::shared_ptr<T>>, fields return shared_ptr
children, pickling is boost::python::pickle_suite getinitargs (node style).
Boost.Python keeps no map from C++ objects to wrappers. Instead a shared_ptr
converted from a Python argument carries that argument's wrapper in its
deleter, and converting it back to Python returns that wrapper: a child
stored from Python is held, wrapper and all, by its parent, and reads give
back the wrapper passed in. A shared_ptr made in C++ gets a new wrapper per
conversion: variant cpp-factory (the same source compiled with
FFI_MADE_IN_CPP=1 into _adapter_boost_python_cpp_factory_VERSION) makes
every object through the C++ model's factories (make_constructor), which
link children in C++, so that is what every read does there. The extension's classes keep the extension as their
__module__: pickle and pool workers import it by that (versioned) name.

Catalogue v2: Derived is class_<Derived, bases<First, Second>> and Holder
keeps a shared_ptr<Second>; Var(name, intern=True) is a make_constructor
factory returning the live object; visit_offset calls a bp::object with a
field. No disown: see why_not."""
import compiled_model

tool = "boost-python"


def subject(ns, version, variant):
    if variant not in ("", "cpp-factory"):
        raise ValueError(f"boost-python has no variant {variant!r} (plain or cpp-factory)")
    prefix = "_adapter_boost_python_" + ("cpp_factory_" if variant else "")
    modname = compiled_model.module_name(prefix, version)
    ns.summary = {
        "": (f"Boost.Python {version}, std::shared_ptr holders, natives made from Python: a child "
             "passed in from Python keeps its wrapper in the shared_ptr's deleter, and reads return it"),
        "cpp-factory": (f"Boost.Python {version}, std::shared_ptr holders, natives made by C++ factories: "
                        "no shared_ptr carries a wrapper, so every read makes a new one"),
    }[variant]

    def built_for(ext):
        # BOOST_LIB_VERSION is "1_74" for every 1.74.x package.
        if version.replace(".", "_").startswith(ext.boost_version + "_"):
            return ""
        return f"{modname} was compiled against Boost {ext.boost_version}, not {version}: run `make adapters` again"
    compiled_model.fill(ns, modname, "install libboost-python-dev (apt-get), run `make adapters` and put "
                        "the build directory on PYTHONPATH", built_for)
    ns.why_not["disown"] = ("instances held by std::shared_ptr share their object, so none can give it away "
                            "(Boost.Python hands ownership to C++ only from std::auto_ptr-held instances)")
