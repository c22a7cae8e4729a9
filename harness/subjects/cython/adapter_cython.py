"""Cython adapter: the object model of libffi_native.so (ffi_native.pxd) as
Cython cdef classes, the wrapper Cython's documentation teaches: `cdef
class Var: cdef ffi_obj *ptr`, a `@staticmethod cdef from_ptr` factory
adopting each pointer a C call returns, `__dealloc__` dropping the
reference, `__eq__`/`__hash__` by address, node-style `__reduce__`, and
`cdef object __weakref__` / `cdef dict __dict__` for weak references and
attributes.

Cython keeps no object per pointer, so identity is the binding author's
own code. The variants are the patterns authors write (as ctypes's and
cffi's, wrapper_patterns.py, but in Cython), one .pyx each:
- plain (adapter_cython.pyx): nothing remembers a wrapper; every getter
  call makes a new one;
- owner-held (adapter_cython_owner_held.pyx): an owner's extension type
  keeps its children's wrappers in `cdef object` fields (which Cython's
  tp_traverse visits), set by its constructor or its getter's first read;
- weak-cache (adapter_cython_weak_cache.pyx): from_ptr consults a
  weakref.WeakValueDictionary from (class, address) to the live wrapper,
  which constructors fill too; interning through the static factory
  Var.intern, which consults it.

cython.mk compiles each .pyx with each Cython version's build-time pip
site into the build directory, named by variant and version
(_adapter_cython_3_3_1, _adapter_cython_owner_held_3_3_1,
_adapter_cython_weak_cache_3_3_1), so they load side by side; each links
libffi_native.so beside it. Pickle finds the classes by that module name,
which also provides handle() for pool workers."""
import compiled_model
import wrapper_patterns

tool = "cython"
VARIANTS = ("", "owner-held", "weak-cache")


def subject(ns, version, variant):
    if variant not in VARIANTS:
        raise ValueError(f"cython has no variant {variant!r} (plain, owner-held, weak-cache)")
    prefix = "_adapter_cython_" + (variant.replace("-", "_") + "_" if variant else "")
    ns.summary = f"Cython {version} cdef classes with a from_ptr factory: " + (
        "a new wrapper per returned pointer" if not variant else wrapper_patterns.SUMMARIES[variant])
    interning = (lambda mod: mod.Var.intern) if variant == "weak-cache" else compiled_model.constructor_interning
    compiled_model.fill(ns, compiled_model.module_name(prefix, version),
                        "run `make adapters` and put the build directory on PYTHONPATH", interning=interning)
