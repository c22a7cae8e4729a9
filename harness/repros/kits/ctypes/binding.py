# The C library of native.h through ctypes, the way ctypes users wrap one:
# a Python class per native type, each instance owning one reference.
# @if owner_held
# ctypes keeps no Python object per pointer, so identity is the binding's
# own: here each object holds the Python objects of the children it was
# built with (or read once), and its fields hand those back.
# @end
# @if weak_cache
# ctypes keeps no Python object per pointer, so identity is the binding's
# own: here a weakref.WeakValueDictionary maps each native address to its
# live Python object, filled by the constructors and by every pointer wrapped.
# @end
import ctypes
# @if weak_cache
import threading
import weakref
# @end

# @if owner_held
TOOL = "ctypes, objects holding their children's Python objects"
# @else
# @if weak_cache
TOOL = "ctypes, a weak-value cache of Python objects by address"
# @else
TOOL = "ctypes"
# @end
# @end
lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(__file__)), "libnative.so"))
P = ctypes.c_void_p
for fn, res, args in [("native_var_new", P, [ctypes.c_char_p]), ("native_add_new", P, [P, P]),
                      ("native_layout_new", P, [ctypes.POINTER(P), ctypes.c_size_t, P]),
                      ("native_incref", None, [P]), ("native_decref", None, [P]), ("native_kind", ctypes.c_int, [P]),
                      ("native_var_name", ctypes.c_char_p, [P]), ("native_add_a", P, [P]), ("native_add_b", P, [P]),
                      ("native_layout_naxes", ctypes.c_size_t, [P]), ("native_layout_axis", P, [P, ctypes.c_size_t]),
                      ("native_layout_offset", P, [P]), ("native_live", ctypes.c_int64, []),
                      # @if node
                      ("native_node_new", P, [ctypes.c_int64, ctypes.POINTER(P), ctypes.c_size_t]),
                      ("native_node_tag", ctypes.c_int64, [P]), ("native_node_count", ctypes.c_size_t, [P]),
                      ("native_node_child", P, [P, ctypes.c_size_t]),
                      # @end
                      # @if intern
                      ("native_var_intern", P, [ctypes.c_char_p]),
                      # @end
                      # @if derived
                      ("native_derived_new", P, [ctypes.c_int64]), ("native_derived_value", ctypes.c_int64, [P]),
                      ("native_derived_base", P, [P]), ("native_base_object", P, [P]),
                      ("native_holder_new", P, [P]), ("native_holder_base", P, [P]),
                      # @end
                      # @if callback
                      ("native_layout_visit_offset", P, [P, ctypes.CFUNCTYPE(P, P, P), P]),
                      # @end
                      ]:
    getattr(lib, fn).restype, getattr(lib, fn).argtypes = res, args


# @if weak_cache
LIVE = weakref.WeakValueDictionary()   # native address -> its live Python object
LOCK = threading.RLock()   # a look-up and its insertion as one step (threads; re-entered from a weakref callback)


# @end
class Object:
    """Owns one reference to a native object (a pointer a C call returned)."""

    @staticmethod
    def wrap(ptr):
        # @if weak_cache
        cls = CLASSES[lib.native_kind(ptr)]
        with LOCK:
            obj = LIVE.get(ptr)
            fresh = obj is None
            if fresh:
                obj = object.__new__(cls)
                obj.ptr = ptr
                LIVE[ptr] = obj
        if fresh:
            weakref.finalize(obj, lib.native_decref, ptr)   # drops the reference once obj is dead
        else:
            lib.native_decref(ptr)   # the live object holds a reference already
        return obj
        # @else
        obj = object.__new__(CLASSES[lib.native_kind(ptr)])
        obj.ptr = ptr
        return obj
        # @end
    # @if weak_cache

    def made(self, **children):
        """A constructor's new object: the one of its native from now on."""
        weakref.finalize(self, lib.native_decref, self.ptr)
        with LOCK:
            LIVE[self.ptr] = self
    # @else

    def __del__(self, decref=lib.native_decref):
        decref(self.ptr)
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
            self.ptr = lib.native_var_new(name.encode())
            self.made()
    # @else
    # @if intern
    def __init__(self, name, intern=False):
        self.ptr = (lib.native_var_intern if intern else lib.native_var_new)(name.encode())
        # @if pattern
        self.made()
        # @end
    # @else
    def __init__(self, name):
        self.ptr = lib.native_var_new(name.encode())
        # @if pattern
        self.made()
        # @end
    # @end
    # @end

    name = property(lambda self: lib.native_var_name(self.ptr).decode())
    # @if pickle
    args = lambda self: (self.name,)  # noqa: E731
    # @end


class Add(Object):
    def __init__(self, a, b):
        self.ptr = lib.native_add_new(a.ptr, b.ptr)
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
        self.ptr = lib.native_layout_new((P * len(axes))(*[x.ptr for x in axes]), len(axes), offset.ptr)
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
        self.ptr = lib.native_node_new(tag, (P * len(children))(*[c.ptr for c in children]), len(children))
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
        self.ptr = lib.native_derived_new(value)
        # @if pattern
        self.made()
        # @end

    value = property(lambda self: lib.native_derived_value(self.ptr))


class Holder(Object):
    def __init__(self, d):
        self.ptr = lib.native_holder_new(lib.native_derived_base(d.ptr))
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
    return obj.ptr
# @if live


def live():
    return lib.native_live()
# @end
# @if callback


def visit_offset(layout, fn):
    """native_layout_visit_offset calls back into Python with the offset's pointer."""
    def trampoline(ctx, ptr):
        lib.native_incref(ptr)   # the object made here owns a reference
        result = fn(Object.wrap(ptr))
        lib.native_incref(result.ptr)   # a new reference for the caller
        return result.ptr
    return Object.wrap(lib.native_layout_visit_offset(layout.ptr, lib.native_layout_visit_offset.argtypes[1](
        trampoline), None))
# @end
