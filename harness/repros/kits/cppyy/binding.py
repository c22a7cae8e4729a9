import os

import cppyy

# The object model of model.hpp through cppyy: the header included as it
# is (Cling compiles it at run time), its classes from cppyy.gbl, and the
# pythonizations a user of this header writes with cppyy 3.5.0. A
# std::shared_ptr<Expr> field as cppyy binds it is an Expr, not the Var or
# Add it points to (cppyy 3.5.0 does not downcast smart pointers), and
# smart pointers read by reference (a field, a vector's items) crash
# before long when re-read in a loop. So each field is read by value,
# through a small C++ accessor (cppyy.cppdef), and cast to its object's
# class with std::dynamic_pointer_cast: the way to get the Var back.
HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = f"cppyy {cppyy.__version__}"
if not hasattr(cppyy.gbl, "fields"):   # once per process (a sub-interpreter shares it)
    cppyy.include(os.path.join(HERE, "model.hpp"))
    cppyy.cppdef("""
    namespace fields {
    std::shared_ptr<Expr> a(const Add &x) { return x.a; }
    std::shared_ptr<Expr> b(const Add &x) { return x.b; }
    std::shared_ptr<Expr> offset(const Layout &x) { return x.offset; }
    size_t naxes(const Layout &x) { return x.axes.size(); }
    std::shared_ptr<Expr> axis(const Layout &x, size_t i) { return x.axes[i]; }
    // @if node
    size_t nchildren(const Node &x) { return x.children.size(); }
    std::shared_ptr<Node> child(const Node &x, size_t i) { return x.children[i]; }
    // @end
    }""")
from cppyy.gbl import Add, Layout, Var, fields, std  # noqa: E402
# @if node
from cppyy.gbl import Node  # noqa: E402
# @end
# @if live
from cppyy.gbl import live_objects  # noqa: E402
# @end


def as_actual(p):
    """A shared_ptr<Expr> as a shared_ptr to its object's class."""
    for cls in (Var, Add):
        q = std.dynamic_pointer_cast[cls](p.__smartptr__())
        if cppyy.addressof(q):
            return q
    return p


def addr(obj):
    return cppyy.addressof(obj)


Var.name = property(lambda self, get=Var.__dict__["name"].__get__: str(get(self)))   # a str, not a std::string
Add.a = property(lambda self: as_actual(fields.a(self)))
Add.b = property(lambda self: as_actual(fields.b(self)))
Layout.offset = property(lambda self: as_actual(fields.offset(self)))
Layout.axes = property(lambda self: tuple(as_actual(fields.axis(self, i)) for i in range(fields.naxes(self))))
# @if node
Node.children = property(lambda self: tuple(fields.child(self, i) for i in range(fields.nchildren(self))))
Node.__hash__ = lambda self: hash(addr(self))   # as == compares (cppyy hashes by id())
# @end
# @if pickle


def make(cls, *args):
    """Unpickling: the object rebuilt the way C++ makes a shared one."""
    return std.make_shared[getattr(cppyy.gbl, cls)](*args)


def reduce(cls, *names):
    """__reduce__: make(cls, the fields), and the proxy's attributes."""
    return lambda self: (make, (cls, *(getattr(self, n) for n in names)), self.__dict__ or None)


Var.__reduce__ = reduce("Var", "name")
Add.__reduce__ = reduce("Add", "a", "b")
Layout.__reduce__ = reduce("Layout", "axes", "offset")
# @if node
Node.__reduce__ = reduce("Node", "tag", "children")
# @end
# @end
# @if live


def live():
    return int(live_objects)
# @end
