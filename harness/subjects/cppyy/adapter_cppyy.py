"""cppyy adapter: harness/model/cpp_model.hpp bound by cppyy at run time, the
way cppyy's users bind a C++ header: cppyy.include() it (Cling parses and
JIT-compiles it) and use its classes from cppyy.gbl. Nothing is compiled by
make: cppyy needs no binding code.

The header's FFI_CPP_MODEL_NAMESPACE switch (defined with cppyy.cppdef
before the include) puts the model in the named namespace ffi_model rather
than an unnamed one, so its classes have names Python can reach.

cppyy's MemoryRegulator keeps, per class, a map from C++ address to the
proxy, holding the proxy borrowed and erasing it in the proxy's dealloc
(CPyCppyy src/MemoryRegulator.cxx); a pointer or reference crossing into
Python is looked up there after cppyy downcasts it to its most derived
class, a value returned by value is always bound afresh (ProxyWrappers.cxx,
BindCppObjectNoCast). The model's fields are std::shared_ptr: cppyy binds
a field read as a proxy of the pointee held by the field's shared_ptr,
looked up by that smart pointer's address, and of the declared class: a
shared_ptr<Base> is not downcast (root#16210; ROOT's copy of cppyy
downcasts since root#22586, cppyy 3.5.0 does not), so Add.a would be an
Expr whose .name cannot be read. A user of this header pythonizes such
fields, and so does the adapter: std::dynamic_pointer_cast to the object's
own class, which returns by value, so each read is a new proxy that owns
its shared_ptr copy. (Reading the raw pointer instead would reach the
MemoryRegulator's per-object lookup, but a raw proxy owns nothing: passed
back to a shared_ptr parameter, cppyy wraps it in a second owning
shared_ptr and the object is freed twice.) A field of the object's own
class (Node.children) stays as cppyy binds it.

A Python-made object passed to a shared_ptr parameter is moved into a
shared_ptr its proxy then holds (cppyy's implicit smart-pointer conversion).
handle(w) is the object's address: cppyy.addressof(w), or for a proxy
holding a shared_ptr, the address of the whole object it points into
(a one-line template, ffi_object_address, JIT-compiled by cppyy.cppdef). Pickling is copyreg
reducers, node style: cppyy's proxies do not pickle; Layout.axes and
Node.children, std::vectors, pickle as lists."""
import copyreg
import os

tool = "cppyy"
MODEL_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "model", "cpp_model.hpp")


def _actual(model, w):
    """The object a proxy stands for, as its most derived class: for a
    proxy of a base-typed shared_ptr, std::dynamic_pointer_cast to each
    concrete class of the model, whose result cppyy binds by value (a new
    proxy that owns its shared_ptr copy); otherwise the proxy itself. For
    reading only (pickling, probing)."""
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


_ADDRESS_HELPER = """
#include <cstdint>
#include <memory>
#include <type_traits>
// The address of the whole object a shared_ptr points into (for a base at an offset, the most
// derived object's), as Python reads a raw pointer's.
template <class T> std::uintptr_t ffi_object_address(const std::shared_ptr<T> &p) {
    if constexpr (std::is_polymorphic_v<T>)
        return reinterpret_cast<std::uintptr_t>(dynamic_cast<const void *>(p.get()));
    else
        return reinterpret_cast<std::uintptr_t>(p.get());
}
"""


def _address(w):
    """The object's address: cppyy.addressof, but for a proxy holding a
    shared_ptr to a base at an offset (a Derived passed to Holder's
    shared_ptr<Second> is rebound to that), the whole object's."""
    import cppyy
    smart = w.__smartptr__()
    return cppyy.addressof(w) if smart is None else int(cppyy.gbl.ffi_object_address(smart))


def _pythonize(model):
    """What a user of this header writes for cppyy 3.5.0 (a pythonization
    per class): a field typed shared_ptr<Base> read as the object's own
    class, by _actual's dynamic_pointer_cast (a new proxy per read, as any
    by-value return); a field of the object's own class (Node.children's
    elements) left as cppyy binds it; Layout.axes and Node.children as lists;
    Var.name as a Python str (cppyy binds a std::string member as a
    std::string proxy); == and hash by class and address."""
    if isinstance(model.Add.__dict__["a"], property):
        return   # done already, by an earlier load in this process

    def field(cls, name):
        plain = cls.__dict__[name]   # cppyy's own data-member descriptor
        setattr(cls, name, property(lambda self: _actual(model, plain.__get__(self, cls))))

    def sequence(cls, name):
        plain = cls.__dict__[name]
        setattr(cls, name, property(lambda self: [_actual(model, p) for p in plain.__get__(self, cls)]))

    for cls, name in ((model.Add, "a"), (model.Add, "b"), (model.Layout, "offset"), (model.Holder, "base")):
        field(cls, name)
    sequence(model.Layout, "axes")
    sequence(model.Node, "children")
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
    proxy's __dict__ (less cppyy's own __lifeline). A field read back through a shared_ptr is a proxy of
    the declared class (Expr, Second), so each reducer looks at the object
    itself to pick the class to rebuild."""
    def state(w):
        # less cppyy's own entry: a field's proxy keeps its parent alive through __lifeline
        attrs = {k: v for k, v in (getattr(w, "__dict__", None) or {}).items() if k != "__lifeline"}
        return attrs or None

    def reduce(w):
        obj = _actual(model, w)
        if isinstance(obj, model.Var):
            return ns.Var, (str(obj.name),), state(w)
        if isinstance(obj, model.Add):
            return ns.Add, (obj.a, obj.b), state(w)
        if isinstance(obj, model.Layout):
            return ns.Layout, (list(obj.axes), obj.offset), state(w)
        if isinstance(obj, model.Node):
            return ns.Node, (obj.tag, list(obj.children)), state(w)
        if isinstance(obj, model.Derived):
            return ns.Derived, (obj.value,), state(w)
        raise TypeError(f"cannot pickle {type(w).__name__!r} object")

    for cls in (model.Expr, model.Var, model.Add, model.Layout, model.Node, model.Derived, model.Second):
        copyreg.pickle(cls, reduce)
    # Layout.axes and Node.children are std::vectors of shared_ptr: they come back as lists.
    import cppyy
    for element in (model.Expr, model.Node):
        copyreg.pickle(cppyy.gbl.std.vector[cppyy.gbl.std.shared_ptr[element]], lambda vec: (list, (list(vec),)))


def _probe(ns):
    """The features that work: the shared probes, but for node, whose probe
    here keeps its parent while reading a child (cppyy's proxy of a vector
    element does not keep the vector's owner alive, so the shared probe's
    child of a dropped temporary would read freed memory), and derived,
    which cppyy cannot give safely (why_not)."""
    import types
    import compiled_model
    # Without Node the shared probe of node fails at once, touching nothing.
    shared = types.SimpleNamespace(**{k: v for k, v in vars(ns).items() if k != "Node"})
    features = set(compiled_model.probe_features(shared)) - {"node", "derived"}
    try:
        parent = ns.Node(1, [ns.Node(2)])
        if parent.children[0].tag == 2:
            features.add("node")
    except Exception:
        pass
    return frozenset(features)


def subject(ns, version, variant):
    ns.features = frozenset()
    ns.why_not = {
        "intern": ("a C++ constructor, which cppyy calls for Var(...), always makes a new object; the model "
                   "interns through the free function intern_var, which Var(name, intern=True) cannot name"),
        "disown": ("the model's objects are shared through std::shared_ptr, so none can be given away "
                   "(cppyy disowns through __python_owns__ = False, for raw pointers)"),
        "derived": ("cppyy 3.5.0 rebinds a Derived made in Python, once passed to Holder's std::shared_ptr<Second> "
                    "parameter, to its Second subobject while it stays a Derived: d.tag then reads the wrong memory "
                    "(Derived(7).tag reads garbage afterwards, reproduced here), so Holder(d) cannot be built safely"),
        "callback": ("the model has no function taking a callback; cppyy would need one JIT-compiled with "
                     "cppyy.cppdef, and this adapter binds cpp_model.hpp as it is"),
    }
    ns.summary = f"cppyy {version}, cpp_model.hpp through Cling: the MemoryRegulator's per-class map"
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
            cppyy.cppdef(_ADDRESS_HELPER)
        model = cppyy.gbl.ffi_model
        _pythonize(model)
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
    ns.features = _probe(ns)
