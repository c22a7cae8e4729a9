"""PyGObject adapter: the object model as GObject types defined in Python,
the way PyGObject users define them (GObject.Object subclasses with
GObject.Property declarations), driven through Debian's python3-gi and the
GLib/GObject/Gio typelibs (gir1.2-glib-2.0).

Where the references live. In PyGObject 3.42 a Python-defined
GObject.Property with the default getter and setter keeps its value in a
Python attribute of the wrapper (`_property_helper_<name>` in the
instance __dict__; gi/_propertyhelper.py), and `obj.prop` reads that
attribute back without calling into GObject at all. An object-typed
property stored that way would hand back the very wrapper Python stored,
so it would measure Python attributes, not PyGObject. The references
between our objects therefore live in a C container: each object keeps
its outgoing references, in field order, in a Gio.ListStore (GListStore,
a GSequence of GObject pointers holding a strong reference each). The
object-typed fields are read-only GObject properties
(GObject.Property(type=Expr, getter=...)) whose getter reads the store:
g_list_model_get_item returns the bare GObject pointer and PyGObject turns
it into a Python object with its own lookup (the wrapper pointer it keeps
in the GObject's qdata, else a new wrapper). The same holds through
GObject's C property machinery: `add.get_property("a")` and `add.props.a`
go through g_object_get_property and a GValue. Only strings and integers
(Var.name, Node.tag) use default Property storage, as users write them.

The identity model is PyGObject's, before 3.55: one wrapper per GObject
through qdata, and a toggle reference once the wrapper has instance state
(an __dict__): the GObject then holds its wrapper strongly while anything
else (here a parent's ListStore) holds the GObject. Every object here has
state (the property helper attribute or the reference store), so every
wrapper is on a toggle reference: the toggle model.

handle(w) is the GObject's address, from `w.__gpointer__` (a PyCapsule
holding the GObject pointer; PyGObject also hashes a wrapper by it);
same_as compares those addresses. native_live() counts our GObjects that
have not been disposed yet: each constructor registers a GObject weak
reference (GObject.Object.weak_ref, g_object_weak_ref underneath) whose
notify, run by GObject when the object goes, decrements the count.

Pickling: GObjects do not pickle; each class gets a node-style
__reduce__, (type(self), (field values...)), as a user would add (the
instance's own class, so a Python subclass comes back as itself). There is no
Outer/Inner: PyGObject keeps one wrapper per GObject whatever type it is
read as, and a struct-and-first-member pair of two types at one address
has no GObject counterpart ('outer' is absent). GLib's allocator is not the
suite's, so 'alloc' is absent too.

Callbacks (CB1): a Visitor GObject with a "visit" signal taking and
returning an Expr; visit_offset emits it with layout.offset, so GObject's C
signal emission marshals the object to the Python handler and its return
back, PyGObject's wrapper lookup on both ways. U1 and O1 have no GObject
counterpart (why_not says why)."""
import ctypes
import pickle
import re
import weakref

tool = "pygobject"

_INSTALL = "apt-get install python3-gi gir1.2-glib-2.0 (harness/tools/subjects.sh pygobject)"

try:
    import gi
    gi.require_version("GObject", "2.0")
    gi.require_version("Gio", "2.0")
    from gi.repository import Gio, GObject
except (ImportError, ValueError) as e:   # no python3-gi, or no Gio typelib
    gi = None
    _reason = f"PyGObject with the Gio 2.0 typelib is not importable ({e}): {_INSTALL}"
else:
    _reason = ""

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _state(w):
    """What pickle carries besides the constructor's arguments: the
    attributes the user set on the wrapper (not the adapter's own _refs)."""
    return {k: v for k, v in vars(w).items() if k != "_refs"} or None


def subject(ns, version, variant):
    ns.summary = ("PyGObject GObject subclasses, references in Gio.ListStore: "
                  "one wrapper per GObject (qdata) kept by a toggle reference")
    ns.features = frozenset()
    if gi is None:
        ns.available = lambda: (False, _reason)
        return
    installed = getattr(gi, "__version__", "?")
    if installed != version:
        ns.available = lambda: (False, f"python3-gi here is {installed}, not {version}: {_INSTALL}")
        return
    ns.available = lambda: (True, "")

    module = ns.__name__
    # GType names are process-wide: derive them from the subject's name.
    prefix = "Ffi_" + re.sub(r"[^0-9A-Za-z]", "_", ns.name) + "_"
    live = [0]

    def disposed(*_):
        live[0] -= 1

    def stored(index):
        """A getter reading reference number `index` back from the C store."""
        return lambda self: self._refs.get_item(index)

    class Model(GObject.Object):
        """Our objects: a reference store and a live count entry each."""
        __module__, __qualname__, __gtype_name__ = module, "Model", prefix + "Model"

        def __init__(self, refs=(), **props):
            super().__init__(**props)
            self._refs = Gio.ListStore.new(GObject.Object)
            self._refs.splice(0, 0, list(refs))
            live[0] += 1
            self.weak_ref(disposed)

    class Expr(Model):
        __module__, __qualname__, __gtype_name__ = module, "Expr", prefix + "Expr"

    class Var(Expr):
        __module__, __qualname__, __gtype_name__ = module, "Var", prefix + "Var"
        name = GObject.Property(type=str)

        def __init__(self, name):
            super().__init__(name=name)

        def __reduce__(self):
            return (type(self), (self.name,), _state(self))

    class Add(Expr):
        __module__, __qualname__, __gtype_name__ = module, "Add", prefix + "Add"
        a = GObject.Property(stored(0), type=Expr, flags=GObject.ParamFlags.READABLE)
        b = GObject.Property(stored(1), type=Expr, flags=GObject.ParamFlags.READABLE)

        def __init__(self, a, b):
            super().__init__((a, b))

        def __reduce__(self):
            return (type(self), (self.a, self.b), _state(self))

    class Layout(Model):
        """The store holds the offset, then the axes."""
        __module__, __qualname__, __gtype_name__ = module, "Layout", prefix + "Layout"
        offset = GObject.Property(stored(0), type=Expr, flags=GObject.ParamFlags.READABLE)

        def __init__(self, axes, offset):
            super().__init__((offset, *axes))

        @property
        def axes(self):
            refs = self._refs
            return tuple(refs.get_item(i) for i in range(1, refs.get_n_items()))

        def __reduce__(self):
            return (type(self), (self.axes, self.offset), _state(self))

    class Node(Model):
        __module__, __qualname__, __gtype_name__ = module, "Node", prefix + "Node"
        tag = GObject.Property(type=GObject.TYPE_INT64)

        def __init__(self, tag, children=()):
            super().__init__(tuple(children), tag=tag)

        @property
        def children(self):
            return tuple(self._refs)

        def __reduce__(self):
            return (type(self), (self.tag, self.children), _state(self))

    def handle(w):
        """The GObject's address (the pointer in w.__gpointer__)."""
        if not isinstance(w, GObject.Object):
            raise TypeError(f"not a GObject wrapper: {type(w).__name__}")
        return _capsule_pointer(w.__gpointer__, None)

    def same_as(a, b):
        return isinstance(a, GObject.Object) and isinstance(b, GObject.Object) and handle(a) == handle(b)

    def native_live():
        return live[0]

    class Visitor(GObject.Object):
        """A signal taking and returning an Expr: emitting it is the native
        call (g_signal_emitv marshals both through GValues)."""
        __module__, __qualname__, __gtype_name__ = module, "Visitor", prefix + "Visitor"
        __gsignals__ = {"visit": (GObject.SignalFlags.RUN_LAST, Expr, (Expr,))}

    def visit_offset(layout, fn):
        """CB1: GObject calls the handler fn with the Layout's offset and
        hands back what fn returned."""
        visitor = Visitor()
        visitor.connect("visit", lambda _visitor, x: fn(x))
        return visitor.emit("visit", layout.offset)

    ns.Model, ns.Expr, ns.Var, ns.Add, ns.Layout, ns.Node = Model, Expr, Var, Add, Layout, Node
    ns.handle, ns.same_as, ns.native_live, ns.visit_offset = handle, same_as, native_live, visit_offset
    ns.why_not = {
        "derived": "a GObject has one parent class (interfaces are vtables, not parts of the instance): "
                   "it is one pointer whatever type it is read as, no base sits at an offset",
        "intern": "g_object_new makes a new instance on every call; the C hook that can return an existing "
                  "one (GObjectClass.constructor) is not open to classes defined in Python",
    }
    ns.features = _probe(ns)


def _probe(ns):
    """The features that really work on these classes."""
    def works(probe):
        try:
            return probe() is not False
        except Exception:   # a feature this binding does not offer
            return False

    def pickles():
        v = ns.Var("p")
        back = pickle.loads(pickle.dumps(ns.Add(v, v), protocol=2))
        return back.a is back.b and back.a.name == "p"

    def weakrefs():
        v = ns.Var("w")
        return weakref.ref(v)() is v

    def dicts():
        v = ns.Var("d")
        v.note = 1
        return v.note == 1

    def nodes():
        n = ns.Node(1, [ns.Node(2)])
        return n.children[0].tag == 2

    def counts():
        before = ns.native_live()
        v = ns.Var("l")
        during = ns.native_live()
        del v
        return during == before + 1 and ns.native_live() == before

    def subclasses():   # S1, S2: a Python subclass of a wrapper class can be made and constructed
        class S(ns.Var):
            pass
        S("x")

    def callbacks():
        i = ns.Var("i")
        return ns.visit_offset(ns.Layout((i,), ns.Add(i, i)), lambda x: x.a) is not None

    return frozenset(f for f, probe in (("pickle", pickles), ("weakref", weakrefs), ("dict", dicts),
                                        ("node", nodes), ("live", counts),
                                        ("subclass", subclasses), ("callback", callbacks)) if works(probe))
