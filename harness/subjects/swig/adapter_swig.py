"""SWIG adapter: the object model of libffi_native.so through SWIG
(swig/adapter_swig.i): the header's C API wrapped as it is, %newobject on
every constructor and getter that returns a new reference, and SWIG proxy
("shadow") classes Var, Add, Layout, Node, Outer and Inner over the opaque
ffi_obj, given constructors, a reference-dropping destructor, fields and a
node-style __reduce__ through %extend and %pythoncode. A returned pointer
becomes a new proxy of its kind on every call (SWIG keeps no table of the
proxies it made); proxies compare and hash by address, and being plain
Python classes they take weak references and attributes.

swig.mk runs the installed swig (Debian's) into the build directory under
a versioned module name: SWIG 4.1.0 -> adapter_swig_4_1_0.py (proxies,
handle() for pool workers) over the extension _adapter_swig_4_1_0.
Catalogue v2: Derived and Holder proxies (Holder.base maps the base
pointer back with ffn_base_object), Var(name, intern=False) with keyword
arguments, consume() clearing thisown; no callbacks (why_not)."""
import compiled_model

tool = "swig"


def subject(ns, version, variant):
    ns.summary = f"SWIG {version} proxy classes over an opaque C handle: a new proxy per returned pointer"
    compiled_model.fill(ns, compiled_model.module_name("adapter_swig_", version),
                        "install swig (apt-get install swig), run `make adapters` and put the build "
                        "directory on PYTHONPATH")
    ns.why_not["callback"] = ("SWIG passes only C functions as C function pointers (%callback); calling a "
                              "Python callable from C takes a hand-written typemap and trampoline, or "
                              "directors, which are for C++ classes")
