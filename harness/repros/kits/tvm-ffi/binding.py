# The object model as tvm-ffi dataclasses (tvm_ffi.dataclasses.py_class):
# tvm-ffi allocates the native objects and decides which Python object a
# native one comes back as; `tuple[Expr, ...]` fields are tvm_ffi.Array.
import tvm_ffi
from tvm_ffi import Object
from tvm_ffi.dataclasses import py_class
# @if node
import typing

from tvm_ffi.dataclasses import field
# @end

TOOL = f"tvm-ffi {tvm_ffi.__version__}"


@py_class("repro.Expr")
class Expr(Object):
    # @if slots
    __slots__ = ("__dict__", "__weakref__")   # opt in to instance attributes and weak references
    # @else
    pass
    # @end


@py_class("repro.Var")
class Var(Expr):
    name: str


@py_class("repro.Add")
class Add(Expr):
    a: Expr
    b: Expr


@py_class("repro.Layout")
class Layout(Object):
    # @if slots
    __slots__ = ("__dict__", "__weakref__")
    # @end
    axes: tuple[Expr, ...]
    offset: Expr
# @if node


@py_class("repro.Node")
class Node(Object):
    # @if slots
    __slots__ = ("__dict__", "__weakref__")
    # @end
    tag: int
    # typing.Tuple, not tuple: Python 3.10 resolves a name in quotes only
    # inside typing's generics, and tvm-ffi reads the resolved annotations.
    children: typing.Tuple["Node", ...] = field(default_factory=tuple)
# @end


def addr(obj):
    """The address of the native object."""
    return obj.__chandle__()
# @if callback


def visit_offset(layout, fn):
    """A native (C++) function calling fn with layout.offset: tvm-ffi's testing.apply."""
    return tvm_ffi.get_global_func("testing.apply")(fn, layout.offset)
# @end
