"""cffi adapter, ABI mode: libffi_native.so through ffi.dlopen with
ffi_native_api.h as the cdef (no compiler at run time). Each returned
pointer is tied to its reference with ffi.gc and held by a new Python
object; cffi pointers compare and hash by address, so wrappers do too
(with their type). Nothing remembers a wrapper: every access mints a new
one. Pickling goes node by node through __reduce__. The rest of the model
the same way: a Holder's base pointer is mapped back to its Derived with
ffn_base_object, Var(name, intern=True) calls ffn_var_intern, consume()
hands the reference to ffn_consume (ffi.gc detached), and visit_offset()
passes an ffi.callback that wraps the pointer it gets.

Identity is then the binding author's own code: the variants are the
patterns authors write (wrapper_patterns.py), one subclass of each class
per pattern: no cache (plain), owner-held, weak-cache."""
import os

import compiled_model
import native_lib
import wrapper_patterns

tool = "cffi"
features = frozenset({"pickle", "weakref", "dict", "outer", "node", "live", "derived", "intern", "disown",
                      "callback"})

_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model", "ffi_native_api.h")

ffi = lib = None
_reason = ""
try:
    import cffi
except ImportError:
    _reason = "cffi is not installed (Debian: apt-get install python3-cffi)"
else:
    _path, _reason = native_lib.find()
    if _path:
        ffi = cffi.FFI()
        with open(_HEADER) as f:   # the header minus preprocessor lines is the cdef
            ffi.cdef("".join(line for line in f if not line.lstrip().startswith("#")))
        try:
            lib = ffi.dlopen(_path)
        except OSError as e:
            _reason = f"cannot load {_path}: {e}"


def available():
    return (lib is not None, "" if lib is not None else _reason)


def _own(ptr):
    """Ties a new reference to the lifetime of the returned cdata."""
    if ptr == ffi.NULL:
        raise MemoryError("libffi_native returned NULL")
    return ffi.gc(ptr, lib.ffn_decref)


def _array(objs):
    return ffi.new("ffi_obj *[]", [o._ptr for o in objs]) if objs else ffi.NULL


def _state(w):
    """What pickle carries besides the constructor's arguments: the
    attributes the user set on the wrapper (not the adapter's own _ptr and
    _held)."""
    return {k: v for k, v in vars(w).items() if k not in ('_ptr', '_held')} or None


class _Object:
    _ptr = None
    _model = None   # its variant's wrapper_patterns.Model

    def _child(self, field, read):
        return self._model.child(self, field, read)

    def __eq__(self, other):
        return type(self) is type(other) and self._ptr == other._ptr

    def __hash__(self):
        return hash((type(self).__name__, self._ptr))


class Var(_Object):
    def __init__(self, name, *, intern=False):
        self._ptr = _own((lib.ffn_var_intern if intern else lib.ffn_var_new)(name.encode()))
        self._model.made(self)

    @classmethod
    def intern(cls, name):
        """The Var interned under name: through the cache where there is one
        (the weak-cache variant's interning), else a new wrapper."""
        return cls._model.adopt(_own(lib.ffn_var_intern(name.encode())), cls)

    @property
    def name(self):
        return ffi.string(lib.ffn_var_name(self._ptr)).decode()

    def __reduce__(self):
        return (type(self), (self.name,), _state(self))


class Add(_Object):
    def __init__(self, a, b):
        self._ptr = _own(lib.ffn_add_new(a._ptr, b._ptr))
        self._model.made(self, a=a, b=b)

    @property
    def a(self):
        return self._child("a", lambda: self._model.adopt(_own(lib.ffn_add_a(self._ptr))))

    @property
    def b(self):
        return self._child("b", lambda: self._model.adopt(_own(lib.ffn_add_b(self._ptr))))

    def __reduce__(self):
        return (type(self), (self.a, self.b), _state(self))


class Layout(_Object):
    def __init__(self, axes, offset):
        axes = tuple(axes)
        self._ptr = _own(lib.ffn_layout_new(_array(axes), len(axes), offset._ptr))
        self._model.made(self, axes=axes, offset=offset)

    @property
    def axes(self):
        return self._child("axes", lambda: tuple(self._model.adopt(_own(lib.ffn_layout_axis(self._ptr, i)))
                                                 for i in range(lib.ffn_layout_naxes(self._ptr))))

    @property
    def offset(self):
        return self._child("offset", lambda: self._model.adopt(_own(lib.ffn_layout_offset(self._ptr))))

    def __reduce__(self):
        return (type(self), (self.axes, self.offset), _state(self))


class Node(_Object):
    def __init__(self, tag, children=()):
        children = tuple(children)
        self._ptr = _own(lib.ffn_node_new(tag, _array(children), len(children)))
        self._model.made(self, children=children)

    @property
    def tag(self):
        return lib.ffn_node_tag(self._ptr)

    @property
    def children(self):
        return self._child("children", lambda: tuple(self._model.adopt(_own(lib.ffn_node_child(self._ptr, i)))
                                                     for i in range(lib.ffn_node_count(self._ptr))))

    def __reduce__(self):
        return (type(self), (self.tag, self.children), _state(self))


class Outer(_Object):
    def __init__(self, value):
        self._ptr = _own(lib.ffn_outer_new(value))
        self._model.made(self)

    @property
    def value(self):
        return lib.ffn_outer_value(self._ptr)

    @property
    def inner(self):
        """A view of the Outer's leading member: same address, its own type."""
        def read():
            lib.ffn_incref(self._ptr)
            return self._model.adopt(_own(self._ptr), self._model.classes["Inner"])
        return self._child("inner", read)

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


class Inner(_Object):
    def __init__(self):
        raise TypeError("Inner is a view: read it as outer.inner")

    @property
    def value(self):
        return lib.ffn_outer_value(self._ptr)

    def __reduce__(self):
        raise TypeError("an Inner view is not picklable on its own; pickle its Outer")


class Derived(_Object):
    """A native whose second base sits at another address than its own."""
    def __init__(self, value):
        self._ptr = _own(lib.ffn_derived_new(value))
        self._model.made(self)

    @property
    def value(self):
        return lib.ffn_derived_value(self._ptr)

    @property
    def tag(self):
        return lib.ffn_base_tag(lib.ffn_derived_base(self._ptr))

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


class Holder(_Object):
    """Keeps a pointer to a Derived's second base."""
    def __init__(self, base):
        if not isinstance(base, Derived):
            raise TypeError(f"Holder takes a Derived, not a {type(base).__name__}")
        self._ptr = _own(lib.ffn_holder_new(lib.ffn_derived_base(base._ptr)))
        self._model.made(self, base=base)

    @property
    def base(self):
        # The base pointer stands for its Derived: map it back before wrapping.
        return self._child("base", lambda: self._model.adopt(_own(lib.ffn_base_object(lib.ffn_holder_base(self._ptr)))))

    def __reduce__(self):
        return (type(self), (self.base,), _state(self))


_KINDS = {1: "Var", 2: "Add", 3: "Layout", 4: "Node", 5: "Outer", 7: "Derived", 8: "Holder"}
_NAMES = ("Var", "Add", "Layout", "Node", "Outer", "Inner", "Derived", "Holder")


def _address(ptr):
    return int(ffi.cast("uintptr_t", ptr))


def _kind_of(ptr):
    return lib.ffn_kind(ptr)


def _variant(pattern, module):
    """The classes of one pattern: the classes above for the plain one. The
    cdata's ffi.gc drops the reference once the wrapper is dead, so a
    resurrected wrapper keeps its native."""
    if not pattern:
        return {n: globals()[n] for n in _NAMES}
    return wrapper_patterns.variant(pattern, module, {n: globals()[n] for n in _NAMES}, _KINDS, _kind_of,
                                    _address)


# The classes above are the plain variant, and this module a namespace of
# its own for it (protocol 1: what an out-of-tree copy of it imports).
if lib is not None:
    _Object._model = wrapper_patterns.Model("", {n: globals()[n] for n in _NAMES}, _KINDS, _kind_of, _address)
name, summary = "cffi", "cffi ABI mode over a C library, ffi.gc-owned pointers: " + wrapper_patterns.SUMMARIES[""]


def handle(w):
    """The native address a wrapper stands for."""
    if not isinstance(w, _Object):
        raise TypeError(f"not a cffi wrapper: {type(w).__name__}")
    return _address(w._ptr)


def same_as(a, b):
    return type(a) is type(b) and handle(a) == handle(b)


def native_live():
    return lib.ffn_live()


def consume(w):
    """Gives w's native reference to native code, which drops it: w is disowned."""
    if w._ptr is None:
        raise ValueError("disowned already")
    w._model.forget(w)
    ptr, w._ptr = w._ptr, None
    ffi.gc(ptr, None)   # the reference is no longer ours to drop
    lib.ffn_consume(ptr)


def visit_offset(layout, fn):
    """ffn_layout_visit_offset calls fn with the offset (wrapped afresh, as
    a cffi callback gets a bare pointer) and takes a pointer back."""
    failed = []

    def trampoline(ctx, ptr):
        try:
            lib.ffn_incref(ptr)   # the wrapper owns a reference of its own
            r = fn(layout._model.adopt(_own(ptr)))
            lib.ffn_incref(r._ptr)   # a new reference for the caller
            return r._ptr
        except BaseException as e:   # cannot cross the C frame: raised below
            failed.append(e)
            return ffi.NULL
    cb = ffi.callback("ffi_obj *(void *, ffi_obj *)", trampoline)
    out = lib.ffn_layout_visit_offset(layout._ptr, cb, ffi.NULL)
    if failed:
        raise failed[0]
    return layout._model.adopt(_own(out))


def subject(ns, version, variant):
    wrapper_patterns.fill_subject(ns, variant, "cffi", "cffi ABI mode over a C library, ffi.gc-owned pointers: ", lib is not None, _variant,
                                  (handle, same_as, native_live, consume, visit_offset), available, features)


if lib is not None and compiled_model.subclass_works(Var):   # S1, S2
    features = features | {"subclass"}
