"""tvm-ffi adapter: the object model as Python-defined tvm-ffi classes
(tvm_ffi.dataclasses.py_class), the way the motivating report builds it.
The handle is Object.__chandle__(), identity is Object.same_as. Fields
come back through tvm-ffi's own conversion, lists as tvm_ffi containers.
Pickling, weakrefs and __dict__ are whatever tvm-ffi provides: each is
probed at import and listed in `features` only if it works. tvm-ffi has no
public live-object count and no Outer/Inner view, so 'live' and 'outer'
are absent.

apache-tvm-ffi is a pip package (not in Debian); without it available()
says so and every test and benchmark for this adapter is skipped."""
from __future__ import annotations

import pickle
import weakref
from typing import List

name = "tvm-ffi"
summary = "tvm-ffi py_class objects: whatever wrapper tvm-ffi returns per access"
features = frozenset()

try:
    import tvm_ffi
    from tvm_ffi import Object
    from tvm_ffi.dataclasses import field, py_class
except ImportError:
    tvm_ffi = None
    _reason = "tvm_ffi is not installed (pip install apache-tvm-ffi)"
else:
    _reason = ""

if tvm_ffi is not None:
    # Type keys are global in tvm-ffi's registry: keep them specific to us.
    @py_class("ffi_identity.adapter.Expr")
    class Expr(Object):
        pass

    @py_class("ffi_identity.adapter.Var")
    class Var(Expr):
        name: str

    @py_class("ffi_identity.adapter.Add")
    class Add(Expr):
        a: Expr
        b: Expr

    @py_class("ffi_identity.adapter.Layout")
    class Layout(Object):
        axes: List[Expr]
        offset: Expr

    @py_class("ffi_identity.adapter.Node")
    class Node(Object):
        tag: int
        children: List[Object] = field(default_factory=list)   # Object: no forward reference to resolve

    def handle(w):
        """The native address a wrapper stands for."""
        return w.__chandle__()

    def same_as(a, b):
        return a.same_as(b)

    def _works(probe):
        try:
            probe()
            return True
        except Exception:   # a feature tvm-ffi does not offer here
            return False

    def _probe_pickle():
        v = Var("p")
        back = pickle.loads(pickle.dumps(Add(v, v), protocol=2))
        assert back.a.name == "p"

    def _probe_weakref():
        v = Var("w")
        assert weakref.ref(v)() is v

    def _probe_dict():
        v = Var("d")
        v.note = 1
        assert v.note == 1

    features = frozenset({"node"} | {f for f, probe in (("pickle", _probe_pickle),
                                                          ("weakref", _probe_weakref),
                                                          ("dict", _probe_dict)) if _works(probe)})


def available():
    return (tvm_ffi is not None, _reason)
