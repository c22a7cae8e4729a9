"""The binding kits: per tool (and variant), the least code that defines the
object model with that tool's public API, written for the repros. Nothing
here imports the suite's adapters or ffi_identity: a repro must run where
only the tool is installed.

A kit is a Python part (the whole binding for a pure-Python tool, an import
of the compiled module otherwise) and, for a compiled tool, its sources and
a one-command build.sh. Every file may hold @if sections (sections.py), so
that a repro carries only what its property uses. What a kit's Python part
defines, whatever the tool:

    TOOL                       "NAME VERSION" of the tool that ran
    Var(name), .name           Add(a, b), .a, .b       Layout(axes, offset), .axes, .offset
    addr(obj)                  the native object's address
  and, where `has` lists them:
    node      Node(tag, children), .tag, .children
    pickle    the classes pickle (and copy) node by node, instance state included
    live      live(): native objects alive
    outer     Outer(value), .inner: a view of its first member, one address, another type
    derived   Derived(value); Holder(d), .base: a pointer to d's second base, at another address
    intern    Var(name, intern=True): the live Var of that name
    callback  visit_offset(layout, fn): native code calls fn(layout.offset), returns what fn returns
  every kit has, unless its why_not names it:
    fork      the binding keeps working in a process forked after it loaded (a JVM or a CLR does not)
    subclass  class SubVar(Var) makes Python subclasses of Var
  and flags the kit's files test: a variant (slots; cpp_factory: objects
  made by the C++ library's factories, model.hpp; owner_held and
  weak_cache, the identity patterns of a tool that keeps no object per
  pointer: the owner keeps its children's objects, or a weak-value cache
  by address, with pattern for ctypes' and cffi's classes), or another
  form of a binding shown beside the first (intern_static:
  Var.interned(name), a static factory method; teardown_crash: with
  subclass instances alive, interpreter teardown crashes for a reason of
  its own, so a script that makes them leaves with os._exit)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
KITS_DIR = os.path.join(HERE, "kits")
EVERY_KIT = {"fork", "subclass"}   # what a kit has unless its why_not says why not


class Kit:
    def __init__(self, family, python, has=(), flags=(), files=None, build=None, install="", why_not=None,
                 tool=None, env=None):
        self.family = family
        self.tool = tool or family.split("+")[0]
        self.python = python              # kits/ path of the Python part
        self.has = frozenset(has) | (EVERY_KIT - set(why_not or {}))
        self.flags = frozenset(flags)
        self.files = dict(files or {})    # repro file name -> kits/ path
        self.build = build                # kits/ path of build.sh, for a compiled tool
        self.install = install            # how to get the tool: {version} is the subject's; a dict
        #                                   by origin ("debian", "build", ...; "" for any other)
        self.why_not = dict(why_not or {})   # feature -> why the kit has none (the tool's reason)
        self.env = dict(env or {})        # what the check sets to run it from the subject's site ({site})

    def install_line(self, info):
        """How to install the subject's version of the tool (a shell line), or ""."""
        text = self.install
        if isinstance(text, dict):
            text = text.get(info.get("origin", ""), text.get("", ""))
        return text.format(version=info["version"]) if text else ""

    def path(self, rel):
        return os.path.join(KITS_DIR, rel)


# The C library (kits/common/native.[ch]) and what it offers.
_C = {"native.h": "common/native.h", "native.c": "common/native.c"}
C_LIB = {"pickle", "node", "live", "derived", "intern", "callback"}

_PYO3 = {"debian": "apt-get install librust-pyo3-dev cargo   # PyO3 {version} on Debian 12: build.sh builds offline",
         "": "# PyO3 {version}: build.sh gets it from crates.io with cargo"}
_NO_SECOND_BASE = "Rust has no multiple inheritance: no base of an object sits at another address"

KITS = {k.family: k for k in [
    Kit("tvm-ffi", "tvm-ffi/binding.py", has={"pickle", "node", "callback"},
        install="pip install apache-tvm-ffi=={version}",
        why_not={"live": "tvm-ffi exposes no count of live objects",
                 "derived": "a tvm-ffi object type has one parent type: no base sits at an offset",
                 "intern": "a py_class constructor fills a new object on each call"}),
    Kit("tvm-ffi+slots", "tvm-ffi/binding.py", has={"pickle", "node", "callback"}, flags={"slots"},
        install="pip install apache-tvm-ffi=={version}"),
    Kit("ctypes", "ctypes/binding.py", has=C_LIB, files=_C, build="common/build-lib.sh",
        install="# ctypes: the standard library of Python {version}; build.sh needs a C compiler"),
    # The binding author's identity patterns (flag pattern, and which one).
    *[Kit(f"ctypes+{p}", "ctypes/binding.py", has=C_LIB, flags={"pattern", p.replace("-", "_")}, files=_C,
          build="common/build-lib.sh", install="# ctypes: the standard library of Python {version}; build.sh needs "
                                               "a C compiler") for p in ("owner-held", "weak-cache")],
    Kit("pybind11", "common/module.py", has={"pickle", "node", "live", "derived", "intern", "callback"},
        flags={"intern_static"}, files={"model.cpp": "pybind11/model.cpp", "model.hpp": "common/model.hpp"},
        build="pybind11/build.sh",
        install={"debian": "apt-get install pybind11-dev   # {version} on Debian 12",
                 "": "pip install pybind11=={version}"}),
    # Interning through a py::init factory (the pybind11 kit's Var(name, intern=True) already), and
    # every object made by the C++ library's factories (model.hpp's, bound as py::init factories).
    *[Kit(f"pybind11+{v}", "common/module.py", has={"pickle", "node", "live", "derived", "intern", "callback"},
          flags={"intern_static"} | flags, files={"model.cpp": "pybind11/model.cpp", "model.hpp": "common/model.hpp"},
          build="pybind11/build.sh", install="pip install pybind11=={version}")
      for v, flags in (("init-factory", set()), ("cpp-factory", {"cpp_factory"}))],
    Kit("cython", "common/module.py", has=C_LIB, files=dict(_C, **{"model.pyx": "cython/model.pyx"}),
        build="cython/build.sh", install="pip install cython=={version}"),
    # The two patterns of the suite's Cython variants, in the same model.pyx (flags owner_held, weak_cache).
    Kit("cython+owner-held", "common/module.py", has=C_LIB, flags={"owner_held"},
        files=dict(_C, **{"model.pyx": "cython/model.pyx"}), build="cython/build.sh",
        install="pip install cython=={version}"),
    Kit("cython+weak-cache", "common/module.py", has=C_LIB - {"intern"}, flags={"weak_cache"},
        files=dict(_C, **{"model.pyx": "cython/model.pyx"}), build="cython/build.sh",
        install="pip install cython=={version}",
        why_not={"intern": "an __init__ cannot hand back the live object: the weak cache interns through a "
                           "static factory (the suite's Var.intern), and the scenario calls Var(name, intern=True)"}),
    Kit("swig", "common/module.py", has=C_LIB - {"callback"}, files=dict(_C, **{"model.i": "swig/model.i"}),
        build="swig/build.sh", install={"debian": "apt-get install swig   # {version} on Debian 12",
                                        "": "# swig {version}"},
        why_not={"callback": "calling a Python callable from C takes a hand-written typemap and trampoline "
                             "(SWIG's %callback passes C functions only)"}),
    Kit("boost-python", "common/module.py",
        has={"pickle", "node", "live", "outer", "derived", "intern", "callback"},
        files={"model.cpp": "boost-python/model.cpp", "model.hpp": "common/model.hpp"}, build="boost-python/build.sh",
        install={"debian": "apt-get install libboost-python-dev   # {version} on Debian 12",
                 "": "# Boost.Python {version}"}),
    # Every object made by the C++ library's factories (model.hpp's), bound with make_constructor.
    Kit("boost-python+cpp-factory", "common/module.py",
        has={"pickle", "node", "live", "outer", "derived", "intern", "callback"}, flags={"cpp_factory"},
        files={"model.cpp": "boost-python/model.cpp", "model.hpp": "common/model.hpp"}, build="boost-python/build.sh",
        install={"debian": "apt-get install libboost-python-dev   # {version} on Debian 12",
                 "": "# Boost.Python {version}"}),
    Kit("pygobject", "pygobject/binding.py", has={"live"},
        install={"debian": "apt-get install python3-gi gir1.2-glib-2.0   # PyGObject {version} on Debian 12",
                 "": "pip install PyGObject=={version}"}),
    Kit("torch", "torch/binding.py", has={"pickle", "live"}, install="pip install torch=={version}"),
    Kit("nanobind", "common/module.py", has={"pickle", "node", "live", "intern", "callback"},
        files=dict(_C, **{"model.cpp": "nanobind/model.cpp"}), build="nanobind/build.sh",
        install="pip install nanobind=={version}",
        why_not={"derived": "nanobind binds single inheritance only: a second base at an offset cannot be bound"}),
    Kit("nanobind+intrusive", "common/module.py", has={"pickle", "node", "live", "callback"},
        files=dict(_C, **{"model.cpp": "nanobind+intrusive/model.cpp"}), build="nanobind+intrusive/build.sh",
        install="pip install nanobind=={version}",
        why_not={"derived": "nanobind binds single inheritance only: a second base at an offset cannot be bound",
                 "intern": "Var is built in place (nb::init), which an interning nb::new_ cannot overload"}),
    # The C++ model of model.hpp (shared_ptr children), its objects made from Python (nb::init) or by the
    # library's C++ factories (nb::new_).
    *[Kit(f"nanobind+{v}", "common/module.py", has={"pickle", "node", "live", "callback"} | more, flags=flags,
          files={"model.cpp": "nanobind+cpp/model.cpp", "model.hpp": "common/model.hpp"}, build="nanobind+cpp/build.sh",
          install="pip install nanobind=={version}",
          why_not={"derived": "nanobind binds single inheritance only: a second base at an offset cannot be bound",
                   "intern": "Var is built in place (nb::init), which an interning nb::new_ cannot overload"})
      for v, more, flags in (("cpp", set(), set()), ("cpp-factory", {"intern"}, {"cpp_factory"}))],
    Kit("cffi", "cffi/binding.py", has=C_LIB, files=_C, build="common/build-lib.sh",
        install="pip install cffi=={version}   # or Debian's python3-cffi"),
    Kit("sip", "common/module.py", has={"pickle", "node", "live"},
        files={"pyproject.toml": "sip/pyproject.toml", "model.sip": "sip/model.sip", "model.hpp": "common/model.hpp"},
        build="sip/build.sh", install="pip install sip=={version}",
        why_not={"intern": "a sip constructor fills the wrapper being made with the C++ object it makes: it "
                           "cannot hand back the live wrapper of an existing one"}),
    Kit("shiboken6", "shiboken6/binding.py", has={"live"},
        files={"typesystem.xml": "shiboken6/typesystem.xml", "model.hpp": "common/model.hpp"},
        build="shiboken6/build.sh",
        install="pip install shiboken6=={version} shiboken6-generator=={version}; apt-get install clang",
        why_not={"intern": "a shiboken6 constructor fills the wrapper being made: it cannot hand back a live one"}),
    Kit("cppyy", "cppyy/binding.py", has={"pickle", "node", "live"}, files={"model.hpp": "common/model.hpp"},
        install="pip install cppyy=={version}",
        # pip install --target (the suite's sites) leaves CPyCppyy's headers where cppyy does not look for
        # them, and Python subclasses of C++ classes need them
        env={"CPPYY_API_PATH": "{site}/include/python"},
        why_not={"intern": "Var(...) calls a C++ constructor, which always makes a new object",
                 "callback": "the model has no C++ function taking a callback"}),
    Kit("pyo3", "common/module.py", has={"pickle", "node", "live", "callback"},
        files={"Cargo.toml": "pyo3/Cargo.toml", "model.rs": "pyo3/model.rs"}, build="pyo3/build.sh",
        install=_PYO3,
        why_not={"intern": "the Rust data lives inside its Python object, so interning means Var(...) returning "
                           "the live object, and PyO3 0.17's #[new] can only fill a new one (#[new] returning "
                           "Py<Self> came with PyO3 0.20)",
                 "derived": _NO_SECOND_BASE}),
    Kit("pyo3+arc", "common/module.py", has={"pickle", "node", "live", "callback", "intern"},
        files={"Cargo.toml": "pyo3/Cargo.toml", "model.rs": "pyo3+arc/model.rs"}, build="pyo3/build.sh",
        install=_PYO3, why_not={"derived": _NO_SECOND_BASE}),
    Kit("jpype", "jpype/binding.py", has={"pickle", "node", "live", "derived", "intern", "callback"},
        files={"Model.java": "jpype/Model.java"}, build="jpype/build.sh",
        install="pip install jpype1=={version}; apt-get install default-jdk-headless   # javac and the JVM",
        why_not={"fork": "JPype does not support a process forked after the JVM started (its user guide, "
                         "Multiprocessing: use spawn), and F1 is a read in such a process",
                 "subclass": "Java classes are closed: JPype refuses a Python subclass of one (its user guide, "
                             "Classes); Python implements Java interfaces instead"}),
    Kit("pythonnet", "pythonnet/binding.py", has={"pickle", "node", "live", "callback"}, flags={"teardown_crash"},
        files={"Model.cs": "pythonnet/Model.cs"}, build="pythonnet/build.sh",
        install="pip install pythonnet=={version}; apt-get install mono-devel   # mcs and the Mono runtime",
        why_not={"fork": "Mono, pythonnet's runtime here, does not survive os.fork() once it runs (a collection "
                         "in the child waits for collector threads the fork did not copy), so a pythonnet user "
                         "loads the runtime in each worker; F1 is a read in a process forked after it loaded",
                 "intern": "a .NET constructor always makes a new object, and Var(...) calls it; .NET interns "
                           "through a static factory, which Var(name, intern=True) cannot name",
                 "derived": "C# has one base class, so a second base is an interface, and pythonnet hands a "
                            "value typed by an interface back wrapped as that interface (pythonnet#2213)"}),
    *[Kit(f"cffi+{p}", "cffi/binding.py", has=C_LIB, flags={"pattern", p.replace("-", "_")}, files=_C,
          build="common/build-lib.sh", install="pip install cffi=={version}   # or Debian's python3-cffi")
      for p in ("owner-held", "weak-cache")],
]}
KITS["tvm-ffi+slots"].why_not = KITS["tvm-ffi"].why_not


def kit_for(subject_family):
    """The kit of TOOL+VARIANT (or TOOL), or None."""
    return KITS.get(subject_family)
