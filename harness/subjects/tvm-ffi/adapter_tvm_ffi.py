"""tvm-ffi adapter (protocol 2): the object model as Python-defined tvm-ffi
classes (tvm_ffi.dataclasses.py_class), the way the motivating report
builds it. The native objects are tvm-ffi's own (allocated by libtvm_ffi);
the handle is Object.__chandle__(), identity is Object.same_as, fields come
back through tvm-ffi's own conversion, sequences as tvm_ffi.Array
(`tuple[T, ...]` fields). Pickling is tvm-ffi's: every object's
__reduce__ serializes its whole reachable graph as JSON (graph style).

Variants:
  ""      plain classes: tvm-ffi's metaclass injects `__slots__ = ()`, so the
          wrappers have no __dict__ and take no weak references.
  slots   each root class opts in the way tvm-ffi documents it for a
          per-instance __dict__ (`__slots__ = ("__dict__",)` in the class
          body), here with "__weakref__" too; subclasses inherit both.

tvm-ffi's type registry is global per process, so every class's type key
names the subject's namespace (one per version and variant). tvm-ffi
exposes no live-object count and no view type at a member's address, so
'live' and 'outer' are absent; pickle, weakref and dict are probed on the
very classes the tests use and listed only if they work. CB1 goes through
tvm-ffi's own testing.apply (a C++ function calling a Function it is
given); U1 and O1 have no tvm-ffi counterpart (why_not says why)."""
import os
import pickle
import typing
import weakref

tool = "tvm-ffi"
VARIANTS = ("", "slots")


def subject(ns, version, variant):
    ns.summary = f"tvm-ffi {version} py_class objects" + (
        ", __slots__ = ('__dict__', '__weakref__') opt-in" if variant == "slots" else
        ", default __slots__ = ()")
    ns.features = frozenset()
    reason = ""
    if variant not in VARIANTS:
        reason = f"unknown tvm-ffi variant {variant!r} (known: plain, slots)"
    else:
        try:
            import tvm_ffi
        except ModuleNotFoundError as e:
            reason = (f"tvm_ffi {version} is not importable ({e}): run harness/tools/subjects.sh "
                      f"{ns.name} (pip --target {ns.site} apache-tvm-ffi=={version})")
        except ImportError as e:   # installed, and refusing to load here (a second interpreter, say)
            reason = f"importing tvm_ffi {version} raised ImportError: {e}"
        else:
            where = os.path.realpath(tvm_ffi.__file__)
            if not where.startswith(os.path.realpath(ns.location) + os.sep):
                reason = (f"found tvm_ffi at {where}, want the one in {ns.location}: this process "
                          f"imported another copy first (one version per process)")
            else:   # its own copy, whatever its __version__ says (a local build's may differ)
                try:
                    _define(ns, variant)
                except Exception as e:   # a version whose py_class rejects the model
                    reason = f"tvm-ffi {version} cannot define the model: {type(e).__name__}: {e}"
    ns.available = lambda: (not reason, reason)


def _define(ns, variant):
    from tvm_ffi import Object
    from tvm_ffi.dataclasses import field, py_class

    prefix = f"ffi_identity.{ns.__name__}."
    # What a tvm-ffi user writes to get instance attributes and weak references.
    opt_in = ("__dict__", "__weakref__") if variant == "slots" else ()

    def register(cls):
        """py_class under a type key of this namespace; pickle finds cls as ns.<name>."""
        setattr(ns, cls.__name__, cls)   # before py_class: it resolves annotations in ns
        return py_class(prefix + cls.__name__)(cls)

    mod = ns.__name__

    @register
    class Expr(Object):
        __module__, __qualname__, __slots__ = mod, "Expr", opt_in

    @register
    class Var(Expr):
        __module__, __qualname__ = mod, "Var"
        name: str

    @register
    class Add(Expr):
        __module__, __qualname__ = mod, "Add"
        a: Expr
        b: Expr

    @register
    class Layout(Object):
        __module__, __qualname__, __slots__ = mod, "Layout", opt_in
        axes: tuple[Expr, ...]
        offset: Expr

    @register
    class Node(Object):
        __module__, __qualname__, __slots__ = mod, "Node", opt_in
        tag: int
        # typing.Tuple, not tuple: Python 3.10 resolves a name in quotes only
        # inside typing's generics, and tvm-ffi reads the resolved annotations.
        children: typing.Tuple["Node", ...] = field(default_factory=tuple)

    for cls in (Expr, Var, Add, Layout, Node):
        setattr(ns, cls.__name__, cls)   # py_class returns the class it registered

    def handle(w):
        """The native address a wrapper stands for (also what pool workers call)."""
        if not isinstance(w, Object):
            raise TypeError(f"not a tvm-ffi object: {type(w).__name__}")
        return w.__chandle__()

    def same_as(a, b):
        return isinstance(a, Object) and a.same_as(b)

    ns.Object, ns.handle, ns.same_as = Object, handle, same_as

    import tvm_ffi
    apply = tvm_ffi.get_global_func("testing.apply")   # C++: calls its first argument with the rest

    def visit_offset(layout, fn):
        """CB1: the offset goes into the native function testing.apply, which
        calls fn with it (converted back to Python by tvm-ffi) and returns
        what fn returned (converted through native code again)."""
        return apply(fn, layout.offset)

    ns.visit_offset = visit_offset
    ns.why_not = {
        "derived": "a tvm-ffi object type has one parent type, its Object header first: no base "
                   "subobject sits at another address",
        "intern": "a py_class constructor fills a new object on each call (__init__ on a fresh handle); "
                  "tvm-ffi has no constructor that returns a live object",
    }

    # Probes on the classes the tests use, through a field read like theirs.
    def probe_pickle():
        i, j = ns.Var("i"), ns.Var("j")
        layout = ns.Layout((i, j), ns.Add(i, j))
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(layout, protocol=protocol))
            assert type(back) is ns.Layout and back.offset.a.name == "i"
            assert [v.name for v in back.axes] == ["i", "j"]
            n = pickle.loads(pickle.dumps(ns.Node(1, (ns.Node(2),)), protocol=protocol))
            assert n.children[0].tag == 2

    def probe_weakref():
        v = ns.Var("w")
        add = ns.Add(v, v)
        r = weakref.ref(add.a)
        assert r() is None or r() is add.a or r().same_as(v)
        weakref.ref(ns.Layout((v,), add)), weakref.ref(ns.Node(0))

    def probe_dict():
        for w in (ns.Var("d"), ns.Layout((), ns.Var("e")), ns.Node(0)):
            w.note = 1
            assert w.note == 1

    def probe_subclass():   # S1, S2: a Python subclass of a wrapper class can be made and constructed
        class S(ns.Var):
            pass
        S("x")

    def probe_callback():
        i = ns.Var("i")
        assert visit_offset(ns.Layout((i,), ns.Add(i, i)), lambda x: x.a).same_as(i)

    def works(probe):
        try:
            probe()
            return True
        except Exception:   # a feature these classes do not offer
            return False

    ns.features = frozenset({"node"} | {f for f, p in (("pickle", probe_pickle),
                                                        ("weakref", probe_weakref),
                                                        ("dict", probe_dict),
                                                        ("subclass", probe_subclass),
                                                        ("callback", probe_callback)) if works(p)})
