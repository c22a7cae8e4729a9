# The C library of native.h through cffi in ABI mode (ffi.dlopen, the
# header as the cdef): a Python class per native type, each instance
# holding one reference in a cdata pointer that ffi.gc releases.
import cffi

TOOL = f"cffi {cffi.__version__}"
here = os.path.dirname(os.path.abspath(__file__))
ffi = cffi.FFI()
with open(os.path.join(here, "native.h")) as f:   # the header without its # lines is the cdef
    ffi.cdef("".join(line for line in f if not line.startswith("#")))
lib = ffi.dlopen(os.path.join(here, "libnative.so"))


class Object:
    """Owns one reference to a native object."""

    @staticmethod
    def wrap(ptr):
        obj = object.__new__(CLASSES[lib.native_kind(ptr)])
        obj.ptr = ffi.gc(ptr, lib.native_decref)
        return obj

    def __eq__(self, other):
        return type(self) is type(other) and self.ptr == other.ptr

    def __hash__(self):
        return hash(self.ptr)
    # @if pickle

    def __reduce__(self):   # the constructor's arguments, and the instance's attributes
        return (type(self), self.args(), {k: v for k, v in vars(self).items() if k != "ptr"} or None)
    # @end


class Var(Object):
    # @if intern
    def __init__(self, name, intern=False):
        self.ptr = ffi.gc((lib.native_var_intern if intern else lib.native_var_new)(name.encode()), lib.native_decref)
    # @else
    def __init__(self, name):
        self.ptr = ffi.gc(lib.native_var_new(name.encode()), lib.native_decref)
    # @end

    name = property(lambda self: ffi.string(lib.native_var_name(self.ptr)).decode())
    # @if pickle
    args = lambda self: (self.name,)  # noqa: E731
    # @end


class Add(Object):
    def __init__(self, a, b):
        self.ptr = ffi.gc(lib.native_add_new(a.ptr, b.ptr), lib.native_decref)

    a = property(lambda self: Object.wrap(lib.native_add_a(self.ptr)))
    b = property(lambda self: Object.wrap(lib.native_add_b(self.ptr)))
    # @if pickle
    args = lambda self: (self.a, self.b)  # noqa: E731
    # @end


class Layout(Object):
    def __init__(self, axes, offset):
        self.ptr = ffi.gc(lib.native_layout_new([x.ptr for x in axes], len(axes), offset.ptr), lib.native_decref)

    axes = property(lambda self: tuple(Object.wrap(lib.native_layout_axis(self.ptr, i))
                                       for i in range(lib.native_layout_naxes(self.ptr))))
    offset = property(lambda self: Object.wrap(lib.native_layout_offset(self.ptr)))
    # @if pickle
    args = lambda self: (self.axes, self.offset)  # noqa: E731
    # @end
# @if node


class Node(Object):
    def __init__(self, tag, children=()):
        kids = [c.ptr for c in children] or ffi.NULL
        self.ptr = ffi.gc(lib.native_node_new(tag, kids, len(children)), lib.native_decref)

    tag = property(lambda self: lib.native_node_tag(self.ptr))
    children = property(lambda self: tuple(Object.wrap(lib.native_node_child(self.ptr, i))
                                           for i in range(lib.native_node_count(self.ptr))))
    # @if pickle
    args = lambda self: (self.tag, self.children)  # noqa: E731
    # @end
# @end
# @if derived


class Derived(Object):
    def __init__(self, value):
        self.ptr = ffi.gc(lib.native_derived_new(value), lib.native_decref)

    value = property(lambda self: lib.native_derived_value(self.ptr))


class Holder(Object):
    def __init__(self, d):
        self.ptr = ffi.gc(lib.native_holder_new(lib.native_derived_base(d.ptr)), lib.native_decref)

    @property
    def base(self):   # the base pointer stands for its Derived: map it back, then wrap that
        d = lib.native_base_object(lib.native_holder_base(self.ptr))
        lib.native_incref(d)
        return Object.wrap(d)
# @end


CLASSES = {1: Var, 2: Add, 3: Layout}
# @if node
CLASSES[4] = Node
# @end
# @if derived
CLASSES.update({5: Derived, 6: Holder})
# @end


def addr(obj):
    return int(ffi.cast("uintptr_t", obj.ptr))
# @if live


def live():
    return lib.native_live()
# @end
# @if callback


def visit_offset(layout, fn):
    """native_layout_visit_offset calls back into Python with the offset's pointer."""
    @ffi.callback("native_obj *(void *, native_obj *)")
    def trampoline(ctx, ptr):
        lib.native_incref(ptr)   # the object made here owns a reference
        result = fn(Object.wrap(ptr))
        lib.native_incref(result.ptr)   # a new reference for the caller
        return result.ptr
    return Object.wrap(lib.native_layout_visit_offset(layout.ptr, trampoline, ffi.NULL))
# @end
