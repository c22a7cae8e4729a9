// The C library of native.h bound with nanobind's intrusive reference
// counting (nanobind/intrusive): one C++ object per native object derives
// from nb::intrusive_base and owns one native reference; once nanobind has
// wrapped it, its count is its Python object's (set_self_py), and C++
// objects hold their children with nb::ref, so a child's Python object
// lives as long as its parent's C++ object. A side table maps each native
// object to its C++ object (native.h gives no slot for one).
#include <nanobind/nanobind.h>
#include <nanobind/intrusive/counter.h>
#include <nanobind/intrusive/ref.h>
#include <nanobind/intrusive/counter.inl>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>
// @if callback
#include <nanobind/stl/function.h>
// @end
#include <new>
#include <unordered_map>

extern "C" {
#include "native.h"
}

namespace nb = nanobind;
using namespace nb::literals;

struct Object;
std::unordered_map<native_obj *, Object *> objects;   // native object -> its C++ object

struct Object : nb::intrusive_base {
    explicit Object(native_obj *o) : p(o) { objects[p] = this; }
    ~Object() override
    {
        objects.erase(p);
        native_decref(p);
    }
    native_obj *const p;   // one native reference
};

struct Expr : Object {
    using Object::Object;
};
nb::ref<Expr> expr_of(native_obj *o);
template <class T>
nb::ref<T> object_of(native_obj *o);

struct Var : Expr {
    explicit Var(const std::string &name) : Expr(native_var_new(name.c_str())) {}
    explicit Var(native_obj *o) : Expr(o) {}
    std::string name() const { return native_var_name(p); }
};

struct Add : Expr {
    Add(Expr *x, Expr *y) : Expr(native_add_new(x->p, y->p)), a(x), b(y) {}
    explicit Add(native_obj *o) : Expr(o), a(expr_of(native_add_a(o))), b(expr_of(native_add_b(o))) {}
    template <class F>
    void children(F f) const { f(a.get()), f(b.get()); }
    nb::ref<Expr> a, b;   // the C++ side holds its children
};

std::vector<native_obj *> natives(const std::vector<Expr *> &v)
{
    std::vector<native_obj *> out;
    for (Expr *x : v)
        out.push_back(x->p);
    return out;
}

struct Layout : Object {
    Layout(const std::vector<Expr *> &x, Expr *o)
        : Object(native_layout_new(natives(x).data(), x.size(), o->p)), axes(x.begin(), x.end()), offset(o) {}
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
// @if node

struct Node : Object {
    Node(int64_t tag, const std::vector<Node *> &c) : Object(make(tag, c)), kids(c.begin(), c.end()) {}
    explicit Node(native_obj *o) : Object(o)
    {
        for (size_t i = 0; i < native_node_count(o); i++)
            kids.push_back(object_of<Node>(native_node_child(o, i)));
    }
    static native_obj *make(int64_t tag, const std::vector<Node *> &c)
    {
        std::vector<native_obj *> v;
        for (Node *n : c)
            v.push_back(n->p);
        return native_node_new(tag, v.data(), v.size());
    }
    template <class F>
    void children(F f) const
    {
        for (auto &x : kids)
            f(x.get());
    }
    std::vector<nb::ref<Node>> kids;
};
// @end

// A new native reference -> its one C++ object (made on first sight).
template <class T>
nb::ref<T> object_of(native_obj *o)
{
    auto it = objects.find(o);
    if (it == objects.end())
        return nb::ref<T>(new T(o));
    native_decref(o);   // the object holds a reference of its own
    return nb::ref<T>(static_cast<T *>(it->second));
}

nb::ref<Expr> expr_of(native_obj *o)
{
    if (native_kind(o) == NATIVE_ADD)
        return nb::ref<Expr>(object_of<Add>(o).get());
    return nb::ref<Expr>(object_of<Var>(o).get());
}

nb::ref<Expr> add_a(Add &x) { return expr_of(native_add_a(x.p)); }
nb::ref<Expr> add_b(Add &x) { return expr_of(native_add_b(x.p)); }
nb::ref<Expr> offset(Layout &l) { return expr_of(native_layout_offset(l.p)); }
nb::tuple axes(Layout &l)
{
    nb::list out;
    for (size_t i = 0; i < native_layout_naxes(l.p); i++)
        out.append(nb::cast(expr_of(native_layout_axis(l.p, i))));
    return nb::tuple(out);
}
// @if node
nb::tuple children(Node &n)
{
    nb::list out;
    for (size_t i = 0; i < native_node_count(n.p); i++)
        out.append(nb::cast(object_of<Node>(native_node_child(n.p, i))));
    return nb::tuple(out);
}
// @end

// The garbage collector sees an object's __dict__ and the Python objects
// its C++ children keep alive (nanobind's docs ask for this of types that
// own Python references).
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
PyType_Slot slots[] = {{Py_tp_traverse, (void *)traverse<T>}, {Py_tp_clear, (void *)clear}, {0, nullptr}};

NB_MODULE(model, m)
{
    m.attr("TOOL") = "nanobind " + std::to_string(NB_VERSION_MAJOR) + "." + std::to_string(NB_VERSION_MINOR) +
                     "." + std::to_string(NB_VERSION_PATCH) + ", intrusive reference counting";
    nb::intrusive_init([](PyObject *o) noexcept { nb::gil_scoped_acquire g; Py_INCREF(o); },
                       [](PyObject *o) noexcept { nb::gil_scoped_acquire g; Py_DECREF(o); });

    nb::class_<Object>(m, "Object",
                       nb::intrusive_ptr<Object>([](Object *o, PyObject *po) noexcept { o->set_self_py(po); }),
                       nb::dynamic_attr(), nb::is_weak_referenceable());
    nb::class_<Expr, Object>(m, "Expr");

    nb::class_<Var, Expr>(m, "Var")
        .def(nb::init<const std::string &>(), "name"_a)
        // @if pickle
        // Pickling in nanobind's documented form: __setstate__ builds the object in place.
        .def("__getstate__", [](Var &v) { return std::make_tuple(v.name()); })
        .def("__setstate__", [](Var &v, const std::tuple<std::string> &s) { new (&v) Var(std::get<0>(s)); })
        // @end
        .def_prop_ro("name", &Var::name);

    nb::class_<Add, Expr>(m, "Add", nb::type_slots(slots<Add>))
        .def(nb::init<Expr *, Expr *>(), "a"_a, "b"_a)
        // @if pickle
        .def("__getstate__", [](Add &x) { return std::make_tuple(add_a(x), add_b(x)); })
        .def("__setstate__", [](Add &x, const std::tuple<Expr *, Expr *> &s) {
            new (&x) Add(std::get<0>(s), std::get<1>(s));
        })
        // @end
        .def_prop_ro("a", add_a)
        .def_prop_ro("b", add_b);

    nb::class_<Layout, Object>(m, "Layout", nb::type_slots(slots<Layout>))
        .def(nb::init<const std::vector<Expr *> &, Expr *>(), "axes"_a, "offset"_a)
        // @if pickle
        .def("__getstate__", [](Layout &l) { return nb::make_tuple(axes(l), offset(l)); })
        .def("__setstate__", [](Layout &l, const std::tuple<std::vector<Expr *>, Expr *> &s) {
            new (&l) Layout(std::get<0>(s), std::get<1>(s));
        })
        // @end
        .def_prop_ro("axes", axes)
        .def_prop_ro("offset", offset);
    // @if node

    nb::class_<Node, Object>(m, "Node", nb::type_slots(slots<Node>))
        .def(nb::init<int64_t, const std::vector<Node *> &>(), "tag"_a, "children"_a = nb::tuple())
        // @if pickle
        .def("__getstate__", [](Node &n) { return nb::make_tuple(native_node_tag(n.p), children(n)); })
        .def("__setstate__", [](Node &n, const std::tuple<int64_t, std::vector<Node *>> &s) {
            new (&n) Node(std::get<0>(s), std::get<1>(s));
        })
        // @end
        .def_prop_ro("tag", [](Node &n) { return native_node_tag(n.p); })
        .def_prop_ro("children", children);
    // @end
    // @if callback

    m.def("visit_offset", [](Layout &l, const std::function<nb::ref<Expr>(nb::ref<Expr>)> &fn) {
        return fn(offset(l));
    });
    // @end

    m.def("addr", [](Object &o) { return reinterpret_cast<uintptr_t>(o.p); });
    m.def("live", []() { return native_live(); });
}
