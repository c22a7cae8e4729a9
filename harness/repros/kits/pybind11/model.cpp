// The object model of model.hpp bound with pybind11 the way its users bind
// shared C++ objects: std::shared_ptr holders, fields returning the
// shared_ptr they hold, py::dynamic_attr() for instance attributes.
// @if cpp_factory
// The objects are made by the library's C++ factories (model.hpp,
// namespace factory), bound as py::init factories.
// @end
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
// @if callback
#include <pybind11/functional.h>
// @end

#include "model.hpp"

namespace py = pybind11;

template <class T>
py::tuple as_tuple(const std::vector<std::shared_ptr<T>> &v)
{
    py::tuple t(v.size());
    for (size_t i = 0; i < v.size(); i++)
        t[i] = py::cast(v[i]);
    return t;
}

template <class T>
uintptr_t address(const T &x) { return reinterpret_cast<uintptr_t>(&x); }
// @if pickle

// Pickling with the instance's __dict__, in pybind11's documented form:
// the state is (fields, __dict__); the setter returns (new object, __dict__).
template <class T, class Fields, class Make>
auto pickle(Fields fields, Make make)
{
    return py::pickle(
        [fields](const py::object &self) { return py::make_tuple(fields(self.cast<const T &>()), self.attr("__dict__")); },
        [make](const py::tuple &s) { return std::make_pair(make(s[0].cast<py::tuple>()), s[1].cast<py::dict>()); });
}
// @end

PYBIND11_MODULE(model, m)
{
    m.attr("TOOL") = "pybind11 " + std::to_string(PYBIND11_VERSION_MAJOR) + "." +
                     std::to_string(PYBIND11_VERSION_MINOR) + "." + PYBIND11_TOSTRING(PYBIND11_VERSION_PATCH);

    py::class_<Expr, std::shared_ptr<Expr>>(m, "Expr", py::dynamic_attr());

    py::class_<Var, Expr, std::shared_ptr<Var>>(m, "Var", py::dynamic_attr())
        // @if cpp_factory
        .def(py::init(&factory::var), py::arg("name"))
        // @else
        .def(py::init<std::string>(), py::arg("name"))
        // @end
        // @if intern
        // An interning constructor, as pybind11 binds one: a py::init
        // factory returning the live object.
        .def(py::init([](const std::string &name, bool intern) {
                 return intern ? intern_var(name) : std::make_shared<Var>(name);
             }),
             py::arg("name"), py::arg("intern"))
        // @end
        // @if intern intern_static
        // The same factory as a static method.
        .def_static("interned", &intern_var, py::arg("name"))
        // @end
        // @if pickle
        // @if cpp_factory
        .def(pickle<Var>([](const Var &v) { return py::make_tuple(v.name); },
                         [](const py::tuple &t) { return factory::var(t[0].cast<std::string>()); }))
        // @else
        .def(pickle<Var>([](const Var &v) { return py::make_tuple(v.name); },
                         [](const py::tuple &t) { return std::make_shared<Var>(t[0].cast<std::string>()); }))
        // @end
        // @end
        .def_property_readonly("name", [](const Var &v) { return v.name; });

    py::class_<Add, Expr, std::shared_ptr<Add>>(m, "Add", py::dynamic_attr())
        // @if cpp_factory
        .def(py::init(&factory::add), py::arg("a"), py::arg("b"))
        // @if pickle
        .def(pickle<Add>([](const Add &x) { return py::make_tuple(x.a, x.b); },
                         [](const py::tuple &t) { return factory::add(t[0].cast<Expr &>(), t[1].cast<Expr &>()); }))
        // @end
        // @else
        .def(py::init<std::shared_ptr<Expr>, std::shared_ptr<Expr>>(), py::arg("a"), py::arg("b"))
        // @if pickle
        .def(pickle<Add>([](const Add &x) { return py::make_tuple(x.a, x.b); },
                         [](const py::tuple &t) {
                             return std::make_shared<Add>(t[0].cast<std::shared_ptr<Expr>>(),
                                                          t[1].cast<std::shared_ptr<Expr>>());
                         }))
        // @end
        // @end
        .def_property_readonly("a", [](const Add &x) { return x.a; })
        .def_property_readonly("b", [](const Add &x) { return x.b; });

    py::class_<Layout, std::shared_ptr<Layout>>(m, "Layout", py::dynamic_attr())
        // @if cpp_factory
        .def(py::init(&factory::layout), py::arg("axes"), py::arg("offset"))
        // @if pickle
        .def(pickle<Layout>([](const Layout &l) { return py::make_tuple(as_tuple(l.axes), l.offset); },
                            [](const py::tuple &t) {
                                return factory::layout(t[0].cast<std::vector<Expr *>>(), t[1].cast<Expr &>());
                            }))
        // @end
        // @else
        .def(py::init<std::vector<std::shared_ptr<Expr>>, std::shared_ptr<Expr>>(), py::arg("axes"), py::arg("offset"))
        // @if pickle
        .def(pickle<Layout>([](const Layout &l) { return py::make_tuple(as_tuple(l.axes), l.offset); },
                            [](const py::tuple &t) {
                                return std::make_shared<Layout>(t[0].cast<std::vector<std::shared_ptr<Expr>>>(),
                                                                t[1].cast<std::shared_ptr<Expr>>());
                            }))
        // @end
        // @end
        .def_property_readonly("axes", [](const Layout &l) { return as_tuple(l.axes); })
        .def_property_readonly("offset", [](const Layout &l) { return l.offset; });
    // @if node

    py::class_<Node, std::shared_ptr<Node>>(m, "Node", py::dynamic_attr())
        // @if cpp_factory
        .def(py::init(&factory::node), py::arg("tag"), py::arg("children") = std::vector<Node *>{})
        // @if pickle
        .def(pickle<Node>([](const Node &n) { return py::make_tuple(n.tag, as_tuple(n.children)); },
                          [](const py::tuple &t) {
                              return factory::node(t[0].cast<int64_t>(), t[1].cast<std::vector<Node *>>());
                          }))
        // @end
        // @else
        .def(py::init<int64_t, std::vector<std::shared_ptr<Node>>>(), py::arg("tag"),
             py::arg("children") = std::vector<std::shared_ptr<Node>>{})
        // @if pickle
        .def(pickle<Node>([](const Node &n) { return py::make_tuple(n.tag, as_tuple(n.children)); },
                          [](const py::tuple &t) {
                              return std::make_shared<Node>(t[0].cast<int64_t>(),
                                                            t[1].cast<std::vector<std::shared_ptr<Node>>>());
                          }))
        // @end
        // @end
        .def_property_readonly("tag", [](const Node &n) { return n.tag; })
        .def_property_readonly("children", [](const Node &n) { return as_tuple(n.children); });
    m.def("addr", [](const Node &x) { return address(x); });
    // @end
    // @if derived

    // Both bases bound: pybind11 then knows the second one sits at an offset.
    py::class_<First, std::shared_ptr<First>>(m, "First");
    py::class_<Second, std::shared_ptr<Second>>(m, "Second");
    py::class_<Derived, First, Second, std::shared_ptr<Derived>>(m, "Derived")
        // @if cpp_factory
        .def(py::init(&factory::derived), py::arg("value"))
        // @else
        .def(py::init<int64_t>(), py::arg("value"))
        // @end
        .def_property_readonly("value", [](const Derived &d) { return d.value; });
    py::class_<Holder, std::shared_ptr<Holder>>(m, "Holder")
        // @if cpp_factory
        .def(py::init(&factory::holder), py::arg("base"))
        // @else
        .def(py::init<std::shared_ptr<Second>>(), py::arg("base"))
        // @end
        .def_property_readonly("base", [](const Holder &h) { return h.base; });
    m.def("addr", [](const Derived &x) { return address(x); });
    m.def("addr", [](const Second &x) { return address(x); });
    // @end
    // @if callback

    // A C++ function calling back (a std::function, pybind11/functional.h).
    m.def("visit_offset", [](const Layout &l, const std::function<std::shared_ptr<Expr>(std::shared_ptr<Expr>)> &fn) {
        return fn(l.offset);
    });
    // @end

    m.def("addr", [](const Expr &x) { return address(x); });
    m.def("addr", [](const Layout &x) { return address(x); });
    m.def("live", []() { return live_objects.load(); });
}
