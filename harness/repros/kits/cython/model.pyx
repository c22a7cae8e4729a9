# cython: language_level=3
# The C library of native.h as Cython extension types, the way Cython's
# documentation wraps a C pointer: each type owns one pointer, a
# @staticmethod cdef factory adopts a pointer a C call returned, and
# __dealloc__ drops the reference.
# @if owner_held
# Each object keeps the objects of its children in cdef object fields
# (which Cython's generated tp_traverse visits): a getter hands back the
# one it was built with, or read first.
# @end
# @if weak_cache
# The factory remembers what it made: a weakref.WeakValueDictionary from
# address to the live object, consulted before making a new one.
# @end
from libc.stdint cimport int64_t, uintptr_t
from libc.stdlib cimport free, malloc
# @if weak_cache

import os
import threading
import weakref
# @end

cdef extern from "native.h":
    ctypedef struct native_obj:
        pass
    enum:
        NATIVE_VAR, NATIVE_ADD, NATIVE_LAYOUT, NATIVE_NODE, NATIVE_DERIVED, NATIVE_HOLDER
    native_obj *native_var_new(const char *name)
    native_obj *native_add_new(native_obj *a, native_obj *b)
    native_obj *native_layout_new(native_obj **axes, size_t naxes, native_obj *offset)
    void native_incref(native_obj *o)
    void native_decref(native_obj *o)
    int native_kind(native_obj *o)
    const char *native_var_name(native_obj *o)
    native_obj *native_add_a(native_obj *o)
    native_obj *native_add_b(native_obj *o)
    size_t native_layout_naxes(native_obj *o)
    native_obj *native_layout_axis(native_obj *o, size_t i)
    native_obj *native_layout_offset(native_obj *o)
    int64_t native_live()
    # @if node
    native_obj *native_node_new(int64_t tag, native_obj **children, size_t n)
    int64_t native_node_tag(native_obj *o)
    size_t native_node_count(native_obj *o)
    native_obj *native_node_child(native_obj *o, size_t i)
    # @end
    # @if intern
    native_obj *native_var_intern(const char *name)
    # @end
    # @if derived
    ctypedef struct native_base:
        pass
    native_obj *native_derived_new(int64_t value)
    int64_t native_derived_value(native_obj *o)
    native_base *native_derived_base(native_obj *o)
    native_obj *native_base_object(native_base *b)
    native_obj *native_holder_new(native_base *b)
    native_base *native_holder_base(native_obj *o)
    # @end
    # @if callback
    native_obj *native_layout_visit_offset(native_obj *layout, native_obj *(*fn)(void *, native_obj *) noexcept,
                                           void *ctx)
    # @end

cdef extern from *:
    const char *CYTHON_USED   # the Cython version, from build.sh

TOOL = "Cython " + CYTHON_USED.decode()
# @if weak_cache
cache = weakref.WeakValueDictionary()   # address -> the live object
lock = threading.RLock()   # cache.get and cache[...] = are Python code: threads switch between them
os.register_at_fork(before=lock.acquire, after_in_parent=lock.release, after_in_child=lock.release)
# @end


cdef class Object:
    """Owns one reference to a native object."""
    cdef native_obj *ptr
    cdef object __weakref__
    cdef dict __dict__

    def __dealloc__(self):
        if self.ptr is not NULL:
            native_decref(self.ptr)

    def __eq__(self, other):
        return type(self) is type(other) and (<Object>self).ptr == (<Object>other).ptr

    def __hash__(self):
        return hash(<uintptr_t>self.ptr)
    # @if pickle

    def __reduce__(self):   # the constructor's arguments, and the instance's attributes
        return (type(self), self.args(), getattr(self, "__dict__", None) or None)

    def __setstate__(self, state):
        for key, value in state.items():
            setattr(self, key, value)
    # @end


# @if weak_cache
cdef Object wrap(native_obj *ptr):
    """The live object of ptr, else a new one of its kind, adopting the
    reference ptr (what a C getter returned)."""
    cdef Object obj
    with lock:
        obj = cache.get(<uintptr_t>ptr)
        if obj is not None:
            native_decref(ptr)   # the live object owns a reference already
            return obj
        cls = CLASSES[native_kind(ptr)]
        obj = cls.__new__(cls)
        obj.ptr = ptr
        cache[<uintptr_t>ptr] = obj
    return obj


cdef remember(Object obj):
    """A constructor's object: what the factory hands back while it lives."""
    with lock:
        cache[<uintptr_t>obj.ptr] = obj
# @else
cdef Object wrap(native_obj *ptr):
    """A new object of ptr's kind, adopting the reference ptr (what a C getter returned)."""
    cdef Object obj
    cls = CLASSES[native_kind(ptr)]
    obj = cls.__new__(cls)
    obj.ptr = ptr
    return obj
# @end


cdef class Var(Object):
    # @if intern
    def __init__(self, name, intern=False):
        self.ptr = (native_var_intern if intern else native_var_new)(name.encode())
        # @if weak_cache
        remember(self)
        # @end
    # @else
    def __init__(self, name):
        self.ptr = native_var_new(name.encode())
        # @if weak_cache
        remember(self)
        # @end
    # @end

    @property
    def name(self):
        return native_var_name(self.ptr).decode()
    # @if pickle

    def args(self):
        return (self.name,)
    # @end


cdef class Add(Object):
    # @if owner_held
    cdef object _a, _b   # the children's objects

    # @end
    def __init__(self, Object a, Object b):
        self.ptr = native_add_new(a.ptr, b.ptr)
        # @if owner_held
        self._a, self._b = a, b
        # @end
        # @if weak_cache
        remember(self)
        # @end

    @property
    def a(self):
        # @if owner_held
        if self._a is None:
            self._a = wrap(native_add_a(self.ptr))
        return self._a
        # @else
        return wrap(native_add_a(self.ptr))
        # @end

    @property
    def b(self):
        # @if owner_held
        if self._b is None:
            self._b = wrap(native_add_b(self.ptr))
        return self._b
        # @else
        return wrap(native_add_b(self.ptr))
        # @end
    # @if pickle

    def args(self):
        return (self.a, self.b)
    # @end


cdef native_obj **pointers(objs) except NULL:
    """A malloc'ed array of the objects' pointers (the caller frees it)."""
    cdef native_obj **arr = <native_obj **>malloc((len(objs) or 1) * sizeof(native_obj *))
    for i, obj in enumerate(objs):
        arr[i] = (<Object?>obj).ptr
    return arr


cdef class Layout(Object):
    # @if owner_held
    cdef object _axes, _offset   # the children's objects

    # @end
    def __init__(self, axes, Object offset):
        cdef native_obj **arr = pointers(axes)
        self.ptr = native_layout_new(arr, len(axes), offset.ptr)
        free(arr)
        # @if owner_held
        self._axes, self._offset = tuple(axes), offset
        # @end
        # @if weak_cache
        remember(self)
        # @end

    @property
    def axes(self):
        # @if owner_held
        if self._axes is None:
            self._axes = tuple(wrap(native_layout_axis(self.ptr, i)) for i in range(native_layout_naxes(self.ptr)))
        return self._axes
        # @else
        return tuple(wrap(native_layout_axis(self.ptr, i)) for i in range(native_layout_naxes(self.ptr)))
        # @end

    @property
    def offset(self):
        # @if owner_held
        if self._offset is None:
            self._offset = wrap(native_layout_offset(self.ptr))
        return self._offset
        # @else
        return wrap(native_layout_offset(self.ptr))
        # @end
    # @if pickle

    def args(self):
        return (self.axes, self.offset)
    # @end
# @if node


cdef class Node(Object):
    # @if owner_held
    cdef object _children   # the children's objects

    # @end
    def __init__(self, int64_t tag, children=()):
        cdef native_obj **arr = pointers(children)
        self.ptr = native_node_new(tag, arr, len(children))
        free(arr)
        # @if owner_held
        self._children = tuple(children)
        # @end
        # @if weak_cache
        remember(self)
        # @end

    @property
    def tag(self):
        return native_node_tag(self.ptr)

    @property
    def children(self):
        # @if owner_held
        if self._children is None:
            self._children = tuple(wrap(native_node_child(self.ptr, i)) for i in range(native_node_count(self.ptr)))
        return self._children
        # @else
        return tuple(wrap(native_node_child(self.ptr, i)) for i in range(native_node_count(self.ptr)))
        # @end
    # @if pickle

    def args(self):
        return (self.tag, self.children)
    # @end
# @end
# @if derived


cdef class Derived(Object):
    def __init__(self, int64_t value):
        self.ptr = native_derived_new(value)
        # @if weak_cache
        remember(self)
        # @end

    @property
    def value(self):
        return native_derived_value(self.ptr)


cdef class Holder(Object):
    # @if owner_held
    cdef object _base   # the Derived's object

    # @end
    def __init__(self, Derived d):
        self.ptr = native_holder_new(native_derived_base(d.ptr))
        # @if owner_held
        self._base = d
        # @end
        # @if weak_cache
        remember(self)
        # @end

    @property
    def base(self):
        """The base pointer stands for its Derived: map it back, then wrap that."""
        # @if owner_held
        if self._base is not None:
            return self._base
        # @end
        cdef native_obj *d = native_base_object(native_holder_base(self.ptr))
        native_incref(d)
        # @if owner_held
        self._base = wrap(d)
        return self._base
        # @else
        return wrap(d)
        # @end
# @end


CLASSES = {NATIVE_VAR: Var, NATIVE_ADD: Add, NATIVE_LAYOUT: Layout}
# @if node
CLASSES[NATIVE_NODE] = Node
# @end
# @if derived
CLASSES.update({NATIVE_DERIVED: Derived, NATIVE_HOLDER: Holder})
# @end


def addr(Object obj):
    return <uintptr_t>obj.ptr


def live():
    return native_live()
# @if callback


cdef native_obj *trampoline(void *ctx, native_obj *offset) noexcept with gil:
    """The C callback: calls the Python function with wrap(offset)."""
    call = <object>ctx
    try:
        native_incref(offset)
        result = call[0](wrap(offset))
        native_incref((<Object?>result).ptr)   # a new reference for the caller
        return (<Object>result).ptr
    except BaseException as e:   # cannot cross the C frame: raised by visit_offset
        call.append(e)
        return NULL


def visit_offset(Layout layout, fn):
    """native_layout_visit_offset calls fn with layout.offset and hands back what fn returned."""
    call = [fn]
    cdef native_obj *out = native_layout_visit_offset(layout.ptr, trampoline, <void *>call)
    if len(call) > 1:
        raise call[1]
    return wrap(out)
# @end
