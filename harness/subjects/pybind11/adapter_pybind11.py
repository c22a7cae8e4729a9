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
__module__: pickle and pool workers import it by that (versioned) name.

Catalogue v2: Derived(First, Second) is bound with both bases (pybind11's
multiple inheritance) and Holder keeps a shared_ptr<Second>; visit_offset
takes a std::function (pybind11/functional.h). No disown: see why_not.

Interning (O1) goes through one of two entry points the extension binds:
- plain: Var.intern(name), a static factory method, pybind11's idiom for
  handing back an existing object (pybind11 #947: "__init__ is too late");
- init-factory: Var(name, intern=True), a py::init factory returning the
  live object, which pybind11 installs in a new self (#1568, #3253).
Everything else is the same classes, so the two variants differ in O1 only.

- cpp-factory: the same source compiled with FFI_MADE_IN_CPP=1 into
  _adapter_pybind11_cpp_factory_VERSION: every constructor is a py::init
  over the model's C++ factories (cpp_model.hpp, made_in_cpp_factory),
  which link children in C++; pybind11's registered instances and
  holder-sharing shared_ptr conversions do not depend on where an object
  was made."""
import compiled_model

tool = "pybind11"


def subject(ns, version, variant):
    if variant not in ("", "init-factory", "cpp-factory"):
        raise ValueError(f"pybind11 has no variant {variant!r} (plain, init-factory or cpp-factory)")
    prefix = "_adapter_pybind11_cpp_factory_" if variant == "cpp-factory" else "_adapter_pybind11_"
    modname = compiled_model.module_name(prefix, version)
    ns.summary = (f"pybind11 {version}, shared_ptr holders: one wrapper per C++ object "
                  "while that wrapper lives")
    if variant == "init-factory":
        ns.summary += "; interning through a py::init factory, Var(name, intern=True)"
    if variant == "cpp-factory":
        ns.summary += "; natives made by C++ factories (py::init over them)"
    interning = compiled_model.constructor_interning if variant == "init-factory" else (lambda mod: mod.Var.intern)

    def built_for(ext):
        if ext.pybind11_version == version:
            return ""
        return f"{modname} was compiled against pybind11 {ext.pybind11_version}, not {version}: run `make adapters` again"
    compiled_model.fill(ns, modname, "run `make adapters` and put the build directory on PYTHONPATH", built_for,
                        interning)
    ns.why_not["disown"] = ("instances held by std::shared_ptr share their object, so none can give it away "
                            "(pybind11 disowns only into std::unique_ptr arguments of py::smart_holder "
                            "classes, 3.x); both versions here bind shared_ptr holders")
