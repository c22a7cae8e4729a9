"""PyTorch adapter: the object model as tensors, linked by references that
PyTorch's C++ holds and hands back through its own wrapper logic
(THPVariable_Wrap), so what the suite sees is PyTorch's PyObject
preservation: a c10::TensorImpl keeps its Python object, and while C++
holds the tensor besides that object, the object (with its class and
__dict__) is kept alive, the "toggle" design of docs/design.md.

What is PyTorch and what is ours:
- Var, Add, Layout, Node are torch.Tensor subclasses (float64, shape (1,)),
  made the way Parameter is, with torch.Tensor._make_subclass (not
  as_subclass, which would return a view). Their
  `__torch_function__` is torch._C._disabled_torch_function_impl, the
  documented opt-out for subclasses that need no op overriding; the default
  would hand back the same objects (.grad and ._base are in
  get_default_nowrap_functions) but through a Python dispatch per read.
  Var.name lives in the subclass instance's __dict__ (as `_name`): PyTorch
  keeps that __dict__ with the preserved object. Node.tag is the tensor's
  one element (exact below 2**53).
- Fields are C++ references only: AutogradMeta::grad_ (`.grad`, returned
  as the very object stored) and a view's ViewInfo base (`._base`, the
  view's root base). A container's children are a chain the container
  holds through `.grad`, with two internal plain tensors per child: a view
  cell whose `.grad` is the child and whose `._base` is the next spine
  tensor, whose `.grad` is the next cell (`holder.grad.grad` is child 0,
  `holder.grad._base.grad.grad` child 1, ...). Children are reached only
  through `.grad`, so a child may itself be a view (an unpickled Var is:
  PyTorch rebuilds subclasses with as_subclass). The chain's layout is
  ours; every reference in it, and every wrapper a read returns, is
  PyTorch's. Add chains (a, b), Layout (offset, *axes), Node its children.
  Layout.axes and Node.children are tuples we build per read.
- handle(w) is the TensorImpl address: Tensor._cdata, the same pointer
  torch._C._tensor_impl_raw_handle(t) returns in a nameless capsule
  (data_ptr() is the storage's, shared by views, so not a handle).
- Pickle: a Var pickles through PyTorch's own Tensor.__reduce_ex__
  (storage bytes, torch._utils._rebuild_from_type_v2 restores the subclass
  and its __dict__). Tensor pickling carries neither .grad nor ._base, so
  containers reduce node style, (cls, (child wrappers...), __dict__).
  PyTorch's Tensor.__deepcopy__ refuses a _make_subclass subclass whose
  new_empty() returns a plain tensor, so every class has its own
  __deepcopy__ (memo by id(), constructor arguments and __dict__ deep
  copied), as nn.Parameter has.
- native_live() counts our objects whose storage is alive: each is made
  with torch.frombuffer over a one-element array.array, which the
  StorageImpl's deleter releases in C++ when the storage dies, so the
  weak references to those arrays die exactly when PyTorch frees the storage
  (the spine and cell tensors hold no buffer: a leaked chain shows as its
  children still alive).
Missing features: 'outer' (one TensorImpl has exactly one Python object,
a view or alias is a TensorImpl of its own, so no second object of another
type lives at one handle), 'alloc' (PyTorch allocates through its own CPU
allocator, the harness's LIFO mode does not reach it), 'entries' (there is
no cache: the PyObject slot is in the TensorImpl).
Callbacks (CB1): visit_offset calls a torch.library operator whose CPU
kernel is Python, so the C++ dispatcher hands the kernel layout.offset and
takes its result back. U1 and O1 have no PyTorch counterpart (why_not).
Threads: PyTorch's OpenMP and inter-op pools start lazily on the first
parallel op; one-element ops never start them, so fork children do not
hang and set_num_threads is left alone."""
import array
import copy
import os
import pickle
import re
import warnings
import weakref

tool = "torch"
FEATURES = frozenset({"pickle", "weakref", "dict", "node", "live", "subclass", "callback"})


def _import_torch():
    """torch from the subject's site, or (None, reason)."""
    try:
        with warnings.catch_warnings():
            # The CPU wheel warns at import that NumPy is missing; it is not needed.
            warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
            import torch
    except ImportError as e:
        return None, str(e)
    return torch, ""


def subject(ns, version, variant):
    install = f"harness/tools/subjects.sh {ns.name} (pip install torch=={version} into {ns.site})"
    ns.summary = (f"PyTorch {version}: tensors linked through C++ (.grad, view ._base); "
                  "a TensorImpl keeps its Python object while C++ holds it (PyObject preservation)")
    ns.features = frozenset()
    torch, reason = _import_torch()
    if torch is None:
        reason = f"torch {version} is not installed ({reason}): run {install}"
    elif not os.path.realpath(torch.__file__).startswith(os.path.realpath(ns.location) + os.sep):
        reason = (f"found torch {torch.__version__} at {os.path.dirname(torch.__file__)}, want the one in "
                  f"{ns.location}: run {install}")
    ns.available = (lambda r=reason: (not r, r))
    if reason:
        return
    ns.torch = torch
    F64 = torch.float64
    buffers = {}   # id(weakref) -> weakref of the array.array under a live storage of ours

    def storage(value):
        buf = array.array("d", [value])
        ref = weakref.ref(buf, lambda r: buffers.pop(id(r), None))
        buffers[id(ref)] = ref
        return torch.frombuffer(buf, dtype=F64)

    def link(holder, children):
        """holder.grad -> cell0; cell.grad -> child; cell._base -> spine; spine.grad -> next cell."""
        prev = holder
        for child in children:
            if not isinstance(child, torch.Tensor):
                raise TypeError(f"a child must be a {ns.name} tensor, not {type(child).__name__}")
            spine = torch.zeros(1, dtype=F64)
            cell = spine.view(1)
            cell.grad = child
            prev.grad = cell
            prev = spine

    def first(holder):
        cell = holder.grad
        return None if cell is None else cell.grad

    def chain(holder):
        out = []
        cell = holder.grad
        while cell is not None:
            out.append(cell.grad)
            cell = cell._base.grad
        return tuple(out)

    def make(cls, value, children=()):
        self = torch.Tensor._make_subclass(cls, storage(value))
        link(self, children)
        return self

    class Expr(torch.Tensor):
        """Our base: a tensor subclass with the Python op dispatch switched off."""
        __torch_function__ = torch._C._disabled_torch_function_impl

        def __init__(self, *args, **kwargs):
            pass   # built in __new__

        def __deepcopy__(self, memo):
            if id(self) in memo:
                return memo[id(self)]
            new = type(self)(*copy.deepcopy(self._args(), memo))
            memo[id(self)] = new
            state = self.__dict__
            if state:
                new.__dict__.update(copy.deepcopy(state, memo))
            return new

    class Var(Expr):
        def __new__(cls, name):
            self = make(cls, 0.0)
            self._name = str(name)
            return self

        name = property(lambda self: self._name, lambda self, v: setattr(self, "_name", v))

        def _args(self):
            return (self._name,)

        # pickle: torch.Tensor.__reduce_ex__ (storage, subclass, __dict__)

    class Container(Expr):
        """Node-style pickling for the tensors whose fields are C++ references."""

        def __reduce_ex__(self, protocol):
            return (type(self), self._args(), dict(self.__dict__) or None)

        def __setstate__(self, state):
            self.__dict__.update(state)

    class Add(Container):
        def __new__(cls, a, b):
            return make(cls, 0.0, (a, b))

        @property
        def a(self):
            return first(self)

        @property
        def b(self):
            return self.grad._base.grad.grad

        def _args(self):
            return chain(self)

    class Layout(Container):
        def __new__(cls, axes, offset):
            return make(cls, 0.0, (offset, *axes))

        @property
        def offset(self):
            return first(self)

        @property
        def axes(self):
            return chain(self)[1:]

        def _args(self):
            children = chain(self)
            return (children[1:], children[0])

    class Node(Container):
        def __new__(cls, tag, children=()):
            return make(cls, float(tag), tuple(children))

        @property
        def tag(self):
            return int(self.item())

        @property
        def children(self):
            return chain(self)

        def _args(self):
            return (self.tag, chain(self))

    for cls in (Expr, Var, Container, Add, Layout, Node):
        cls.__module__ = ns.__name__
        cls.__qualname__ = cls.__name__
        setattr(ns, cls.__name__, cls)

    def handle(w):
        """The TensorImpl address."""
        if not isinstance(w, torch.Tensor):
            raise TypeError(f"not a {ns.name} tensor: {type(w).__name__}")
        return w._cdata

    def same_as(a, b):
        return type(a) is type(b) and handle(a) == handle(b)

    def native_live():
        return len(buffers)

    # CB1: an operator whose CPU kernel is Python, called through the C++
    # dispatcher, which hands the kernel its tensor and takes one back.
    lib = torch.library.Library("ffi_identity_" + re.sub(r"[^0-9A-Za-z]", "_", ns.name), "DEF")
    lib.define("visit(Tensor x) -> Tensor")
    visiting = []   # the callback of the call in progress (one thread)
    lib.impl("visit", lambda x: visiting[-1](x), "CPU")
    op = getattr(torch.ops, lib.ns).visit

    def visit_offset(layout, fn):
        visiting.append(fn)
        try:
            return op(layout.offset)
        finally:
            visiting.pop()
    ns.library = lib   # an operator lives while its Library does

    for fn in (handle, same_as, native_live, visit_offset):
        fn.__module__ = ns.__name__
        setattr(ns, fn.__name__, fn)
    ns.why_not = {
        "derived": "a tensor is one TensorImpl, the whole native behind its Python object: no base "
                   "subobject sits at an offset",
        "intern": "every tensor constructor makes a new TensorImpl; PyTorch has no constructor that "
                  "returns a live tensor",
    }
    ns.features = frozenset(f for f, probe in (
        ("pickle", lambda: pickle.loads(pickle.dumps(Add(Var("p"), Var("q")), 2)).b.name == "q"),
        ("weakref", lambda: (lambda v: weakref.ref(v)() is v)(Var("w"))),
        ("dict", lambda: (lambda v: (setattr(v, "note", 1), v.note)[1] == 1)(Var("d"))),
        ("node", lambda: Node(1, (Node(0),)).children[0].tag == 0),
        ("live", lambda: native_live() >= 0),
        ("subclass", lambda: _subclass_works(Var)),
        ("callback", lambda: (lambda i: visit_offset(Layout((i,), Add(i, i)), lambda x: x.a) is i)(Var("i"))))
        if _works(probe)) & FEATURES


def _subclass_works(base):
    """S1, S2: a Python subclass of a wrapper class can be made and constructed."""
    class S(base):
        pass
    S("x")
    return True


def _works(probe):
    try:
        return bool(probe())
    except Exception:   # a feature this PyTorch does not offer
        return False
