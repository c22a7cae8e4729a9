"""The identity patterns binding authors write by hand over a C library
whose binding tool keeps no object per pointer (ctypes: "ctypes does not
have OOR (original object return)"; cffi: a new cdata per returned
pointer), shared by the ctypes and cffi adapters. Each pattern is a
variant of the adapter: a subclass of each of its wrapper classes, sharing
one Model that its constructors and getters ask:

  ""            no cache: every returned pointer gets a new wrapper;
  "owner-held"  a wrapper keeps the child wrappers it was built with, or
                read once, and its fields hand those back (a held child
                that gave its native away is read afresh);
  "weak-cache"  a weakref.WeakValueDictionary from (class, address) to the
                live wrapper, filled by constructors and reads.

An adapter's classes call model.made(self, **children) at the end of each
constructor, wrap returned references with model.adopt(ptr[, cls]), read
fields through model.child(self, field, read), and call model.forget(w)
before giving w's native away."""
import os
import threading
import weakref

SUMMARIES = {
    "": "a new Python object per returned pointer",
    "owner-held": "each wrapper holding the child wrappers it was built with or read: a field gives back "
                  "its parent's wrapper while the parent's wrapper lives",
    "weak-cache": "a WeakValueDictionary from address to wrapper: one wrapper per native while that "
                  "wrapper lives",
}


class Model:
    """One variant: its class per native kind and the identity pattern."""

    def __init__(self, pattern, classes, kinds, kind_of, address, keep_alive=None):
        """classes: name -> class; kinds: native kind -> class name;
        kind_of(ptr): a pointer's kind; address(ptr): its address as an
        int; keep_alive(w, ptr): for the weak cache, makes w's reference go
        only once w is dead (an adapter whose wrappers drop it in __del__
        must: a subclass's __del__ may resurrect a wrapper the cache then
        hands out again)."""
        if pattern not in SUMMARIES:
            raise ValueError(f"no identity pattern {pattern!r} ({', '.join(map(repr, SUMMARIES))})")
        self.pattern, self.classes = pattern, classes
        self.by_kind = {kind: classes[n] for kind, n in kinds.items()}
        self.kind_of, self.address, self.keep_alive = kind_of, address, keep_alive
        self.live = weakref.WeakValueDictionary() if pattern == "weak-cache" else None
        # WeakValueDictionary's look-up and insertion are Python code a thread
        # switch can split (and ctypes and cffi drop the GIL in foreign
        # calls); no foreign call is made under this lock. Re-entrant: a
        # collection inside it can run a weakref callback that reads a field.
        self.lock = threading.RLock()
        if self.live is not None:   # a fork must not copy the lock held by another thread
            os.register_at_fork(before=self.lock.acquire, after_in_parent=self.lock.release,
                                after_in_child=self.lock.release)

    def class_of(self, w):
        """The model class w is an instance of (a Python subclass's base)."""
        return next(c for c in type(w).__mro__ if c in self.classes.values())

    def _key(self, w):
        return (self.class_of(w), self.address(w._ptr))

    def adopt(self, ptr, cls=None):
        """The wrapper of `ptr`, a reference the caller owns (as the getters
        return, already owned by the adapter's pointer type): of the class
        its kind names, or cls. A new wrapper is made first, so that one
        not kept drops the reference as any wrapper does."""
        cls = cls or self.by_kind[self.kind_of(ptr)]
        w = cls.__new__(cls)
        w._ptr = ptr
        if self.live is None:
            self.made(w)
            return w
        key = (cls, self.address(ptr))
        with self.lock:
            found = self.live.get(key)
            if found is not None and found._ptr is not None:   # not disowned meanwhile
                return found   # w drops the extra reference, outside the lock
            self.live[key] = w
        if self.keep_alive:
            self.keep_alive(w, ptr)
        return w

    def made(self, w, **children):
        """A wrapper now owns its native (constructed, or adopted): remember
        it (weak cache), or the children it was built with (owner-held)."""
        if self.live is not None:
            with self.lock:
                self.live[self._key(w)] = w
            if self.keep_alive:
                self.keep_alive(w, w._ptr)
        elif self.pattern == "owner-held":
            w._held = {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in children.items()}

    def child(self, w, field, read):
        """Field `field` of w: read() afresh, or the wrapper(s) w holds."""
        if self.pattern != "owner-held":
            return read()
        held = w.__dict__.setdefault("_held", {})
        value = held.get(field)
        if value is None or any(x._ptr is None for x in (value if isinstance(value, tuple) else (value,))):
            held[field] = value = read()   # never read, or a held child gave its native away (consume)
        return value

    def forget(self, w):
        """w gives its native away: it must not be found again."""
        if self.live is not None and w._ptr is not None:
            with self.lock:
                if self.live.get(self._key(w)) is w:
                    del self.live[self._key(w)]


def variant(pattern, module, bases, kinds, kind_of, address, keep_alive=None):
    """The classes of one pattern: a subclass of each class of `bases`
    (name -> class), named as it and living in `module` (pickle finds them
    there), sharing one Model."""
    classes = {n: type(n, (base,), {"__module__": module, "__qualname__": n}) for n, base in bases.items()}
    model = Model(pattern, classes, kinds, kind_of, address, keep_alive)
    for c in classes.values():
        c._model = model
    return classes


def fill_subject(ns, variant, tool, summary, loaded, classes, functions, available, features):
    """A C-library adapter's subject(): ns gets the variant's classes
    (classes(variant, module name) -> {name: class}) and the adapter's
    functions, or only available() and features when the library did not
    load (loaded false)."""
    import compiled_model
    if variant not in SUMMARIES:
        raise ValueError(f"{tool} has no variant {variant!r} (plain, owner-held, weak-cache)")
    ns.summary = summary + SUMMARIES[variant]
    ns.available = available
    ns.features = features
    if not loaded:
        return
    for name, cls in classes(variant, ns.__name__).items():
        setattr(ns, name, cls)
    for fn in functions:
        setattr(ns, fn.__name__, fn)
    if variant == "weak-cache":
        ns.intern = ns.Var.intern   # a constructor cannot return the live wrapper; the cache can
    if compiled_model.subclass_works(ns.Var):   # S1, S2
        ns.features = ns.features | {"subclass"}
