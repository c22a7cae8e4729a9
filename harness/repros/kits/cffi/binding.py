# The C library of native.h through cffi in ABI mode (ffi.dlopen, the
# header as the cdef): a Python class per native type, each instance
# holding one reference in a cdata pointer that ffi.gc releases.
# @if owner_held
# cffi makes a new cdata per pointer returned and keeps no Python object
# per pointer, so identity is the binding's own: here each object holds
# the Python objects of the children it was built with (or read once),
# and its fields hand those back.
# @end
# @if weak_cache
# cffi makes a new cdata per pointer returned and keeps no Python object
# per pointer, so identity is the binding's own: here a
# weakref.WeakValueDictionary maps each native address to its live Python
# object, filled by the constructors and by every pointer wrapped.
# @end
import cffi
# @if weak_cache
import threading
import weakref
# @end

# @if owner_held
TOOL = f"cffi {cffi.__version__}, objects holding their children's Python objects"
# @else
# @if weak_cache
TOOL = f"cffi {cffi.__version__}, a weak-value cache of Python objects by address"
# @else
TOOL = f"cffi {cffi.__version__}"
# @end
# @end
here = os.path.dirname(os.path.abspath(__file__))
ffi = cffi.FFI()
with open(os.path.join(here, "native.h")) as f:   # the header without its # lines is the cdef
    ffi.cdef("".join(line for line in f if not line.startswith("#")))
lib = ffi.dlopen(os.path.join(here, "libnative.so"))


# @if weak_cache
LIVE = weakref.WeakValueDictionary()   # native address -> its live Python object
LOCK = threading.RLock()   # a look-up and its insertion as one step (threads; re-entered from a weakref callback)


# @end
class Object:
    """Owns one reference to a native object."""

    @staticmethod
    def wrap(ptr):
        # @if weak_cache
        cls, key = CLASSES[lib.native_kind(ptr)], int(ffi.cast("uintptr_t", ptr))
        with LOCK:
            obj = LIVE.get(key)
            fresh = obj is None
            if fresh:
                obj = object.__new__(cls)
                obj.ptr = ffi.gc(ptr, lib.native_decref)
                LIVE[key] = obj
        if not fresh:
            lib.native_decref(ptr)   # the live object holds a reference already
        return obj
        # @else
        obj = object.__new__(CLASSES[lib.native_kind(ptr)])
        obj.ptr = ffi.gc(ptr, lib.native_decref)
        return obj
        # @end
    # @if weak_cache

    def made(self, **children):
        """A constructor's new object: the one of its native from now on."""
        with LOCK:
            LIVE[addr(self)] = self
    # @end
    # @if owner_held

    def made(self, **children):
        """A constructor's new object keeps the objects of its children."""
        self.held = children

    def child(self, field, read):
        """A field: the object(s) held for it, else read() once and held."""
        held = self.__dict__.setdefault("held", {})
        if field not in held:
            held[field] = read()
        return held[field]
    # @end

    def __eq__(self, other):
        return type(self) is type(other) and self.ptr == other.ptr

    def __hash__(self):
        return hash(self.ptr)
    # @if pickle

    def __reduce__(self):   # the constructor's arguments, and the instance's attributes
        # @if owner_held
        return (type(self), self.args(), {k: v for k, v in vars(self).items() if k not in ("ptr", "held")} or None)
        # @else
        return (type(self), self.args(), {k: v for k, v in vars(self).items() if k != "ptr"} or None)
        # @end
    # @end


class Var(Object):
    # @if intern weak_cache
    def __new__(cls, name, intern=False):
        if intern:   # the interned native's live object, from the cache
            return Object.wrap(lib.native_var_intern(name.encode()))
        return super().__new__(cls)

    def __init__(self, name, intern=False):
        if not intern:   # else __new__ returned a live object
            self.ptr = ffi.gc(lib.native_var_new(name.encode()), lib.native_decref)
            self.made()
    # @else
    # @if intern
    def __init__(self, name, intern=False):
        self.ptr = ffi.gc((lib.native_var_intern if intern else lib.native_var_new)(name.encode()), lib.native_decref)
        # @if pattern
        self.made()
        # @end
    # @else
    def __init__(self, name):
        self.ptr = ffi.gc(lib.native_var_new(name.encode()), lib.native_decref)
        # @if pattern
        self.made()
        # @end
    # @end
    # @end

    name = property(lambda self: ffi.string(lib.native_var_name(self.ptr)).decode())
    # @if pickle
    args = lambda self: (self.name,)  # noqa: E731
    # @end


class Add(Object):
    def __init__(self, a, b):
        self.ptr = ffi.gc(lib.native_add_new(a.ptr, b.ptr), lib.native_decref)
        # @if pattern
        self.made(a=a, b=b)
        # @end

    # @if owner_held
    a = property(lambda self: self.child("a", lambda: Object.wrap(lib.native_add_a(self.ptr))))
    b = property(lambda self: self.child("b", lambda: Object.wrap(lib.native_add_b(self.ptr))))
    # @else
    a = property(lambda self: Object.wrap(lib.native_add_a(self.ptr)))
    b = property(lambda self: Object.wrap(lib.native_add_b(self.ptr)))
    # @end
    # @if pickle
    args = lambda self: (self.a, self.b)  # noqa: E731
    # @end


class Layout(Object):
    def __init__(self, axes, offset):
        self.ptr = ffi.gc(lib.native_layout_new([x.ptr for x in axes], len(axes), offset.ptr), lib.native_decref)
        # @if pattern
        self.made(axes=tuple(axes), offset=offset)
        # @end

    # @if owner_held
    axes = property(lambda self: self.child("axes", lambda: tuple(Object.wrap(lib.native_layout_axis(self.ptr, i))
                                                                  for i in range(lib.native_layout_naxes(self.ptr)))))
    offset = property(lambda self: self.child("offset", lambda: Object.wrap(lib.native_layout_offset(self.ptr))))
    # @else
    axes = property(lambda self: tuple(Object.wrap(lib.native_layout_axis(self.ptr, i))
                                       for i in range(lib.native_layout_naxes(self.ptr))))
    offset = property(lambda self: Object.wrap(lib.native_layout_offset(self.ptr)))
    # @end
    # @if pickle
    args = lambda self: (self.axes, self.offset)  # noqa: E731
    # @end
# @if node


class Node(Object):
    def __init__(self, tag, children=()):
        kids = [c.ptr for c in children] or ffi.NULL
        self.ptr = ffi.gc(lib.native_node_new(tag, kids, len(children)), lib.native_decref)
        # @if pattern
        self.made(children=tuple(children))
        # @end

    tag = property(lambda self: lib.native_node_tag(self.ptr))
    # @if owner_held
    children = property(lambda self: self.child("children", lambda: tuple(
        Object.wrap(lib.native_node_child(self.ptr, i)) for i in range(lib.native_node_count(self.ptr)))))
    # @else
    children = property(lambda self: tuple(Object.wrap(lib.native_node_child(self.ptr, i))
                                           for i in range(lib.native_node_count(self.ptr))))
    # @end
    # @if pickle
    args = lambda self: (self.tag, self.children)  # noqa: E731
    # @end
# @end
# @if derived


class Derived(Object):
    def __init__(self, value):
        self.ptr = ffi.gc(lib.native_derived_new(value), lib.native_decref)
        # @if pattern
        self.made()
        # @end

    value = property(lambda self: lib.native_derived_value(self.ptr))


class Holder(Object):
    def __init__(self, d):
        self.ptr = ffi.gc(lib.native_holder_new(lib.native_derived_base(d.ptr)), lib.native_decref)
        # @if pattern
        self.made(base=d)
        # @end

    @property
    def base(self):   # the base pointer stands for its Derived: map it back, then wrap that
        # @if owner_held
        return self.child("base", self.read_base)

    def read_base(self):
        # @end
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
