# cython: language_level=3
"""The object model of libffi_native.so as Cython cdef classes, weak-cache:
adapter_cython.pyx (the from_ptr wrapper of Cython's documentation) plus
the pattern where the factory remembers what it made. Each class's
`@staticmethod cdef from_ptr` asks one weakref.WeakValueDictionary, keyed
by (class, address), for the live wrapper of the pointer it is given, and
makes a new one (and files it) only when there is none; a constructor
files the wrapper it built. The key carries the class because an Outer and
its Inner view share an address; the class is the cdef class of the
native's kind, so a Python subclass's instance is found by reads too. An
entry goes when its wrapper dies: CPython clears a dying wrapper's weak
references (and so its entry) before __dealloc__ drops the native, and a
wrapper resurrected by a subclass's __del__ is never deallocated, so its
entry stays valid.

The look-up and the insertion are Python code (WeakValueDictionary's
methods), between which the interpreter may switch threads: both run under
one re-entrant lock (a collection inside it may run a weakref callback that
reads a field), which a fork hook takes around os.fork(), so that a child
never starts with it held. Interning goes through the cache too: the static
factory Var.intern(name) (an __init__ cannot hand back another object).

cython.mk compiles this file per Cython version that lists the variant,
under a versioned module name (_adapter_cython_weak_cache_3_3_1)."""
import os
import threading
import weakref

from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc

from ffi_native cimport *


cdef object _live = weakref.WeakValueDictionary()   # (class, address) -> the live wrapper
cdef object _lock = threading.RLock()
os.register_at_fork(before=_lock.acquire, after_in_parent=_lock.release, after_in_child=_lock.release)


cdef ffi_obj *_check(ffi_obj *ptr) except NULL:
    if ptr is NULL:
        raise MemoryError("libffi_native returned NULL")
    return ptr


cdef class Object:
    """Owns one reference to a native object."""
    cdef ffi_obj *ptr
    cdef object __weakref__
    cdef dict __dict__

    def __dealloc__(self):
        if self.ptr is not NULL:
            ffn_decref(self.ptr)
            self.ptr = NULL

    def __eq__(self, other):
        return type(self) is type(other) and (<Object>self).ptr == (<Object>other).ptr

    def __hash__(self):
        return hash(<size_t>self.ptr)

    def __setstate__(self, state):
        """The attributes __reduce__ carried (_state), set back on the new wrapper."""
        for key, value in state.items():
            setattr(self, key, value)


def _state(w):
    """What pickle carries besides the constructor's arguments: the
    attributes the user set (the __dict__ slot; the pointer is a C field)."""
    return getattr(w, "__dict__", None) or None


cdef Object _adopt(type cls, ffi_obj *ptr):
    """What each from_ptr returns: the live wrapper of ptr as a cls, else a
    new one, filed. Takes the new reference ptr: a new wrapper owns it; a
    live one owns one already, so this one is dropped."""
    key = (cls, <size_t>ptr)
    cdef Object w
    with _lock:
        found = _live.get(key)
        if found is not None and (<Object>found).ptr is not NULL:   # not disowned meanwhile
            ffn_decref(ptr)
            return found
        w = cls.__new__(cls)
        w.ptr = ptr
        _live[key] = w
    return w


cdef _made(type cls, Object w):
    """A constructor's wrapper, filed under its cdef class (a Python subclass's too)."""
    with _lock:
        _live[(cls, <size_t>w.ptr)] = w


cdef type _class_of(Object w):
    """The cdef class w is filed under (the one a Python subclass derives from)."""
    for c in type(w).__mro__:
        if c in _CLASSES:
            return c
    raise TypeError(f"not a wrapper of this module: {type(w).__name__}")


cdef Object wrap(ffi_obj *ptr):
    """The wrapper of the class ptr's kind, taking the new reference ptr."""
    _check(ptr)
    cdef int kind = ffn_kind(ptr)
    if kind == FFN_VAR:
        return Var.from_ptr(ptr)
    if kind == FFN_ADD:
        return Add.from_ptr(ptr)
    if kind == FFN_LAYOUT:
        return Layout.from_ptr(ptr)
    if kind == FFN_NODE:
        return Node.from_ptr(ptr)
    if kind == FFN_OUTER:
        return Outer.from_ptr(ptr)
    if kind == FFN_DERIVED:
        return Derived.from_ptr(ptr)
    if kind == FFN_HOLDER:
        return Holder.from_ptr(ptr)
    ffn_decref(ptr)
    raise TypeError(f"unknown native kind {kind}")


cdef ffi_obj **_array(objs) except? NULL:
    """A malloc'ed array of the (borrowed) pointers of objs; the caller frees it."""
    cdef size_t n = len(objs), i
    cdef ffi_obj **arr = <ffi_obj **>malloc((n if n else 1) * sizeof(ffi_obj *))
    if arr is NULL:
        raise MemoryError()
    for i in range(n):
        arr[i] = (<Object?>objs[i]).ptr
    return arr


cdef class Var(Object):
    def __init__(self, name, *, intern=False):
        self.ptr = _check((ffn_var_intern if intern else ffn_var_new)(name.encode()))
        _made(Var, self)

    @staticmethod
    def intern(name):
        """The Var interned under name: its live wrapper, through the cache."""
        return Var.from_ptr(_check(ffn_var_intern(name.encode())))

    @staticmethod
    cdef Var from_ptr(ffi_obj *ptr):
        return <Var>_adopt(Var, ptr)

    @property
    def name(self):
        return ffn_var_name(self.ptr).decode()

    def __reduce__(self):
        return (type(self), (self.name,), _state(self))


cdef class Add(Object):
    def __init__(self, Object a not None, Object b not None):
        self.ptr = _check(ffn_add_new(a.ptr, b.ptr))
        _made(Add, self)

    @staticmethod
    cdef Add from_ptr(ffi_obj *ptr):
        return <Add>_adopt(Add, ptr)

    @property
    def a(self):
        return wrap(ffn_add_a(self.ptr))

    @property
    def b(self):
        return wrap(ffn_add_b(self.ptr))

    def __reduce__(self):
        return (type(self), (self.a, self.b), _state(self))


cdef class Layout(Object):
    def __init__(self, axes, Object offset not None):
        axes = tuple(axes)
        cdef ffi_obj **arr = _array(axes)
        try:
            self.ptr = _check(ffn_layout_new(arr, len(axes), offset.ptr))
        finally:
            free(arr)
        _made(Layout, self)

    @staticmethod
    cdef Layout from_ptr(ffi_obj *ptr):
        return <Layout>_adopt(Layout, ptr)

    @property
    def axes(self):
        return tuple([wrap(ffn_layout_axis(self.ptr, i)) for i in range(ffn_layout_naxes(self.ptr))])

    @property
    def offset(self):
        return wrap(ffn_layout_offset(self.ptr))

    def __reduce__(self):
        return (type(self), (self.axes, self.offset), _state(self))


cdef class Node(Object):
    def __init__(self, int64_t tag, children=()):
        children = tuple(children)
        cdef ffi_obj **arr = _array(children)
        try:
            self.ptr = _check(ffn_node_new(tag, arr, len(children)))
        finally:
            free(arr)
        _made(Node, self)

    @staticmethod
    cdef Node from_ptr(ffi_obj *ptr):
        return <Node>_adopt(Node, ptr)

    @property
    def tag(self):
        return ffn_node_tag(self.ptr)

    @property
    def children(self):
        return tuple([wrap(ffn_node_child(self.ptr, i)) for i in range(ffn_node_count(self.ptr))])

    def __reduce__(self):
        return (type(self), (self.tag, self.children), _state(self))


cdef class Outer(Object):
    def __init__(self, int64_t value):
        self.ptr = _check(ffn_outer_new(value))
        _made(Outer, self)

    @staticmethod
    cdef Outer from_ptr(ffi_obj *ptr):
        return <Outer>_adopt(Outer, ptr)

    @property
    def value(self):
        return ffn_outer_value(self.ptr)

    @property
    def inner(self):
        """A view of the Outer's leading member: same address, its own type (and entry)."""
        ffn_incref(self.ptr)
        return Inner.from_ptr(self.ptr)

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


cdef class Inner(Object):
    def __init__(self):
        raise TypeError("Inner is a view: read it as outer.inner")

    @staticmethod
    cdef Inner from_ptr(ffi_obj *ptr):
        return <Inner>_adopt(Inner, ptr)

    @property
    def value(self):
        return ffn_outer_value(self.ptr)

    def __reduce__(self):
        raise TypeError("an Inner view is not picklable on its own; pickle its Outer")


cdef class Derived(Object):
    """A native whose second base sits at another address than its own."""
    def __init__(self, int64_t value):
        self.ptr = _check(ffn_derived_new(value))
        _made(Derived, self)

    @staticmethod
    cdef Derived from_ptr(ffi_obj *ptr):
        return <Derived>_adopt(Derived, ptr)

    @property
    def value(self):
        return ffn_derived_value(self.ptr)

    @property
    def tag(self):
        return ffn_base_tag(ffn_derived_base(self.ptr))

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


cdef class Holder(Object):
    """Keeps a pointer to a Derived's second base."""
    def __init__(self, Derived base not None):
        self.ptr = _check(ffn_holder_new(ffn_derived_base(base.ptr)))
        _made(Holder, self)

    @staticmethod
    cdef Holder from_ptr(ffi_obj *ptr):
        return <Holder>_adopt(Holder, ptr)

    @property
    def base(self):
        # The base pointer stands for its Derived: map it back before wrapping
        # (the cache is keyed by the Derived's address, not the base's).
        return wrap(ffn_base_object(ffn_holder_base(self.ptr)))

    def __reduce__(self):
        return (type(self), (self.base,), _state(self))


cdef tuple _CLASSES = (Var, Add, Layout, Node, Outer, Inner, Derived, Holder)


def consume(Object w not None):
    """Native code takes w's reference and drops it: w is disowned, and
    leaves the cache first (its address may come back for another native)."""
    cdef ffi_obj *ptr = w.ptr
    if ptr is NULL:
        raise ValueError("disowned already")
    key = (_class_of(w), <size_t>ptr)
    with _lock:
        if _live.get(key) is w:
            del _live[key]
    w.ptr = NULL
    ffn_consume(ptr)


cdef ffi_obj *_visit(void *ctx, ffi_obj *offset) noexcept with gil:
    """The C callback: wraps the pointer it gets (through the cache, as
    from_ptr does) and calls the Python callable in ctx, [fn, error]."""
    cdef list call = <list>ctx
    cdef Object r
    try:
        ffn_incref(offset)   # the wrapper owns a reference of its own
        r = call[0](wrap(offset))
        ffn_incref(r.ptr)    # a new reference for the caller
        return r.ptr
    except BaseException as e:   # cannot cross the C frame: raised by visit_offset
        call[1] = e
        return NULL


def visit_offset(Layout layout not None, fn):
    """ffn_layout_visit_offset calls fn with the offset and takes a pointer back."""
    cdef list call = [fn, None]
    cdef ffi_obj *out = ffn_layout_visit_offset(layout.ptr, _visit, <void *>call)
    if call[1] is not None:
        raise call[1]
    return wrap(out)


def handle(w):
    """The native address a wrapper stands for."""
    if not isinstance(w, Object):
        raise TypeError(f"not a Cython wrapper: {type(w).__name__}")
    return <size_t>(<Object>w).ptr


def same_as(a, b):
    return type(a) is type(b) and handle(a) == handle(b)


def native_live():
    """Native objects alive in libffi_native.so."""
    return ffn_live()
