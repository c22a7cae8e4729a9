"""Cython adapter: the object model of libffi_native.so as Cython cdef
classes (cython/adapter_cython.pyx), the wrapper Cython's documentation
teaches: `cdef class Var: cdef ffi_obj *ptr`, a `@staticmethod cdef
from_ptr` factory adopting each pointer a C call returns, `__dealloc__`
dropping the reference, `__eq__`/`__hash__` by address, node-style
`__reduce__`, and `cdef object __weakref__` / `cdef dict __dict__` for weak
references and attributes. Nothing remembers a wrapper: every getter call
makes a new one.

cython.mk compiles the .pyx with each Cython version's build-time pip site
into the build directory as _adapter_cython_<version> (3.3.1 ->
_adapter_cython_3_3_1), so two versions load side by side; the extension
links libffi_native.so beside it. Pickle finds the classes by that module
name, which also provides handle() for pool workers."""
import compiled_model

tool = "cython"


def subject(ns, version, variant):
    ns.summary = f"Cython {version} cdef classes with a from_ptr factory: a new wrapper per returned pointer"
    compiled_model.fill(ns, compiled_model.module_name("_adapter_cython_", version),
                        "run `make adapters` and put the build directory on PYTHONPATH")
