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
downcasts since root#22586, cppyy 3.5.0 does not), so Add.a is an Expr
whose .name cannot be read, and Holder.base a Second at the Derived's
second-base address. The adapter leaves that as it is: it is what cppyy's
users get from this header, and downcasting by hand (through the raw
pointer, or dynamic_pointer_cast) would trade cppyy's ownership or its
lookup for the adapter's.

A Python-made object passed to a shared_ptr parameter is moved into a
shared_ptr its proxy then holds (cppyy's implicit smart-pointer conversion).
handle(w) is cppyy.addressof(w), the object's address. Pickling is copyreg
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
    """The features that work: the shared probes, but for three that read
    a field as its most derived class or off a temporary. pickle reads the
    round trip's Var through the object itself (a field comes back as an
    Expr); node keeps its parent while reading a child (cppyy's proxy of a
    vector element does not keep the vector's owner alive, so the shared
    probe's child of a dropped temporary would read freed memory); derived
    asks only that Holder.base reads the object back, as its declared base
    Second (a shared_ptr is not downcast)."""
    import pickle
    import types
    import compiled_model
    own = {"pickle", "node", "derived"}
    # Without Node and Holder the shared probes of node and derived fail at once, touching nothing.
    shared = types.SimpleNamespace(**{k: v for k, v in vars(ns).items() if k not in ("Node", "Holder")})
    features = set(compiled_model.probe_features(shared)) - own

    def pickle_():
        v = ns.Var("p")
        back = pickle.loads(pickle.dumps(ns.Layout([v], ns.Add(v, v)), protocol=2))
        add = _actual(ns.module, back.offset)
        return str(_actual(ns.module, back.axes[0]).name) == "p" and str(_actual(ns.module, add.b).name) == "p"

    def node():
        parent = ns.Node(1, [ns.Node(2)])
        return parent.children[0].tag == 2

    def derived():
        return ns.Holder(ns.Derived(7)).base.tag == 7

    for feature, check in (("pickle", pickle_), ("node", node), ("derived", derived)):
        try:
            if check():
                features.add(feature)
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
        model = cppyy.gbl.ffi_model
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
        return cppyy.addressof(w)
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
