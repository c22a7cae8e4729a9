# cython: language_level=3
"""The object model of libffi_native.so as Cython cdef classes, owner-held:
adapter_cython.pyx (the from_ptr wrapper of Cython's documentation) plus
the pattern where each wrapper keeps its children's wrappers. An owner's
extension type has a `cdef object` field per child (Add._a and ._b,
Layout._axes and ._offset, Node._children, Outer._inner, Holder._base),
set by its constructor to the wrappers it was given and by a getter to
the wrapper it made on its first read; the getter hands that field back
afterwards. Cython's generated tp_traverse and tp_clear visit `cdef
object` fields, so the cycle collector sees the owner->child edges. A held
child that gave its native away (consume) is read afresh.

What stays as in the plain form: the natives are linked in C and the
getters return new references; from_ptr makes a new wrapper, so what no
owner holds (a Var(name, intern=True), the pointer a C callback gets) is
a new wrapper each time.

cython.mk compiles this file per Cython version that lists the variant,
under a versioned module name (_adapter_cython_owner_held_3_3_1)."""
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc

from ffi_native cimport *


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
    attributes the user set (the __dict__ slot; the pointer and the held
    children are C fields)."""
    return getattr(w, "__dict__", None) or None


cdef bint _stale(held):
    """A held field to read afresh: never read, or a wrapper in it gave its
    native away (consume)."""
    if held is None:
        return True
    if isinstance(held, tuple):
        return any([(<Object>x).ptr is NULL for x in held])
    return (<Object>held).ptr is NULL


cdef Object wrap(ffi_obj *ptr):
    """A wrapper of the class ptr's kind, adopting the new reference ptr."""
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

    @staticmethod
    cdef Var from_ptr(ffi_obj *ptr):
        cdef Var w = Var.__new__(Var)
        w.ptr = ptr
        return w

    @property
    def name(self):
        return ffn_var_name(self.ptr).decode()

    def __reduce__(self):
        return (type(self), (self.name,), _state(self))


cdef class Add(Object):
    cdef object _a, _b   # the children's wrappers

    def __init__(self, Object a not None, Object b not None):
        self.ptr = _check(ffn_add_new(a.ptr, b.ptr))
        self._a, self._b = a, b

    @staticmethod
    cdef Add from_ptr(ffi_obj *ptr):
        cdef Add w = Add.__new__(Add)
        w.ptr = ptr
        return w

    @property
    def a(self):
        if _stale(self._a):
            self._a = wrap(ffn_add_a(self.ptr))
        return self._a

    @property
    def b(self):
        if _stale(self._b):
            self._b = wrap(ffn_add_b(self.ptr))
        return self._b

    def __reduce__(self):
        return (type(self), (self.a, self.b), _state(self))


cdef class Layout(Object):
    cdef object _axes, _offset   # a tuple of the axes' wrappers, the offset's

    def __init__(self, axes, Object offset not None):
        axes = tuple(axes)
        cdef ffi_obj **arr = _array(axes)
        try:
            self.ptr = _check(ffn_layout_new(arr, len(axes), offset.ptr))
        finally:
            free(arr)
        self._axes, self._offset = axes, offset

    @staticmethod
    cdef Layout from_ptr(ffi_obj *ptr):
        cdef Layout w = Layout.__new__(Layout)
        w.ptr = ptr
        return w

    @property
    def axes(self):
        if _stale(self._axes):
            self._axes = tuple([wrap(ffn_layout_axis(self.ptr, i)) for i in range(ffn_layout_naxes(self.ptr))])
        return self._axes

    @property
    def offset(self):
        if _stale(self._offset):
            self._offset = wrap(ffn_layout_offset(self.ptr))
        return self._offset

    def __reduce__(self):
        return (type(self), (self.axes, self.offset), _state(self))


cdef class Node(Object):
    cdef object _children   # a tuple of the children's wrappers

    def __init__(self, int64_t tag, children=()):
        children = tuple(children)
        cdef ffi_obj **arr = _array(children)
        try:
            self.ptr = _check(ffn_node_new(tag, arr, len(children)))
        finally:
            free(arr)
        self._children = children

    @staticmethod
    cdef Node from_ptr(ffi_obj *ptr):
        cdef Node w = Node.__new__(Node)
        w.ptr = ptr
        return w

    @property
    def tag(self):
        return ffn_node_tag(self.ptr)

    @property
    def children(self):
        if _stale(self._children):
            self._children = tuple([wrap(ffn_node_child(self.ptr, i)) for i in range(ffn_node_count(self.ptr))])
        return self._children

    def __reduce__(self):
        return (type(self), (self.tag, self.children), _state(self))


cdef class Outer(Object):
    cdef object _inner   # the view's wrapper, once read

    def __init__(self, int64_t value):
        self.ptr = _check(ffn_outer_new(value))

    @staticmethod
    cdef Outer from_ptr(ffi_obj *ptr):
        cdef Outer w = Outer.__new__(Outer)
        w.ptr = ptr
        return w

    @property
    def value(self):
        return ffn_outer_value(self.ptr)

    @property
    def inner(self):
        """A view of the Outer's leading member: same address, its own type."""
        if _stale(self._inner):
            ffn_incref(self.ptr)
            self._inner = Inner.from_ptr(self.ptr)
        return self._inner

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


cdef class Inner(Object):
    def __init__(self):
        raise TypeError("Inner is a view: read it as outer.inner")

    @staticmethod
    cdef Inner from_ptr(ffi_obj *ptr):
        cdef Inner w = Inner.__new__(Inner)
        w.ptr = ptr
        return w

    @property
    def value(self):
        return ffn_outer_value(self.ptr)

    def __reduce__(self):
        raise TypeError("an Inner view is not picklable on its own; pickle its Outer")


cdef class Derived(Object):
    """A native whose second base sits at another address than its own."""
    def __init__(self, int64_t value):
        self.ptr = _check(ffn_derived_new(value))

    @staticmethod
    cdef Derived from_ptr(ffi_obj *ptr):
        cdef Derived w = Derived.__new__(Derived)
        w.ptr = ptr
        return w

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
    cdef object _base   # the Derived's wrapper

    def __init__(self, Derived base not None):
        self.ptr = _check(ffn_holder_new(ffn_derived_base(base.ptr)))
        self._base = base

    @staticmethod
    cdef Holder from_ptr(ffi_obj *ptr):
        cdef Holder w = Holder.__new__(Holder)
        w.ptr = ptr
        return w

    @property
    def base(self):
        # The base pointer stands for its Derived: map it back before wrapping.
        if _stale(self._base):
            self._base = wrap(ffn_base_object(ffn_holder_base(self.ptr)))
        return self._base

    def __reduce__(self):
        return (type(self), (self.base,), _state(self))


def consume(Object w not None):
    """Native code takes w's reference and drops it: w is disowned (an
    owner holding w reads its field afresh)."""
    cdef ffi_obj *ptr = w.ptr
    if ptr is NULL:
        raise ValueError("disowned already")
    w.ptr = NULL
    ffn_consume(ptr)


cdef ffi_obj *_visit(void *ctx, ffi_obj *offset) noexcept with gil:
    """The C callback: wraps the pointer it gets (a new wrapper, as from_ptr
    makes: no owner is at hand) and calls the Python callable in ctx, [fn, error]."""
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
