"""cppyy adapter: harness/model/cpp_model.hpp bound by cppyy at run time, the
way cppyy's users bind a C++ header: cppyy.include() it (Cling parses and
JIT-compiles it) and use its classes from cppyy.gbl. Nothing is compiled by
make: what little C++ the adapter adds, cppyy.cppdef JIT-compiles.

The header's FFI_CPP_MODEL_NAMESPACE switch (defined with cppyy.cppdef
before the include) puts the model in the named namespace ffi_model rather
than an unnamed one, so its classes have names Python can reach.

cppyy's MemoryRegulator keeps, per class, a map from C++ address to the
proxy, holding the proxy borrowed and erasing it in the proxy's dealloc
(CPyCppyy src/MemoryRegulator.cxx); a pointer or reference crossing into
Python is looked up there, a value returned by value is always bound afresh
(src/ProxyWrappers.cxx, BindCppObjectNoCast). The model keeps its children
in std::shared_ptr fields, and two things of cppyy 3.5.0 decide how they
can be read:
  - a shared_ptr<Base> is bound as Base, not downcast (root#16210; ROOT's
    copy of cppyy downcasts since root#22586), so Add.a read as cppyy binds
    it is an Expr without .name;
  - a shared_ptr read by reference (a field, a vector's element) gets a
    proxy that the MemoryRegulator files under one address and erases under
    another, so the map keeps dead proxies and hands them out again: reading
    Node(i, [Node(2), Node(3)]).children in a loop crashes within 20,000
    rounds (reproduced with the header alone).
So the adapter reads every shared_ptr field by value, through accessors in
the namespace ffi_read (READERS below, cppyy.cppdef), and casts a base-typed
one to its object's class with std::dynamic_pointer_cast, also by value:
what a user of this header has to write with cppyy 3.5.0. Each read is a new
proxy that owns a shared_ptr copy. (A raw pointer, T*, would reach the
map's per-object lookup, but a raw proxy owns nothing, and passed back to a
shared_ptr parameter cppyy wraps it in a second owning shared_ptr: the
object is freed twice, also reproduced.)

A Python-made object passed to a shared_ptr parameter is moved into a
shared_ptr its proxy then holds (cppyy's implicit smart-pointer conversion).
handle(w) is the object's address: cppyy.addressof(w), or for a proxy
holding a shared_ptr, the whole object's (ffi_read::object_address). == and
hash go by class and address (cppyy's == compares addresses only, and its
hash is id()). Pickling is copyreg reducers, node style, rebuilding with
std::make_shared (see _register_reducers): cppyy's proxies do not pickle."""
import copyreg
import os

tool = "cppyy"
MODEL_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model", "cpp_model.hpp")

# Each shared_ptr field read by value (see the module's docstring for why).
READERS = """
#include <cstdint>
#include <memory>
#include <type_traits>
namespace ffi_read {
using namespace ffi_model;
inline std::shared_ptr<Expr> add_a(const Add &x) { return x.a; }
inline std::shared_ptr<Expr> add_b(const Add &x) { return x.b; }
inline std::shared_ptr<Expr> layout_offset(const Layout &x) { return x.offset; }
inline std::size_t layout_rank(const Layout &x) { return x.axes.size(); }
inline std::shared_ptr<Expr> layout_axis(const Layout &x, std::size_t i) { return x.axes.at(i); }
inline std::size_t node_arity(const Node &x) { return x.children.size(); }
inline std::shared_ptr<Node> node_child(const Node &x, std::size_t i) { return x.children.at(i); }
inline std::shared_ptr<Second> holder_base(const Holder &x) { return x.base; }
// The address of the whole object a shared_ptr points into (for a base at an offset, the most
// derived object's), as cppyy.addressof gives it for a raw pointer.
template <class T> std::uintptr_t object_address(const std::shared_ptr<T> &p) {
    if constexpr (std::is_polymorphic_v<T>)
        return reinterpret_cast<std::uintptr_t>(dynamic_cast<const void *>(p.get()));
    else
        return reinterpret_cast<std::uintptr_t>(p.get());
}
}
"""


def _address(w):
    """The object's address: cppyy.addressof, but for a proxy holding a
    shared_ptr to a base at an offset, the whole object's."""
    import cppyy
    smart = w.__smartptr__()
    return cppyy.addressof(w) if smart is None else int(cppyy.gbl.ffi_read.object_address(smart))


def _actual(model, w):
    """w as its object's own class: for a proxy of a shared_ptr to a base,
    std::dynamic_pointer_cast to each concrete class of the model below it
    (cppyy binds the result by value: a new proxy owning its shared_ptr
    copy); otherwise w."""
    import cppyy
    smart = w.__smartptr__()
    if smart is None:
        return w
    for cls in (model.Var, model.Add, model.Derived):
        if cls is type(w) or not issubclass(cls, type(w)):   # type(w): the pointer's declared class
            continue
        cast = cppyy.gbl.std.dynamic_pointer_cast[cls](smart)
        if cppyy.addressof(cast):
            return cast
    return w


def _pythonize(model, read):
    """The pythonizations a user of this header writes for cppyy 3.5.0:
    shared_ptr fields read by value as their objects' own classes,
    Layout.axes and Node.children as lists, Var.name as a Python str (cppyy
    binds a std::string member as a std::string proxy), == and hash by
    class and address."""
    if isinstance(model.Add.__dict__["a"], property):
        return   # done already, by an earlier load in this process

    def field(getter):
        return property(lambda self: _actual(model, getter(self)))

    def sequence(size, item):
        return property(lambda self: [_actual(model, item(self, i)) for i in range(size(self))])

    model.Add.a, model.Add.b = field(read.add_a), field(read.add_b)
    model.Layout.offset = field(read.layout_offset)
    model.Layout.axes = sequence(read.layout_rank, read.layout_axis)
    model.Node.children = sequence(read.node_arity, read.node_child)
    model.Holder.base = field(read.holder_base)
    name = model.Var.__dict__["name"]
    model.Var.name = property(lambda self: str(name.__get__(self, model.Var)))
    # cppyy's == compares addresses only (an Outer equals its Inner, at the same address) and its
    # hash is the proxy's id() (equal proxies hash apart): compare and hash the class and the
    # object's address instead, as the suite's protocol compares wrappers.
    for cls in (model.Expr, model.Var, model.Add, model.Layout, model.Node, model.Outer, model.Inner,
                model.First, model.Second, model.Derived, model.Holder):
        cls.__eq__ = lambda self, other: type(self) is type(other) and _address(self) == _address(other)
        cls.__ne__ = lambda self, other: not self.__eq__(other)
        cls.__hash__ = lambda self: hash((type(self), _address(self)))


def _register_reducers(ns, model):
    """copyreg reducers, node style: the class and its fields, then the
    proxy's __dict__. Each object is rebuilt with std::make_shared, the way
    C++ makes an object it shares, so that no proxy made in Python is moved
    into a shared_ptr by cppyy's implicit conversion: passing such proxies,
    in a list, to several parents corrupts memory in cppyy 3.5.0 (a DAG of
    200 Nodes made in Python, built and dropped 50 times, crashes; at other
    sizes objects leak; reproduced with the header alone)."""
    def state(w):
        return dict(getattr(w, "__dict__", None) or {}) or None

    def reduce(w):
        obj = _actual(model, w)
        for cls, fields in ((model.Var, ("name",)), (model.Add, ("a", "b")), (model.Layout, ("axes", "offset")),
                            (model.Node, ("tag", "children")), (model.Derived, ("value",))):
            if isinstance(obj, cls):
                return ns.make_shared, (cls.__name__, *(getattr(obj, f) for f in fields)), state(w)
        raise TypeError(f"cannot pickle {type(w).__name__!r} object")

    def make_shared(kind, *args):
        import cppyy
        return cppyy.gbl.std.make_shared[getattr(model, kind)](*args)
    make_shared.__module__, make_shared.__qualname__ = ns.__name__, "make_shared"   # pickle finds it by name
    ns.make_shared = make_shared

    for cls in (model.Expr, model.Var, model.Add, model.Layout, model.Node, model.Derived, model.Second):
        copyreg.pickle(cls, reduce)


def subject(ns, version, variant):
    ns.features = frozenset()
    ns.why_not = {
        "intern": ("a C++ constructor, which cppyy calls for Var(...), always makes a new object; the model "
                   "interns through the free function intern_var, which Var(name, intern=True) cannot name"),
        "disown": ("the model's objects are shared through std::shared_ptr, so none can be given away "
                   "(cppyy disowns through __python_owns__ = False, for raw pointers)"),
        "derived": ("cppyy 3.5.0 rebinds a Derived made in Python, once passed to Holder's std::shared_ptr<Second> "
                    "parameter, to its Second subobject while it stays a Derived: d.tag then reads the wrong memory "
                    "(reproduced here), so Holder(d) cannot be built safely"),
        "callback": ("the model has no function taking a callback; cppyy would need one JIT-compiled with "
                     "cppyy.cppdef, and this adapter binds cpp_model.hpp as it is"),
    }
    # Benchmarks that cannot run in this adapter's process (bench_add_workloads).
    ns.bench_why_not = {
        "fork_pool": ("with cppyy loaded, the benchmark process segfaults now and then in the parent's "
                      "multiprocessing pool code (2 of 5 runs here), under Cling's signal handlers; "
                      "conformance F2 measures the same round trip, one fork per test"),
    }
    ns.summary = (f"cppyy {version}, cpp_model.hpp through Cling, shared_ptr fields read by value: "
                  "a new proxy per read")
    # pip --target puts CPyCppyy's headers in the site, where cppyy does not look; Python-side
    # subclasses (cross-inheritance) need them (cppyy's own warning names the variable).
    api = os.path.join(ns.site, "include", "python")
    if os.path.isdir(os.path.join(api, "CPyCppyy")):
        os.environ.setdefault("CPPYY_API_PATH", api)
    try:
        import cppyy
        found = cppyy.__version__
        if found != version:
            raise ImportError(f"cppyy {found} is imported, not {version}: run `make HEAVY=1 deps`")
        if not hasattr(cppyy.gbl, "ffi_model"):
            cppyy.cppdef("#define FFI_CPP_MODEL_NAMESPACE ffi_model")
            cppyy.include(os.path.abspath(MODEL_HEADER))
            cppyy.cppdef(READERS)
        model = cppyy.gbl.ffi_model
        _pythonize(model, cppyy.gbl.ffi_read)
    except Exception as e:   # not installed, or Cling refusing the header: say so, with its words
        reason = (f"cppyy {version} could not bind cpp_model.hpp ({type(e).__name__}: {e}): cppyy is heavy, "
                  "run `make HEAVY=1 deps`")
        ns.available = lambda: (False, reason)
        return
    ns.available = lambda: (True, "")
    ns.module = model
    for name in ("Var", "Add", "Layout", "Node", "Outer", "Inner", "Derived", "Holder"):
        setattr(ns, name, getattr(model, name))

    def handle(w):
        return _address(w)
    handle.__module__ = ns.__name__
    ns.handle = handle

    def native_live():
        return int(model.live_objects)
    native_live.__module__ = ns.__name__
    ns.native_live = native_live

    def same_as(a, b):
        return handle(a) == handle(b)
    same_as.__module__ = ns.__name__
    ns.same_as = same_as

    _register_reducers(ns, model)
    import compiled_model
    ns.features = compiled_model.probe_features(ns) - {"derived"}   # see why_not
