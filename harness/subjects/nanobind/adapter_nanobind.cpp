// The C object model of ffi_native_api.h bound with nanobind, two ways, as
// two submodules of one extension (one compile of nanobind for both):
//
// plain      nb::class_ over the native objects themselves. A `Var *` here
//            IS the ffi_obj * of a Var (empty C++ tag types, never
//            constructed); wrappers hold it through std::shared_ptr with a
//            deleter that drops one native reference (nanobind/stl/
//            shared_ptr.h). Getters return a new reference as a shared_ptr;
//            nanobind's instance map (inst_c2p, keyed by pointer and type)
//            hands back the live wrapper of that address and the extra
//            reference is dropped, else a new wrapper keeps it. This is how a
//            nanobind user binds a refcounted C library without writing a
//            cache: identity by pointer while the wrapper lives. (A C++
//            handle class returned by value would get a new wrapper per
//            access, like ctypes.) Constructors are nb::new_, so a Python
//            subclass instance is nanobind's proxy of a base-typed wrapper,
//            and fields find that base wrapper, not the subclass instance.
//
// intrusive  nanobind's intrusive reference counting (nanobind/intrusive):
//            a C++ class per native type derives from nb::intrusive_base and
//            owns one native reference; nb::intrusive_ptr tells nanobind to
//            call set_self_py, after which the object's count IS its
//            wrapper's refcount (the C++ object points at its wrapper). C++
//            objects hold their children with nb::ref, as intrusive users'
//            classes do, so a child's wrapper lives as long as its parent's
//            C++ object. Fields read the child from the C library and map it
//            to its one C++ object through a side table (ffi_obj * -> object;
//            ffi_native_api.h exposes no header slot), then return nb::ref,
//            whose caster answers with self_py(): the back-pointer. The
//            wrapper-visible edges (children) are reported to the GC with a
//            tp_traverse, as nanobind's docs ask for types that own Python
//            references.
//
// Catalogue v2: plain's Var(name, intern=True) is an nb::new_ returning the
// interned native's (live) object, as nanobind's test46_custom_new does
// (intrusive's Var is built in place by nb::init, which an nb::new_ cannot
// overload); visit_offset takes a std::function (nanobind/stl/function.h).
// No Derived/Holder and no disown: see the adapter's why_not.
//
// Pickling: plain reduces node style with __reduce__ (cls, (children...),
// __dict__) because shared_ptr-held instances cannot be rebuilt in place;
// intrusive
// uses __getstate__/__setstate__ with placement new (nanobind's documented
// idiom), the state being the child wrappers. Both: nb::dynamic_attr() and
// nb::is_weak_referenceable().
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>
#include <nanobind/intrusive/counter.h>
#include <nanobind/intrusive/ref.h>
#include <nanobind/intrusive/counter.inl>   // the counter's code, in exactly one TU

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

extern "C" {
#include "../../model/ffi_native_api.h"
}

#ifndef NB_ADAPTER_MODULE
#  define NB_ADAPTER_MODULE _adapter_nanobind
#endif

namespace nb = nanobind;
using namespace nb::literals;

// A NULL from a constructor or getter is out of memory (or a bad index).
static ffi_obj *checked(ffi_obj *o)
{
    if (!o)
        throw std::bad_alloc();
    return o;
}

// ---------------------------------------------------------------- plain --
namespace plain {

// C++ names for native objects: a pointer to one of these is the native
// address itself. Not constructible; only ever pointed at.
struct Expr {
    Expr() = delete;
    Expr(const Expr &) = delete;
};
struct Var : Expr {};
struct Add : Expr {};
struct Layout {
    Layout() = delete;
    Layout(const Layout &) = delete;
};
struct Node {
    Node() = delete;
    Node(const Node &) = delete;
};
struct Outer {
    Outer() = delete;
    Outer(const Outer &) = delete;
};
// The Outer's leading member: same address, its own type.
struct Inner {
    Inner() = delete;
    Inner(const Inner &) = delete;
};

template <class T>
ffi_obj *native(T *x)
{
    return reinterpret_cast<ffi_obj *>(x);
}

// One native reference, owned by a shared_ptr.
template <class T>
std::shared_ptr<T> own(ffi_obj *o)
{
    return std::shared_ptr<T>(reinterpret_cast<T *>(checked(o)),
                              [](T *x) { ffn_decref(native(x)); });
}

nb::tuple exprs(ffi_obj *o, size_t n, ffi_obj *(*get)(ffi_obj *, size_t))
{
    nb::list out;
    for (size_t i = 0; i < n; i++)
        out.append(nb::cast(own<Expr>(get(o, i))));
    return nb::tuple(out);
}

nb::tuple axes(Layout &l)
{
    return exprs(native(&l), ffn_layout_naxes(native(&l)), ffn_layout_axis);
}

nb::tuple children(Node &n)
{
    nb::list out;
    for (size_t i = 0, k = ffn_node_count(native(&n)); i < k; i++)
        out.append(nb::cast(own<Node>(ffn_node_child(native(&n), i))));
    return nb::tuple(out);
}

std::shared_ptr<Expr> add_a(Add &x) { return own<Expr>(ffn_add_a(native(&x))); }
std::shared_ptr<Expr> add_b(Add &x) { return own<Expr>(ffn_add_b(native(&x))); }
std::shared_ptr<Expr> offset(Layout &l) { return own<Expr>(ffn_layout_offset(native(&l))); }

template <class T>
std::vector<ffi_obj *> natives(const std::vector<T *> &v)
{
    std::vector<ffi_obj *> out;
    for (T *x : v)
        out.push_back(native(x));
    return out;
}

}  // namespace plain

// An Expr's Python type follows the native kind (the tags are not polymorphic).
namespace nanobind::detail {
template <>
struct type_hook<plain::Expr> {
    static const std::type_info *get(plain::Expr *e)
    {
        if (e && ffn_kind(plain::native(e)) == FFN_VAR)
            return &typeid(plain::Var);
        if (e && ffn_kind(plain::native(e)) == FFN_ADD)
            return &typeid(plain::Add);
        return &typeid(plain::Expr);
    }
};
}  // namespace nanobind::detail

static void bind_plain(nb::module_ m)
{
    using namespace plain;
    nb::class_<Expr>(m, "Expr", nb::dynamic_attr(), nb::is_weak_referenceable());

    nb::class_<Var, Expr>(m, "Var", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](const std::string &name) { return own<Var>(ffn_var_new(name.c_str())); }),
             "name"_a)
        .def(nb::new_([](const std::string &name, bool intern) {
                 return own<Var>((intern ? ffn_var_intern : ffn_var_new)(name.c_str()));
             }),
             "name"_a, nb::kw_only(), "intern"_a)
        .def_prop_ro("name", [](Var &v) { return std::string(ffn_var_name(native(&v))); })
        .def("__reduce__", [](nb::handle self) {
            return nb::make_tuple(self.type(), nb::make_tuple(self.attr("name")), self.attr("__dict__"));
        });

    nb::class_<Add, Expr>(m, "Add", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](Expr *a, Expr *b) { return own<Add>(ffn_add_new(native(a), native(b))); }),
             "a"_a, "b"_a)
        .def_prop_ro("a", add_a)
        .def_prop_ro("b", add_b)
        .def("__reduce__", [](nb::handle self) {
            Add &x = nb::cast<Add &>(self);
            return nb::make_tuple(self.type(), nb::make_tuple(add_a(x), add_b(x)), self.attr("__dict__"));
        });

    nb::class_<Layout>(m, "Layout", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](const std::vector<Expr *> &axes, Expr *offset) {
                 std::vector<ffi_obj *> v = natives(axes);
                 return own<Layout>(ffn_layout_new(v.data(), v.size(), native(offset)));
             }),
             "axes"_a, "offset"_a)
        .def_prop_ro("axes", axes)
        .def_prop_ro("offset", offset)
        .def("__reduce__", [](nb::handle self) {
            Layout &l = nb::cast<Layout &>(self);
            return nb::make_tuple(self.type(), nb::make_tuple(axes(l), offset(l)), self.attr("__dict__"));
        });

    nb::class_<Node>(m, "Node", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](int64_t tag, const std::vector<Node *> &children) {
                 std::vector<ffi_obj *> v = natives(children);
                 return own<Node>(ffn_node_new(tag, v.data(), v.size()));
             }),
             "tag"_a, "children"_a = nb::tuple())
        .def_prop_ro("tag", [](Node &n) { return ffn_node_tag(native(&n)); })
        .def_prop_ro("children", children)
        .def("__reduce__", [](nb::handle self) {
            Node &n = nb::cast<Node &>(self);
            return nb::make_tuple(self.type(), nb::make_tuple(ffn_node_tag(native(&n)), children(n)), self.attr("__dict__"));
        });

    nb::class_<Inner>(m, "Inner", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def_prop_ro("value", [](Inner &i) { return ffn_outer_value(native(&i)); });

    nb::class_<Outer>(m, "Outer", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](int64_t value) { return own<Outer>(ffn_outer_new(value)); }), "value"_a)
        .def_prop_ro("value", [](Outer &o) { return ffn_outer_value(native(&o)); })
        // The view is the same address as a different type; it keeps its Outer alive.
        .def_prop_ro("inner", [](Outer &o) { return reinterpret_cast<Inner *>(&o); },
                     nb::rv_policy::reference_internal)
        .def("__reduce__", [](nb::handle self) {
            return nb::make_tuple(self.type(), nb::make_tuple(self.attr("value")), self.attr("__dict__"));
        });

    m.def("visit_offset", [](Layout &l, const std::function<std::shared_ptr<Expr>(std::shared_ptr<Expr>)> &fn) {
        return fn(offset(l));
    });

    auto address = [](auto &x) { return reinterpret_cast<uintptr_t>(&x); };
    m.def("handle", [=](Expr &x) { return address(x); });
    m.def("handle", [=](Layout &x) { return address(x); });
    m.def("handle", [=](Node &x) { return address(x); });
    m.def("handle", [=](Outer &x) { return address(x); });
    m.def("handle", [=](Inner &x) { return address(x); });
}

// ------------------------------------------------------------ intrusive --
namespace intr {

struct Object;
// The one C++ object of each native object (ffi_native_api.h gives no access
// to the header's pointer slot). Touched with the GIL held only.
std::unordered_map<ffi_obj *, Object *> objects;

struct Object : nb::intrusive_base {
    explicit Object(ffi_obj *o) : p(checked(o)) { objects[p] = this; }
    Object(const Object &) = delete;
    Object &operator=(const Object &) = delete;
    ~Object() override
    {
        objects.erase(p);
        ffn_decref(p);
    }
    ffi_obj *const p;   // one native reference
};

struct Expr : Object {
    using Object::Object;
};

nb::ref<Expr> expr_of(ffi_obj *o);   // the C++ object of a native child
template <class T>
nb::ref<T> object_of(ffi_obj *o);

struct Var : Expr {
    explicit Var(const std::string &name) : Expr(ffn_var_new(name.c_str())) {}
    explicit Var(ffi_obj *o) : Expr(o) {}
    std::string name() const { return ffn_var_name(p); }
};

struct Add : Expr {
    Add(Expr *x, Expr *y) : Expr(ffn_add_new(x->p, y->p)), a(x), b(y) {}
    explicit Add(ffi_obj *o) : Expr(o)
    {
        a = expr_of(ffn_add_a(p));
        b = expr_of(ffn_add_b(p));
    }
    template <class F>
    void children(F f) const { f(a.get()), f(b.get()); }
    nb::ref<Expr> a, b;   // the C++ side holds its children
};

std::vector<ffi_obj *> natives(const std::vector<Expr *> &v)
{
    std::vector<ffi_obj *> out;
    for (Expr *x : v)
        out.push_back(x->p);
    return out;
}

struct Layout : Object {
    Layout(const std::vector<Expr *> &x, Expr *o)
        : Object([&] {
              std::vector<ffi_obj *> v = natives(x);
              return ffn_layout_new(v.data(), v.size(), o->p);
          }()),
          axes(x.begin(), x.end()), offset(o)
    {
    }
    template <class F>
    void children(F f) const
    {
        for (auto &x : axes)
            f(x.get());
        f(offset.get());
    }
    std::vector<nb::ref<Expr>> axes;
    nb::ref<Expr> offset;
};

struct Node : Object {
    Node(int64_t tag, const std::vector<Node *> &c)
        : Object([&] {
              std::vector<ffi_obj *> v;
              for (Node *n : c)
                  v.push_back(n->p);
              return ffn_node_new(tag, v.data(), v.size());
          }()),
          kids(c.begin(), c.end())
    {
    }
    explicit Node(ffi_obj *o) : Object(o)
    {
        for (size_t i = 0, k = ffn_node_count(p); i < k; i++)
            kids.push_back(object_of<Node>(ffn_node_child(p, i)));
    }
    template <class F>
    void children(F f) const
    {
        for (auto &x : kids)
            f(x.get());
    }
    std::vector<nb::ref<Node>> kids;
};

// The Outer's leading member as a C++ view: the same native address.
struct Inner {
    ffi_obj *p;
};

struct Outer : Object {
    explicit Outer(int64_t value) : Object(ffn_outer_new(value)), inner{p} {}
    Inner inner;
};

// A new native reference -> its one C++ object (made on first sight; every
// object this suite builds was made through a constructor, so the table has it).
template <class T>
nb::ref<T> object_of(ffi_obj *o)
{
    auto it = objects.find(checked(o));
    if (it != objects.end()) {
        ffn_decref(o);   // the object holds a reference of its own
        return nb::ref<T>(static_cast<T *>(it->second));
    }
    return nb::ref<T>(new T(o));
}

nb::ref<Expr> expr_of(ffi_obj *o)
{
    if (ffn_kind(checked(o)) == FFN_ADD)
        return nb::ref<Expr>(object_of<Add>(o).get());
    return nb::ref<Expr>(object_of<Var>(o).get());
}

nb::ref<Expr> add_a(Add &x) { return expr_of(ffn_add_a(x.p)); }
nb::ref<Expr> add_b(Add &x) { return expr_of(ffn_add_b(x.p)); }
nb::ref<Expr> offset(Layout &l) { return expr_of(ffn_layout_offset(l.p)); }

nb::tuple axes(Layout &l)
{
    nb::list out;
    for (size_t i = 0, n = ffn_layout_naxes(l.p); i < n; i++)
        out.append(nb::cast(expr_of(ffn_layout_axis(l.p, i))));
    return nb::tuple(out);
}

nb::tuple children(Node &n)
{
    nb::list out;
    for (size_t i = 0, k = ffn_node_count(n.p); i < k; i++)
        out.append(nb::cast(object_of<Node>(ffn_node_child(n.p, i))));
    return nb::tuple(out);
}

// GC support: an object's dict (dynamic_attr) and the wrappers its C++
// children's references keep alive.
template <class T>
int traverse(PyObject *self, visitproc visit, void *arg)
{
    PyObject **dict = _PyObject_GetDictPtr(self);
    if (dict)
        Py_VISIT(*dict);
    Py_VISIT(Py_TYPE(self));
    if (!nb::inst_ready(self))
        return 0;
    int rc = 0;
    nb::inst_ptr<T>(self)->children([&](const Object *c) {
        PyObject *py = c ? c->self_py() : nullptr;
        if (py && !rc)
            rc = visit(py, arg);
    });
    return rc;
}

int clear(PyObject *self)
{
    PyObject **dict = _PyObject_GetDictPtr(self);
    if (dict)
        Py_CLEAR(*dict);
    return 0;
}

template <class T>
struct Slots {
    static inline PyType_Slot slots[] = {{Py_tp_traverse, (void *)traverse<T>},
                                         {Py_tp_clear, (void *)clear},
                                         {0, nullptr}};
};

}  // namespace intr

static void bind_intrusive(nb::module_ m)
{
    using namespace intr;

    nb::intrusive_init(
        [](PyObject *o) noexcept {
            nb::gil_scoped_acquire guard;
            if (guard.is_valid())
                Py_INCREF(o);
        },
        [](PyObject *o) noexcept {
            nb::gil_scoped_acquire guard;
            if (guard.is_valid())
                Py_DECREF(o);
        });

    nb::class_<Object>(m, "Object",
                       nb::intrusive_ptr<Object>([](Object *o, PyObject *po) noexcept { o->set_self_py(po); }),
                       nb::dynamic_attr(), nb::is_weak_referenceable());

    nb::class_<Expr, Object>(m, "Expr");

    nb::class_<Var, Expr>(m, "Var")
        .def(nb::init<const std::string &>(), "name"_a)
        .def_prop_ro("name", &Var::name)
        .def("__getstate__", [](Var &v) { return std::make_tuple(v.name()); })
        .def("__setstate__",
             [](Var &v, const std::tuple<std::string> &s) { new (&v) Var(std::get<0>(s)); });

    nb::class_<Add, Expr>(m, "Add", nb::type_slots(Slots<Add>::slots))
        .def(nb::init<Expr *, Expr *>(), "a"_a, "b"_a)
        .def_prop_ro("a", add_a)
        .def_prop_ro("b", add_b)
        .def("__getstate__", [](Add &x) { return std::make_tuple(add_a(x), add_b(x)); })
        .def("__setstate__", [](Add &x, const std::tuple<Expr *, Expr *> &s) {
            new (&x) Add(std::get<0>(s), std::get<1>(s));
        });

    nb::class_<Layout, Object>(m, "Layout", nb::type_slots(Slots<Layout>::slots))
        .def(nb::init<const std::vector<Expr *> &, Expr *>(), "axes"_a, "offset"_a)
        .def_prop_ro("axes", axes)
        .def_prop_ro("offset", offset)
        .def("__getstate__", [](Layout &l) { return nb::make_tuple(axes(l), offset(l)); })
        .def("__setstate__", [](Layout &l, const std::tuple<std::vector<Expr *>, Expr *> &s) {
            new (&l) Layout(std::get<0>(s), std::get<1>(s));
        });

    nb::class_<Node, Object>(m, "Node", nb::type_slots(Slots<Node>::slots))
        .def(nb::init<int64_t, const std::vector<Node *> &>(), "tag"_a, "children"_a = nb::tuple())
        .def_prop_ro("tag", [](Node &n) { return ffn_node_tag(n.p); })
        .def_prop_ro("children", children)
        .def("__getstate__", [](Node &n) { return nb::make_tuple(ffn_node_tag(n.p), children(n)); })
        .def("__setstate__", [](Node &n, const std::tuple<int64_t, std::vector<Node *>> &s) {
            new (&n) Node(std::get<0>(s), std::get<1>(s));
        });

    nb::class_<Inner>(m, "Inner", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def_prop_ro("value", [](Inner &i) { return ffn_outer_value(i.p); });

    nb::class_<Outer, Object>(m, "Outer")
        .def(nb::init<int64_t>(), "value"_a)
        .def_prop_ro("value", [](Outer &o) { return ffn_outer_value(o.p); })
        .def_prop_ro("inner", [](Outer &o) { return &o.inner; }, nb::rv_policy::reference_internal)
        .def("__getstate__", [](Outer &o) { return std::make_tuple(ffn_outer_value(o.p)); })
        .def("__setstate__",
             [](Outer &o, const std::tuple<int64_t> &s) { new (&o) Outer(std::get<0>(s)); });

    m.def("visit_offset", [](Layout &l, const std::function<nb::ref<Expr>(nb::ref<Expr>)> &fn) {
        return fn(offset(l));
    });

    // The native address a wrapper stands for.
    m.def("handle", [](Object &o) { return reinterpret_cast<uintptr_t>(o.p); });
    m.def("handle", [](Inner &i) { return reinterpret_cast<uintptr_t>(i.p); });
    m.def("objects", []() { return objects.size(); }, "C++ objects in the side table");
}

// The C++ object model (cpp_model.hpp), adapter_nanobind_cpp.cpp compiled twice.
void bind_cpp(nb::module_ m);
void bind_cpp_factory(nb::module_ m);

NB_MODULE(NB_ADAPTER_MODULE, m)
{
    m.doc() = "The ffi-identity object model bound with nanobind: the C library (ffi_native_api.h) "
              "as submodules 'plain' (shared_ptr over the native objects, identity from nanobind's "
              "instance map) and 'intrusive' (nb::intrusive_base C++ objects whose count is their "
              "wrapper's); the C++ model (cpp_model.hpp) as 'cpp' (natives made from Python, nb::init) "
              "and 'cpp_factory' (natives made by C++ factories, nb::new_).";
    bind_plain(m.def_submodule("plain", "shared_ptr over the native objects"));
    bind_intrusive(m.def_submodule("intrusive", "nanobind intrusive reference counting"));
    bind_cpp(m.def_submodule("cpp", "the C++ model, shared_ptr holders, natives made from Python"));
    bind_cpp_factory(m.def_submodule("cpp_factory", "the C++ model, shared_ptr holders, natives made in C++"));
    m.def("native_live", []() { return ffn_live(); }, "native objects alive in this module's copy of the model");
}
