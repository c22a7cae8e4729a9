# The object model as tensors whose links are references PyTorch's C++
# holds and hands back through its own Python-object logic: Var, Add and
# Layout are torch.Tensor subclasses (one float64 element, made the way
# nn.Parameter is, with Tensor._make_subclass); a child is a tensor's .grad
# (AutogradMeta::grad_), and a list of children a chain through .grad and a
# view's ._base. Var.name lives in the instance __dict__, which PyTorch
# keeps with the tensor.
import array
import weakref

import torch

TOOL = f"PyTorch {torch.__version__}"
buffers = {}   # the one-element arrays under our tensors' storages: alive while PyTorch keeps the storage


def storage(value):
    buf = array.array("d", [value])
    ref = weakref.ref(buf, lambda r: buffers.pop(id(r), None))
    buffers[id(ref)] = ref
    return torch.frombuffer(buf, dtype=torch.float64)


def link(holder, children):
    """holder.grad -> cell; cell.grad -> child; cell._base.grad -> the next cell."""
    for child in children:
        spine = torch.zeros(1, dtype=torch.float64)
        cell = spine.view(1)
        cell.grad = child
        holder.grad = cell
        holder = spine


def chain(holder):
    out, cell = [], holder.grad
    while cell is not None:
        out.append(cell.grad)
        cell = cell._base.grad
    return tuple(out)


class Expr(torch.Tensor):
    __torch_function__ = torch._C._disabled_torch_function_impl   # no Python dispatch of ops

    def __new__(cls, *children, value=0.0):
        self = torch.Tensor._make_subclass(cls, storage(value))
        link(self, children)
        return self

    def __init__(self, *args, **kwargs):
        pass
    # @if pickle

    def __reduce_ex__(self, protocol):   # node by node: tensor pickling carries neither .grad nor ._base
        return (type(self), self.args(), dict(self.__dict__) or None)

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __deepcopy__(self, memo):   # Tensor.__deepcopy__ refuses _make_subclass subclasses
        import copy
        if id(self) not in memo:
            memo[id(self)] = new = type(self)(*copy.deepcopy(self.args(), memo))
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return memo[id(self)]
    # @end


class Var(Expr):
    def __new__(cls, name):
        self = super().__new__(cls)
        self._name = name   # Tensor has a read-only `name` of its own
        return self

    name = property(lambda self: self._name)
    # @if pickle

    def args(self):
        return (self.name,)

    def __reduce_ex__(self, protocol):   # a Var is a plain tensor: PyTorch's own pickling (with __dict__)
        return torch.Tensor.__reduce_ex__(self, protocol)
    # @end


class Add(Expr):
    a = property(lambda self: chain(self)[0])
    b = property(lambda self: chain(self)[1])

    def args(self):
        return chain(self)


class Layout(Expr):
    def __new__(cls, axes, offset):
        return super().__new__(cls, offset, *axes)

    offset = property(lambda self: chain(self)[0])
    axes = property(lambda self: chain(self)[1:])

    def args(self):
        return (self.axes, self.offset)


def addr(obj):
    return obj._cdata   # the TensorImpl's address
# @if live


def live():
    return len(buffers)
# @end
