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
  and flags the kit's files test: a variant (slots; cpp_factory: objects
  made by the C++ library's factories, model.hpp; pattern with owner_held
  or weak_cache: ctypes' and cffi's classes keeping their children's
  objects, or a weak-value cache by address), or another form of a
  binding shown beside the first (intern_static: Var.interned(name), a
  static factory method)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
KITS_DIR = os.path.join(HERE, "kits")


class Kit:
    def __init__(self, family, python, has=(), flags=(), files=None, build=None, install="", why_not=None,
                 tool=None):
        self.family = family
        self.tool = tool or family.split("+")[0]
        self.python = python              # kits/ path of the Python part
        self.has = frozenset(has)
        self.flags = frozenset(flags)
        self.files = dict(files or {})    # repro file name -> kits/ path
        self.build = build                # kits/ path of build.sh, for a compiled tool
        self.install = install            # how to get the tool: {version} is the subject's; a dict
        #                                   by origin ("debian", "build", ...; "" for any other)
        self.why_not = dict(why_not or {})   # feature -> why the kit has none (the tool's reason)

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
    *[Kit(f"cffi+{p}", "cffi/binding.py", has=C_LIB, flags={"pattern", p.replace("-", "_")}, files=_C,
          build="common/build-lib.sh", install="pip install cffi=={version}   # or Debian's python3-cffi")
      for p in ("owner-held", "weak-cache")],
]}
KITS["tvm-ffi+slots"].why_not = KITS["tvm-ffi"].why_not


def kit_for(subject_family):
    """The kit of TOOL+VARIANT (or TOOL), or None."""
    return KITS.get(subject_family)
