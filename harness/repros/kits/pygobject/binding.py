# The object model as GObject types defined in Python, the way PyGObject
# users define them: GObject.Object subclasses with GObject.Property
# declarations. Each object keeps its references in a Gio.ListStore (a C
# container holding a strong reference to each GObject), and the
# object-typed fields are read-only properties whose getter reads the store
# back, so PyGObject decides which Python object a GObject comes back as.
import gi

gi.require_version("GObject", "2.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GObject  # noqa: E402

TOOL = f"PyGObject {gi.__version__}"
alive = [0]   # GObjects not yet finalized


def stored(index):
    return lambda self: self.refs.get_item(index)


class Model(GObject.Object):
    def __init__(self, refs=(), **props):
        super().__init__(**props)
        self.refs = Gio.ListStore.new(GObject.Object)
        self.refs.splice(0, 0, list(refs))
        alive[0] += 1
        self.weak_ref(lambda *_: alive.__setitem__(0, alive[0] - 1))   # runs when GObject finalizes it


class Expr(Model):
    pass


class Var(Expr):
    name = GObject.Property(type=str)

    def __init__(self, name):
        super().__init__(name=name)


class Add(Expr):
    a = GObject.Property(stored(0), type=Expr, flags=GObject.ParamFlags.READABLE)
    b = GObject.Property(stored(1), type=Expr, flags=GObject.ParamFlags.READABLE)

    def __init__(self, a, b):
        super().__init__((a, b))


class Layout(Model):
    offset = GObject.Property(stored(0), type=Expr, flags=GObject.ParamFlags.READABLE)

    def __init__(self, axes, offset):
        super().__init__((offset, *axes))

    @property
    def axes(self):
        return tuple(self.refs.get_item(i) for i in range(1, self.refs.get_n_items()))


def addr(obj):
    return hash(obj)   # PyGObject hashes a GObject's Python object by the GObject's address
# @if live


def live():
    return alive[0]
# @end
