"""What the adapters share: for those over a compiled module (pybind11, Boost.Python,
Cython, SWIG): the versioned module name their make fragment builds, the
features probed on the very classes the tests use, and filling a subject's
namespace from the module, or saying why it cannot be."""
import functools
import importlib
import pickle
import re
import weakref


def module_name(prefix, version):
    """PREFIX + the version with every non-alphanumeric as '_' (3.1.0 -> 3_1_0),
    spelled the same way by the make fragments."""
    return prefix + re.sub(r"[^0-9A-Za-z]", "_", version)


def _works(check):
    try:
        return check() is not False
    except Exception:   # the feature does not work here: leave it out
        return False


def subclass_works(var_cls):
    """S1, S2: whether a Python subclass of the binding's Var can be made and
    constructed (else those properties skip, naming the feature)."""
    def make():
        class S(var_cls):
            pass
        S("x")
    return _works(make)


def constructor_interning(mod):
    """The default interning entry point: Var(name, intern=True)."""
    return functools.partial(mod.Var, intern=True)


def probe_features(mod, interning_entry=None):
    """The features that really work on mod's classes; interning_entry:
    the interning entry point (default Var(name, intern=True))."""
    interning_entry = interning_entry or constructor_interning(mod)
    def pickle_():
        v = mod.Var("p")
        back = pickle.loads(pickle.dumps(mod.Layout([v], mod.Add(v, v)), protocol=2))
        return back.axes[0].name == "p" and back.offset.b.name == "p"

    def weakref_():
        v = mod.Var("w")
        return weakref.ref(v)() is v

    def dict_():
        v = mod.Var("d")
        v.note = 1
        return v.note == 1

    def outer():
        o = mod.Outer(7)
        return o.inner.value == 7 and mod.handle(o.inner) == mod.handle(o)

    def node():
        return mod.Node(1, [mod.Node(2)]).children[0].tag == 2

    def live():
        before = mod.native_live()
        v = mod.Var("l")
        grew = mod.native_live() == before + 1
        del v
        return grew and mod.native_live() == before

    def subclass():   # S1, S2: a Python subclass of a wrapper class can be made and constructed
        class S(mod.Var):
            pass
        S("x")

    def derived():   # U1: a Holder's base-typed field reads a Derived back
        d = mod.Derived(7)
        return mod.Holder(d).base.value == 7

    def intern():    # O1: an interning constructor
        a, b = interning_entry("p"), interning_entry("p")
        return mod.handle(a) == mod.handle(b)

    def disown():    # O1: a wrapper gives its native away, and the native goes
        before = mod.native_live()
        v = mod.Var("d")
        mod.consume(v)
        return mod.native_live() == before

    def callback():  # CB1: a native function calling back
        i = mod.Var("i")
        return mod.handle(mod.visit_offset(mod.Layout([i], mod.Add(i, i)), lambda x: x.a)) == mod.handle(i)

    checks = {"pickle": pickle_, "weakref": weakref_, "dict": dict_, "outer": outer, "node": node,
              "live": live, "subclass": subclass, "derived": derived, "intern": intern, "disown": disown,
              "callback": callback}
    return frozenset(f for f, check in checks.items() if _works(check))


def fill(ns, modname, missing, check_version=None, interning=constructor_interning):
    """Imports modname and puts its model into ns (classes, handle,
    same_as, native_live, intern, features, available). `missing` says what
    to do when it cannot be imported; check_version(mod) may return a reason
    why the module built is not the version named; interning(mod) gives the
    interning entry point (ns.intern). Returns the module or None."""
    try:
        mod = importlib.import_module(modname)
        reason = check_version(mod) if check_version else ""
    except ModuleNotFoundError as e:
        mod, reason = None, f"{modname} is not built or not on sys.path ({e}): {missing}"
    except ImportError as e:   # built, and refusing to load here (a second interpreter, say)
        mod, reason = None, f"importing {modname} raised ImportError: {e}"
    ok = not reason
    ns.available = lambda: (ok, reason)
    ns.features = frozenset()
    ns.why_not = {}   # feature -> why the binding lacks it (the suite's skip reason)
    if not ok:
        return None
    ns.module = mod
    ns.Var, ns.Add, ns.Layout, ns.Node = mod.Var, mod.Add, mod.Layout, mod.Node
    ns.Outer, ns.Inner = mod.Outer, mod.Inner
    ns.handle, ns.native_live = mod.handle, mod.native_live   # handle: also what pool workers call
    for name in ("Derived", "Holder", "visit_offset", "consume"):   # where the binding has them
        if hasattr(mod, name):
            setattr(ns, name, getattr(mod, name))

    def same_as(a, b):
        return type(a) is type(b) and ns.handle(a) == ns.handle(b)
    same_as.__module__ = ns.__name__
    ns.same_as = same_as
    ns.intern = interning(mod)
    ns.features = probe_features(mod, ns.intern)
    return mod
