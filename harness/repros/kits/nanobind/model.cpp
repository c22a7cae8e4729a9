// The C library of native.h bound with nanobind, the way a nanobind user
// binds a reference-counted C library without writing a cache: nb::class_
// over the native objects themselves (a Var * here is the native_obj * of
// a Var), held by std::shared_ptr whose deleter drops one reference.
// Getters return a new reference as a shared_ptr; nanobind's instance map
// decides which Python object comes back.
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
// @if callback
#include <nanobind/stl/function.h>
// @end

extern "C" {
#include "native.h"
}

namespace nb = nanobind;
using namespace nb::literals;

// C++ names for native objects: only ever pointed at, never constructed.
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
// @if node
struct Node {
    Node() = delete;
    Node(const Node &) = delete;
};
// @end

template <class T>
native_obj *native(T *x) { return reinterpret_cast<native_obj *>(x); }

// One native reference, owned by a shared_ptr.
template <class T>
std::shared_ptr<T> own(native_obj *o)
{
    return std::shared_ptr<T>(reinterpret_cast<T *>(o), [](T *x) { native_decref(native(x)); });
}

template <class T>
std::vector<native_obj *> natives(const std::vector<T *> &v)
{
    std::vector<native_obj *> out;
    for (T *x : v)
        out.push_back(native(x));
    return out;
}

nb::tuple axes(Layout &l)
{
    nb::list out;
    for (size_t i = 0; i < native_layout_naxes(native(&l)); i++)
        out.append(nb::cast(own<Expr>(native_layout_axis(native(&l), i))));
    return nb::tuple(out);
}
std::shared_ptr<Expr> offset(Layout &l) { return own<Expr>(native_layout_offset(native(&l))); }
std::shared_ptr<Expr> add_a(Add &x) { return own<Expr>(native_add_a(native(&x))); }
std::shared_ptr<Expr> add_b(Add &x) { return own<Expr>(native_add_b(native(&x))); }
// @if node

nb::tuple children(Node &n)
{
    nb::list out;
    for (size_t i = 0; i < native_node_count(native(&n)); i++)
        out.append(nb::cast(own<Node>(native_node_child(native(&n), i))));
    return nb::tuple(out);
}
// @end

// A field typed Expr comes back as the Python type of the native kind.
namespace nanobind::detail {
template <>
struct type_hook<Expr> {
    static const std::type_info *get(Expr *e)
    {
        return native_kind(native(e)) == NATIVE_VAR ? &typeid(Var) : &typeid(Add);
    }
};
}  // namespace nanobind::detail

NB_MODULE(model, m)
{
    m.attr("TOOL") = "nanobind " + std::to_string(NB_VERSION_MAJOR) + "." + std::to_string(NB_VERSION_MINOR) +
                     "." + std::to_string(NB_VERSION_PATCH);
    nb::class_<Expr>(m, "Expr", nb::dynamic_attr(), nb::is_weak_referenceable());

    nb::class_<Var, Expr>(m, "Var", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](const std::string &name) { return own<Var>(native_var_new(name.c_str())); }), "name"_a)
        // @if intern
        // An interning constructor: an nb::new_ returning the live object.
        .def(nb::new_([](const std::string &name, bool intern) {
                 return own<Var>((intern ? native_var_intern : native_var_new)(name.c_str()));
             }),
             "name"_a, "intern"_a)
        // @end
        // @if pickle
        .def("__reduce__", [](nb::handle self) {
            return nb::make_tuple(self.type(), nb::make_tuple(self.attr("name")), self.attr("__dict__"));
        })
        // @end
        .def_prop_ro("name", [](Var &v) { return std::string(native_var_name(native(&v))); });

    nb::class_<Add, Expr>(m, "Add", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](Expr *a, Expr *b) { return own<Add>(native_add_new(native(a), native(b))); }), "a"_a, "b"_a)
        // @if pickle
        .def("__reduce__", [](nb::handle self) {
            Add &x = nb::cast<Add &>(self);
            return nb::make_tuple(self.type(), nb::make_tuple(add_a(x), add_b(x)), self.attr("__dict__"));
        })
        // @end
        .def_prop_ro("a", add_a)
        .def_prop_ro("b", add_b);

    nb::class_<Layout>(m, "Layout", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](const std::vector<Expr *> &x, Expr *o) {
                 std::vector<native_obj *> v = natives(x);
                 return own<Layout>(native_layout_new(v.data(), v.size(), native(o)));
             }),
             "axes"_a, "offset"_a)
        // @if pickle
        .def("__reduce__", [](nb::handle self) {
            Layout &l = nb::cast<Layout &>(self);
            return nb::make_tuple(self.type(), nb::make_tuple(axes(l), offset(l)), self.attr("__dict__"));
        })
        // @end
        .def_prop_ro("axes", axes)
        .def_prop_ro("offset", offset);
    // @if node

    nb::class_<Node>(m, "Node", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def(nb::new_([](int64_t tag, const std::vector<Node *> &c) {
                 std::vector<native_obj *> v = natives(c);
                 return own<Node>(native_node_new(tag, v.data(), v.size()));
             }),
             "tag"_a, "children"_a = nb::tuple())
        // @if pickle
        .def("__reduce__", [](nb::handle self) {
            Node &n = nb::cast<Node &>(self);
            return nb::make_tuple(self.type(), nb::make_tuple(native_node_tag(native(&n)), children(n)),
                                  self.attr("__dict__"));
        })
        // @end
        .def_prop_ro("tag", [](Node &n) { return native_node_tag(native(&n)); })
        .def_prop_ro("children", children);
    m.def("addr", [](Node &x) { return reinterpret_cast<uintptr_t>(&x); });
    // @end
    // @if callback

    m.def("visit_offset", [](Layout &l, const std::function<std::shared_ptr<Expr>(std::shared_ptr<Expr>)> &fn) {
        return fn(offset(l));
    });
    // @end

    m.def("addr", [](Expr &x) { return reinterpret_cast<uintptr_t>(&x); });
    m.def("addr", [](Layout &x) { return reinterpret_cast<uintptr_t>(&x); });
    m.def("live", []() { return native_live(); });
}
