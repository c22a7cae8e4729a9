// The reference object model as a pybind11 user would write it: C++
// classes held by std::shared_ptr, fields returning shared_ptr children,
// py::pickle node by node (with __dict__), py::dynamic_attr for __dict__. pybind11 itself
// decides identity: its registered-instances map returns the existing
// wrapper for a C++ pointer while that wrapper lives.
//
// One source for every pybind11 version under test: pybind11.mk compiles
// it once per version, against that version's headers, and names each
// module by its version (-DADAPTER_MODULE=_adapter_pybind11_2_10_3), so
// two versions load side by side in one process.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "cpp_model.hpp"

#ifndef ADAPTER_MODULE
#error "define ADAPTER_MODULE, the extension's versioned module name (pybind11.mk does)"
#endif
#ifndef FFI_MADE_IN_CPP
#define FFI_MADE_IN_CPP 0   // 1: natives made by the model's C++ factories (pybind11.mk's cpp-factory build)
#endif

namespace py = pybind11;

namespace {

template <class T>
py::tuple to_tuple(const std::vector<std::shared_ptr<T>> &v)
{
    py::tuple t(v.size());
    for (size_t i = 0; i < v.size(); i++)
        t[i] = py::cast(v[i]);   // the live wrapper if there is one
    return t;
}

template <class T>
uintptr_t address(const T &x)
{
    return reinterpret_cast<uintptr_t>(&x);
}

// pickle for a py::dynamic_attr class in pybind11's documented form (its
// tests' PickleableWithDict): the state is the fields, then the instance's
// __dict__, and the state setter returns the new object with that dict.
// fields(const T &) gives the fields as a tuple; make(tuple) builds the
// object from them.
template <class T, class Fields, class Make>
auto pickle_with_dict(Fields fields, Make make)
{
    return py::pickle(
        [fields](const py::object &self) { return py::make_tuple(fields(self.cast<const T &>()), self.attr("__dict__")); },
        [make](const py::tuple &state) {
            return std::make_pair(make(state[0].cast<py::tuple>()), state[1].cast<py::dict>());
        });
}

// How a native is made where the binding makes one itself (its pickling;
// with FFI_MADE_IN_CPP, its constructors too): in place of the arguments'
// own shared_ptrs, or (FFI_MADE_IN_CPP=1) by the model's C++ factories,
// which link the children's C++ owners.
#if FFI_MADE_IN_CPP
namespace made = made_in_cpp_factory;

template <class T>
std::vector<T *> pointers(const std::vector<std::shared_ptr<T>> &v)
{
    std::vector<T *> out;
    for (const auto &x : v)
        out.push_back(x.get());
    return out;
}

std::shared_ptr<Var> new_var(const std::string &name) { return made::var(name); }
std::shared_ptr<Var> interned(const std::string &name) { return made::interned_var(name); }
std::shared_ptr<Add> new_add(const std::shared_ptr<Expr> &a, const std::shared_ptr<Expr> &b) { return made::add(*a, *b); }
std::shared_ptr<Layout> new_layout(const std::vector<std::shared_ptr<Expr>> &axes, const std::shared_ptr<Expr> &offset)
{
    return made::layout(pointers(axes), *offset);
}
std::shared_ptr<Node> new_node(int64_t tag, const std::vector<std::shared_ptr<Node>> &children)
{
    return made::node(tag, pointers(children));
}
std::shared_ptr<Outer> new_outer(int64_t value) { return made::outer(value); }
std::shared_ptr<Derived> new_derived(int64_t value) { return made::derived(value); }
std::shared_ptr<Holder> new_holder(const std::shared_ptr<Second> &base) { return made::holder(*base); }
#else
std::shared_ptr<Var> new_var(const std::string &name) { return std::make_shared<Var>(name); }
std::shared_ptr<Var> interned(const std::string &name) { return intern_var(name); }
std::shared_ptr<Add> new_add(const std::shared_ptr<Expr> &a, const std::shared_ptr<Expr> &b)
{
    return std::make_shared<Add>(a, b);
}
std::shared_ptr<Layout> new_layout(const std::vector<std::shared_ptr<Expr>> &axes, const std::shared_ptr<Expr> &offset)
{
    return std::make_shared<Layout>(axes, offset);
}
std::shared_ptr<Node> new_node(int64_t tag, const std::vector<std::shared_ptr<Node>> &children)
{
    return std::make_shared<Node>(tag, children);
}
std::shared_ptr<Outer> new_outer(int64_t value) { return std::make_shared<Outer>(value); }
#endif

}  // namespace

PYBIND11_MODULE(ADAPTER_MODULE, m)
{
    m.doc() = "The ffi-identity object model bound with pybind11 (shared_ptr holders).";
    // The headers this module was compiled against (the adapter checks them).
    m.attr("pybind11_version") = py::str(std::to_string(PYBIND11_VERSION_MAJOR) + "." +
                                         std::to_string(PYBIND11_VERSION_MINOR) + "." +
                                         PYBIND11_TOSTRING(PYBIND11_VERSION_PATCH));

    py::class_<Expr, std::shared_ptr<Expr>>(m, "Expr", py::dynamic_attr());

    py::class_<Var, Expr, std::shared_ptr<Var>>(m, "Var", py::dynamic_attr())
#if FFI_MADE_IN_CPP
        .def(py::init(&new_var), py::arg("name"))
#else
        .def(py::init<std::string>(), py::arg("name"))
#endif
        // Interning, pybind11's way: a static factory method returning the
        // live object, which the cast hands back as its registered wrapper
        // (an __init__ cannot return an existing object: pybind11 #947,
        // #3253). Variant init-factory measures the other form, below.
        .def_static("intern", &interned, py::arg("name"))
        // An interning constructor as a py::init factory returning the live
        // object: pybind11 installs it in the new self, a second wrapper (#1568).
        .def(py::init([](const std::string &name, bool intern) {
                 return intern ? interned(name) : new_var(name);
             }),
             py::arg("name"), py::kw_only(), py::arg("intern"))
        .def_property_readonly("name", [](const Var &v) { return v.name; })
        .def(pickle_with_dict<Var>([](const Var &v) { return py::make_tuple(v.name); },
                        [](const py::tuple &t) { return new_var(t[0].cast<std::string>()); }));

    py::class_<Add, Expr, std::shared_ptr<Add>>(m, "Add", py::dynamic_attr())
#if FFI_MADE_IN_CPP
        .def(py::init(&new_add), py::arg("a"), py::arg("b"))
#else
        .def(py::init<std::shared_ptr<Expr>, std::shared_ptr<Expr>>(), py::arg("a"), py::arg("b"))
#endif
        .def_property_readonly("a", [](const Add &x) { return x.a; })
        .def_property_readonly("b", [](const Add &x) { return x.b; })
        .def(pickle_with_dict<Add>([](const Add &x) { return py::make_tuple(x.a, x.b); },
                        [](const py::tuple &t) {
                            return new_add(t[0].cast<std::shared_ptr<Expr>>(), t[1].cast<std::shared_ptr<Expr>>());
                        }));

    py::class_<Layout, std::shared_ptr<Layout>>(m, "Layout", py::dynamic_attr())
#if FFI_MADE_IN_CPP
        .def(py::init(&new_layout), py::arg("axes"), py::arg("offset"))
#else
        .def(py::init<std::vector<std::shared_ptr<Expr>>, std::shared_ptr<Expr>>(), py::arg("axes"),
             py::arg("offset"))
#endif
        .def_property_readonly("axes", [](const Layout &l) { return to_tuple(l.axes); })
        .def_property_readonly("offset", [](const Layout &l) { return l.offset; })
        .def(pickle_with_dict<Layout>([](const Layout &l) { return py::make_tuple(to_tuple(l.axes), l.offset); },
                        [](const py::tuple &t) {
                            return new_layout(t[0].cast<std::vector<std::shared_ptr<Expr>>>(),
                                              t[1].cast<std::shared_ptr<Expr>>());
                        }));

    py::class_<Node, std::shared_ptr<Node>>(m, "Node", py::dynamic_attr())
#if FFI_MADE_IN_CPP
        .def(py::init(&new_node), py::arg("tag"), py::arg("children") = std::vector<std::shared_ptr<Node>>{})
#else
        .def(py::init<int64_t, std::vector<std::shared_ptr<Node>>>(), py::arg("tag"),
             py::arg("children") = std::vector<std::shared_ptr<Node>>{})
#endif
        .def_property_readonly("tag", [](const Node &n) { return n.tag; })
        .def_property_readonly("children", [](const Node &n) { return to_tuple(n.children); })
        .def(pickle_with_dict<Node>([](const Node &n) { return py::make_tuple(n.tag, to_tuple(n.children)); },
                        [](const py::tuple &t) {
                            return new_node(t[0].cast<int64_t>(), t[1].cast<std::vector<std::shared_ptr<Node>>>());
                        }));

    py::class_<Inner>(m, "Inner", py::dynamic_attr())
        .def_property_readonly("value", [](const Inner &i) { return i.value; });

    py::class_<Outer, std::shared_ptr<Outer>>(m, "Outer", py::dynamic_attr())
#if FFI_MADE_IN_CPP
        .def(py::init(&new_outer), py::arg("value"))
#else
        .def(py::init<int64_t>(), py::arg("value"))
#endif
        .def_property_readonly("value", [](const Outer &o) { return o.inner.value; })
        // A reference into the Outer; the view keeps its Outer alive.
        .def_property_readonly(
            "inner", [](Outer &o) -> Inner & { return o.inner; }, py::return_value_policy::reference_internal)
        .def(pickle_with_dict<Outer>([](const Outer &o) { return py::make_tuple(o.inner.value); },
                        [](const py::tuple &t) { return new_outer(t[0].cast<int64_t>()); }));

    // Two bases, both bound, so pybind11 knows the second sits at an offset
    // (multiple inheritance: it registers every base's address).
    py::class_<First, std::shared_ptr<First>>(m, "First");
    py::class_<Second, std::shared_ptr<Second>>(m, "Second");
    py::class_<Derived, First, Second, std::shared_ptr<Derived>>(m, "Derived")
#if FFI_MADE_IN_CPP
        .def(py::init(&new_derived), py::arg("value"))
#else
        .def(py::init<int64_t>(), py::arg("value"))
#endif
        .def_property_readonly("value", [](const Derived &d) { return d.value; })
        .def_property_readonly("tag", [](const Derived &d) { return d.tag; });
    py::class_<Holder, std::shared_ptr<Holder>>(m, "Holder")
#if FFI_MADE_IN_CPP
        .def(py::init(&new_holder), py::arg("base"))
#else
        .def(py::init<std::shared_ptr<Second>>(), py::arg("base"))
#endif
        .def_property_readonly("base", [](const Holder &h) { return h.base; });

    // A C++ function that calls back: std::function through pybind11/functional.h.
    m.def("visit_offset", [](const Layout &l, const std::function<std::shared_ptr<Expr>(std::shared_ptr<Expr>)> &fn) {
        return fn(l.offset);
    });

    // handle(w): the C++ address a wrapper stands for (one overload per class).
    m.def("handle", [](const Expr &x) { return address(x); });
    m.def("handle", [](const Layout &x) { return address(x); });
    m.def("handle", [](const Node &x) { return address(x); });
    m.def("handle", [](const Outer &x) { return address(x); });
    m.def("handle", [](const Inner &x) { return address(x); });
    m.def("handle", [](const Derived &x) { return address(x); });
    m.def("handle", [](const Second &x) { return address(x); });
    m.def("handle", [](const Holder &x) { return address(x); });
    m.def("native_live", []() { return live_objects.load(); });
}
