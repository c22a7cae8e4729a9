"""ctypes adapter: the object model from libffi_native.so, wrapped the way
ctypes users wrap a C library. Every getter returns a new reference that a
Python object owns; wrappers hash and compare by (type, address), free
their reference in __del__, and pickle node by node through __reduce__.
The rest of the model the same way: a Holder's base-typed field comes back
as a base pointer that ffn_base_object turns into its Derived, Var(name,
intern=True) calls ffn_var_intern, consume() hands the wrapper's reference
to ffn_consume, and visit_offset() passes a CFUNCTYPE callback that wraps
the pointer it gets.

ctypes keeps no object per pointer ("ctypes does not have OOR (original
object return)", its documentation says), so identity is the binding
author's own code. The variants are the patterns authors write
(wrapper_patterns.py): no cache (plain), owner-held, weak-cache; the
weak cache's wrappers drop their reference through a weakref.finalize
rather than __del__."""
import ctypes
import weakref

import compiled_model
import native_lib
import wrapper_patterns

tool = "ctypes"
features = frozenset({"pickle", "weakref", "dict", "outer", "node", "live", "derived", "intern", "disown",
                      "callback"})

_path, _reason = native_lib.find()
_lib = None
if _path:
    try:
        _lib = ctypes.CDLL(_path)
    except OSError as e:
        _reason = f"cannot load {_path}: {e}"

_P = ctypes.c_void_p
_decref = None


def _declare(fn, restype, *argtypes):
    f = getattr(_lib, fn)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


if _lib is not None:
    _var_new = _declare("ffn_var_new", _P, ctypes.c_char_p)
    _add_new = _declare("ffn_add_new", _P, _P, _P)
    _layout_new = _declare("ffn_layout_new", _P, ctypes.POINTER(_P), ctypes.c_size_t, _P)
    _node_new = _declare("ffn_node_new", _P, ctypes.c_int64, ctypes.POINTER(_P), ctypes.c_size_t)
    _outer_new = _declare("ffn_outer_new", _P, ctypes.c_int64)
    _incref = _declare("ffn_incref", None, _P)
    _decref = _declare("ffn_decref", None, _P)
    _kind = _declare("ffn_kind", ctypes.c_int, _P)
    _var_name = _declare("ffn_var_name", ctypes.c_char_p, _P)
    _add_a = _declare("ffn_add_a", _P, _P)
    _add_b = _declare("ffn_add_b", _P, _P)
    _layout_naxes = _declare("ffn_layout_naxes", ctypes.c_size_t, _P)
    _layout_axis = _declare("ffn_layout_axis", _P, _P, ctypes.c_size_t)
    _layout_offset = _declare("ffn_layout_offset", _P, _P)
    _node_tag = _declare("ffn_node_tag", ctypes.c_int64, _P)
    _node_count = _declare("ffn_node_count", ctypes.c_size_t, _P)
    _node_child = _declare("ffn_node_child", _P, _P, ctypes.c_size_t)
    _outer_value = _declare("ffn_outer_value", ctypes.c_int64, _P)
    _live = _declare("ffn_live", ctypes.c_int64)
    _derived_new = _declare("ffn_derived_new", _P, ctypes.c_int64)
    _derived_value = _declare("ffn_derived_value", ctypes.c_int64, _P)
    _derived_base = _declare("ffn_derived_base", _P, _P)
    _base_object = _declare("ffn_base_object", _P, _P)
    _base_tag = _declare("ffn_base_tag", ctypes.c_int64, _P)
    _holder_new = _declare("ffn_holder_new", _P, _P)
    _holder_base = _declare("ffn_holder_base", _P, _P)
    _var_intern = _declare("ffn_var_intern", _P, ctypes.c_char_p)
    _consume = _declare("ffn_consume", None, _P)
    _VISIT = ctypes.CFUNCTYPE(_P, _P, _P)
    _visit_offset = _declare("ffn_layout_visit_offset", _P, _P, _VISIT, _P)


def available():
    return (_lib is not None, "" if _lib is not None else _reason)


def _owned(ptr):
    if not ptr:
        raise MemoryError("libffi_native returned NULL")
    return ptr


def _array(objs):
    return (_P * len(objs))(*[o._ptr for o in objs])



def _state(w):
    """What pickle carries besides the constructor's arguments: the
    attributes the user set on the wrapper (not the adapter's own _ptr,
    _held and _release)."""
    return {k: v for k, v in vars(w).items() if k not in ('_ptr', '_held', '_release')} or None


class _Object:
    """Owns one reference to a native object."""
    _ptr = None
    _model = None     # its variant's wrapper_patterns.Model
    _release = None   # a weakref.finalize dropping the reference (weak-cache), else __del__ does

    def _child(self, field, read):
        return self._model.child(self, field, read)

    def __del__(self, _decref=_decref):   # bound now: module globals go first at exit
        if self._release is not None:
            return
        ptr, self._ptr = self._ptr, None
        if ptr and _decref:
            _decref(ptr)

    def __eq__(self, other):
        return type(self) is type(other) and self._ptr == other._ptr

    def __hash__(self):
        return hash((type(self).__name__, self._ptr))


class Var(_Object):
    def __init__(self, name, *, intern=False):
        self._ptr = _owned((_var_intern if intern else _var_new)(name.encode()))
        self._model.made(self)

    @classmethod
    def intern(cls, name):
        """The Var interned under name: through the cache where there is one
        (the weak-cache variant's interning), else a new wrapper."""
        return cls._model.adopt(_owned(_var_intern(name.encode())), cls)

    @property
    def name(self):
        return _var_name(self._ptr).decode()

    def __reduce__(self):
        return (type(self), (self.name,), _state(self))


class Add(_Object):
    def __init__(self, a, b):
        self._ptr = _owned(_add_new(a._ptr, b._ptr))
        self._model.made(self, a=a, b=b)

    @property
    def a(self):
        return self._child("a", lambda: self._model.adopt(_add_a(self._ptr)))

    @property
    def b(self):
        return self._child("b", lambda: self._model.adopt(_add_b(self._ptr)))

    def __reduce__(self):
        return (type(self), (self.a, self.b), _state(self))


class Layout(_Object):
    def __init__(self, axes, offset):
        axes = tuple(axes)
        self._ptr = _owned(_layout_new(_array(axes), len(axes), offset._ptr))
        self._model.made(self, axes=axes, offset=offset)

    @property
    def axes(self):
        return self._child("axes", lambda: tuple(self._model.adopt(_layout_axis(self._ptr, i))
                                                 for i in range(_layout_naxes(self._ptr))))

    @property
    def offset(self):
        return self._child("offset", lambda: self._model.adopt(_layout_offset(self._ptr)))

    def __reduce__(self):
        return (type(self), (self.axes, self.offset), _state(self))


class Node(_Object):
    def __init__(self, tag, children=()):
        children = tuple(children)
        self._ptr = _owned(_node_new(tag, _array(children), len(children)))
        self._model.made(self, children=children)

    @property
    def tag(self):
        return _node_tag(self._ptr)

    @property
    def children(self):
        return self._child("children", lambda: tuple(self._model.adopt(_node_child(self._ptr, i))
                                                     for i in range(_node_count(self._ptr))))

    def __reduce__(self):
        return (type(self), (self.tag, self.children), _state(self))


class Outer(_Object):
    def __init__(self, value):
        self._ptr = _owned(_outer_new(value))
        self._model.made(self)

    @property
    def value(self):
        return _outer_value(self._ptr)

    @property
    def inner(self):
        """A view of the Outer's leading member: same address, its own type."""
        def read():
            _incref(self._ptr)
            return self._model.adopt(self._ptr, self._model.classes["Inner"])
        return self._child("inner", read)

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


class Inner(_Object):
    def __init__(self):
        raise TypeError("Inner is a view: read it as outer.inner")

    @property
    def value(self):
        return _outer_value(self._ptr)

    def __reduce__(self):
        raise TypeError("an Inner view is not picklable on its own; pickle its Outer")


class Derived(_Object):
    """A native whose second base sits at another address than its own."""
    def __init__(self, value):
        self._ptr = _owned(_derived_new(value))
        self._model.made(self)

    @property
    def value(self):
        return _derived_value(self._ptr)

    @property
    def tag(self):
        return _base_tag(_derived_base(self._ptr))

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))


class Holder(_Object):
    """Keeps a pointer to a Derived's second base."""
    def __init__(self, base):
        if not isinstance(base, Derived):
            raise TypeError(f"Holder takes a Derived, not a {type(base).__name__}")
        self._ptr = _owned(_holder_new(_derived_base(base._ptr)))
        self._model.made(self, base=base)

    @property
    def base(self):
        # The base pointer stands for its Derived: map it back before wrapping.
        return self._child("base", lambda: self._model.adopt(_owned(_base_object(_owned(_holder_base(self._ptr)))),
                                                             self._model.classes["Derived"]))

    def __reduce__(self):
        return (type(self), (self.base,), _state(self))


_KINDS = {1: "Var", 2: "Add", 3: "Layout", 4: "Node", 5: "Outer", 7: "Derived", 8: "Holder"}
_NAMES = ("Var", "Add", "Layout", "Node", "Outer", "Inner", "Derived", "Holder")


def _kind_of(ptr):
    return _kind(_owned(ptr))


def _released_when_dead(w, ptr):
    """The weak cache's wrappers drop their reference once dead, not in
    __del__ (a subclass's __del__ may resurrect one the cache hands out)."""
    w._release = weakref.finalize(w, _decref, ptr)


def _variant(pattern, module):
    """The classes of one pattern: the classes above for the plain one."""
    if not pattern:
        return {n: globals()[n] for n in _NAMES}
    return wrapper_patterns.variant(pattern, module, {n: globals()[n] for n in _NAMES}, _KINDS, _kind_of,
                                    int, _released_when_dead)


# The classes above are the plain variant, and this module a namespace of
# its own for it (protocol 1: what an out-of-tree copy of it imports).
if _lib is not None:
    _Object._model = wrapper_patterns.Model("", {n: globals()[n] for n in _NAMES}, _KINDS, _kind_of, int)
name, summary = "ctypes", "stdlib ctypes over a C library: " + wrapper_patterns.SUMMARIES[""]


def handle(w):
    """The native address a wrapper stands for."""
    if not isinstance(w, _Object):
        raise TypeError(f"not a ctypes wrapper: {type(w).__name__}")
    return w._ptr


def same_as(a, b):
    return type(a) is type(b) and handle(a) == handle(b)


def native_live():
    return _live()


def consume(w):
    """Gives w's native reference to native code, which drops it: w is disowned."""
    if not w._ptr:
        raise ValueError("disowned already")
    w._model.forget(w)
    if w._release is not None:
        w._release.detach()   # the reference goes to native code, not to the finalizer
    ptr, w._ptr = w._ptr, None
    _consume(ptr)


def visit_offset(layout, fn):
    """ffn_layout_visit_offset calls fn with the offset (wrapped afresh, as
    a ctypes callback gets a bare pointer) and takes a pointer back."""
    failed = []

    def trampoline(ctx, ptr):
        try:
            _incref(ptr)   # the wrapper owns a reference of its own
            r = fn(layout._model.adopt(ptr))
            _incref(r._ptr)   # a new reference for the caller
            return r._ptr
        except BaseException as e:   # cannot cross the C frame: raised below
            failed.append(e)
            return None
    out = _visit_offset(layout._ptr, _VISIT(trampoline), None)
    if failed:
        raise failed[0]
    return layout._model.adopt(_owned(out))


def subject(ns, version, variant):
    wrapper_patterns.fill_subject(ns, variant, "ctypes", "stdlib ctypes over a C library: ", _lib is not None, _variant,
                                  (handle, same_as, native_live, consume, visit_offset), available, features)


if _lib is not None and compiled_model.subclass_works(Var):   # S1, S2
    features = features | {"subclass"}
