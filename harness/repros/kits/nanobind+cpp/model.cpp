// The C++ object model of model.hpp bound with nanobind the way its
// documentation binds std::shared_ptr-held classes (nanobind/stl/shared_ptr.h):
// fields return the shared_ptr they hold; nb::dynamic_attr() for instance
// attributes, nb::is_weak_referenceable() for weak references.
// @if cpp_factory
// The objects are made by the library's C++ factories (model.hpp,
// namespace factory), bound as constructors with nb::new_: every
// shared_ptr the model holds was made in C++, none converted from Python.
// @else
// The objects are made from Python (nb::init): a shared_ptr that nanobind
// converts from a Python argument keeps that Python object alive.
// @end
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
// @if callback
#include <nanobind/stl/function.h>
// @end

#include "model.hpp"

namespace nb = nanobind;
using namespace nb::literals;

template <class T>
nb::tuple as_tuple(const std::vector<std::shared_ptr<T>> &v)
{
    nb::list out;
    for (const auto &x : v)
        out.append(nb::cast(x));
    return nb::tuple(out);
}

template <class T>
uintptr_t address(const T &x) { return reinterpret_cast<uintptr_t>(&x); }
// @if pickle

// Pickling through __reduce__: the class, the constructor's arguments, the
// instance's __dict__ (which pickle restores).
template <class T, class Args>
auto reduce(Args args)
{
    return [args](nb::handle self) {
        return nb::make_tuple(self.type(), args(nb::cast<const T &>(self)), self.attr("__dict__"));
    };
}
// @end

NB_MODULE(model, m)
{
    m.attr("TOOL") = "nanobind " + std::to_string(NB_VERSION_MAJOR) + "." + std::to_string(NB_VERSION_MINOR) +
                     "." + std::to_string(NB_VERSION_PATCH);

    nb::class_<Expr>(m, "Expr", nb::dynamic_attr(), nb::is_weak_referenceable());

    nb::class_<Var, Expr>(m, "Var", nb::dynamic_attr(), nb::is_weak_referenceable())
        // @if cpp_factory
        .def(nb::new_(&factory::var), "name"_a)
        // @if intern
        // An interning constructor: an nb::new_ overload returning the live Var.
        .def(nb::new_([](const std::string &name, bool intern) { return intern ? intern_var(name) : factory::var(name); }),
             "name"_a, "intern"_a)
        // @end
        // @else
        .def(nb::init<std::string>(), "name"_a)
        // @end
        // @if pickle
        .def("__reduce__", reduce<Var>([](const Var &v) { return nb::make_tuple(v.name); }))
        // @end
        .def_prop_ro("name", [](const Var &v) { return v.name; });

    nb::class_<Add, Expr>(m, "Add", nb::dynamic_attr(), nb::is_weak_referenceable())
        // @if cpp_factory
        .def(nb::new_(&factory::add), "a"_a, "b"_a)
        // @else
        .def(nb::init<std::shared_ptr<Expr>, std::shared_ptr<Expr>>(), "a"_a, "b"_a)
        // @end
        // @if pickle
        .def("__reduce__", reduce<Add>([](const Add &x) { return nb::make_tuple(x.a, x.b); }))
        // @end
        .def_prop_ro("a", [](const Add &x) { return x.a; })
        .def_prop_ro("b", [](const Add &x) { return x.b; });

    nb::class_<Layout>(m, "Layout", nb::dynamic_attr(), nb::is_weak_referenceable())
        // @if cpp_factory
        .def(nb::new_(&factory::layout), "axes"_a, "offset"_a)
        // @else
        .def(nb::init<std::vector<std::shared_ptr<Expr>>, std::shared_ptr<Expr>>(), "axes"_a, "offset"_a)
        // @end
        // @if pickle
        .def("__reduce__", reduce<Layout>([](const Layout &l) { return nb::make_tuple(as_tuple(l.axes), l.offset); }))
        // @end
        .def_prop_ro("axes", [](const Layout &l) { return as_tuple(l.axes); })
        .def_prop_ro("offset", [](const Layout &l) { return l.offset; });
    // @if node

    nb::class_<Node>(m, "Node", nb::dynamic_attr(), nb::is_weak_referenceable())
        // @if cpp_factory
        .def(nb::new_(&factory::node), "tag"_a, "children"_a = nb::tuple())
        // @else
        .def(nb::init<int64_t, std::vector<std::shared_ptr<Node>>>(), "tag"_a, "children"_a = nb::tuple())
        // @end
        // @if pickle
        .def("__reduce__", reduce<Node>([](const Node &n) { return nb::make_tuple(n.tag, as_tuple(n.children)); }))
        // @end
        .def_prop_ro("tag", [](const Node &n) { return n.tag; })
        .def_prop_ro("children", [](const Node &n) { return as_tuple(n.children); });
    m.def("addr", [](const Node &x) { return address(x); });
    // @end
    // @if callback

    // A C++ function calling back (a std::function, nanobind/stl/function.h).
    m.def("visit_offset", [](const Layout &l, const std::function<std::shared_ptr<Expr>(std::shared_ptr<Expr>)> &fn) {
        return fn(l.offset);
    });
    // @end

    m.def("addr", [](const Expr &x) { return address(x); });
    m.def("addr", [](const Layout &x) { return address(x); });
    m.def("live", []() { return live_objects.load(); });
}
