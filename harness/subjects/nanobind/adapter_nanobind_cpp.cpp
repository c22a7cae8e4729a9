// The C++ object model (cpp_model.hpp, the classes the pybind11 and
// Boost.Python adapters bind) bound with nanobind the way its docs bind
// std::shared_ptr-held classes (nanobind/stl/shared_ptr.h): fields return
// shared_ptr children. Compiled twice into the nanobind extension, once per
// place the natives are made (nanobind.mk), as its submodules cpp and
// cpp_factory:
//
// FFI_MADE_IN_CPP=0  natives made from Python: constructors are nb::init,
//                    so nanobind allocates each object inside its wrapper,
//                    and a parent's children are the shared_ptr arguments
//                    it was constructed with. nanobind converts a Python
//                    argument to a shared_ptr whose deleter holds a
//                    reference to that wrapper (shared_from_python), so a
//                    parent keeps its children's wrappers alive and its
//                    fields hand them back.
// FFI_MADE_IN_CPP=1  natives made in C++: constructors are nb::new_ over the
//                    library's factories (cpp_model.hpp,
//                    made_in_cpp_factory), which make every object as a
//                    C++ shared_ptr and link children they are given by
//                    reference. A wrapper then only points at a C++-made
//                    object (shared_from_cpp), and nanobind's instance map
//                    holds it borrowed.
//
// Both: nb::dynamic_attr() and nb::is_weak_referenceable(); pickling by
// __reduce__ node by node (the constructor, the children, the __dict__);
// interning is a static factory, Var.intern(name), returning the live Var
// (an nb::init constructor cannot be overloaded by an interning nb::new_);
// visit_offset takes a std::function. No Derived/Holder: nanobind binds
// single inheritance only.
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "cpp_model.hpp"

#ifndef FFI_MADE_IN_CPP
#error "define FFI_MADE_IN_CPP to 0 (natives made from Python) or 1 (made in C++); nanobind.mk does"
#endif

namespace nb = nanobind;
using namespace nb::literals;

namespace {

template <class T>
nb::tuple to_tuple(const std::vector<std::shared_ptr<T>> &v)
{
    nb::list out;
    for (const auto &x : v)
        out.append(nb::cast(x));   // the live wrapper if there is one
    return nb::tuple(out);
}

template <class T>
uintptr_t address(const T &x)
{
    return reinterpret_cast<uintptr_t>(&x);
}

// (type(self), fields, self.__dict__): pickle calls the constructor with the
// fields, then restores the __dict__.
template <class T, class Fields>
auto reduce(Fields fields)
{
    return [fields](nb::handle self) {
        return nb::make_tuple(self.type(), fields(nb::cast<const T &>(self)), self.attr("__dict__"));
    };
}

}  // namespace

#if FFI_MADE_IN_CPP
void bind_cpp_factory(nb::module_ m)
#else
void bind_cpp(nb::module_ m)
#endif
{
    namespace made = made_in_cpp_factory;

    nb::class_<Expr>(m, "Expr", nb::dynamic_attr(), nb::is_weak_referenceable());

    nb::class_<Var, Expr>(m, "Var", nb::dynamic_attr(), nb::is_weak_referenceable())
#if FFI_MADE_IN_CPP
        .def(nb::new_(&made::var), "name"_a)
        .def_static("intern", &made::interned_var, "name"_a)
#else
        .def(nb::init<std::string>(), "name"_a)
        .def_static("intern", [](const std::string &name) { return intern_var(name); }, "name"_a)
#endif
        .def_prop_ro("name", [](const Var &v) { return v.name; })
        .def("__reduce__", reduce<Var>([](const Var &v) { return nb::make_tuple(v.name); }));

    nb::class_<Add, Expr>(m, "Add", nb::dynamic_attr(), nb::is_weak_referenceable())
#if FFI_MADE_IN_CPP
        .def(nb::new_([](const Expr &a, const Expr &b) { return made::add(a, b); }), "a"_a, "b"_a)
#else
        .def(nb::init<std::shared_ptr<Expr>, std::shared_ptr<Expr>>(), "a"_a, "b"_a)
#endif
        .def_prop_ro("a", [](const Add &x) { return x.a; })
        .def_prop_ro("b", [](const Add &x) { return x.b; })
        .def("__reduce__", reduce<Add>([](const Add &x) { return nb::make_tuple(x.a, x.b); }));

    nb::class_<Layout>(m, "Layout", nb::dynamic_attr(), nb::is_weak_referenceable())
#if FFI_MADE_IN_CPP
        .def(nb::new_([](const std::vector<Expr *> &axes, const Expr &offset) { return made::layout(axes, offset); }),
             "axes"_a, "offset"_a)
#else
        .def(nb::init<std::vector<std::shared_ptr<Expr>>, std::shared_ptr<Expr>>(), "axes"_a, "offset"_a)
#endif
        .def_prop_ro("axes", [](const Layout &l) { return to_tuple(l.axes); })
        .def_prop_ro("offset", [](const Layout &l) { return l.offset; })
        .def("__reduce__",
             reduce<Layout>([](const Layout &l) { return nb::make_tuple(to_tuple(l.axes), l.offset); }));

    nb::class_<Node>(m, "Node", nb::dynamic_attr(), nb::is_weak_referenceable())
#if FFI_MADE_IN_CPP
        .def(nb::new_([](int64_t tag, const std::vector<Node *> &children) { return made::node(tag, children); }),
             "tag"_a, "children"_a = nb::tuple())
#else
        .def(nb::init<int64_t, std::vector<std::shared_ptr<Node>>>(), "tag"_a, "children"_a = nb::tuple())
#endif
        .def_prop_ro("tag", [](const Node &n) { return n.tag; })
        .def_prop_ro("children", [](const Node &n) { return to_tuple(n.children); })
        .def("__reduce__",
             reduce<Node>([](const Node &n) { return nb::make_tuple(n.tag, to_tuple(n.children)); }));

    nb::class_<Inner>(m, "Inner", nb::dynamic_attr(), nb::is_weak_referenceable())
        .def_prop_ro("value", [](const Inner &i) { return i.value; });

    nb::class_<Outer>(m, "Outer", nb::dynamic_attr(), nb::is_weak_referenceable())
#if FFI_MADE_IN_CPP
        .def(nb::new_(&made::outer), "value"_a)
#else
        .def(nb::init<int64_t>(), "value"_a)
#endif
        .def_prop_ro("value", [](const Outer &o) { return o.inner.value; })
        // A reference into the Outer (one address, another type); the view keeps its Outer alive.
        .def_prop_ro("inner", [](Outer &o) -> Inner & { return o.inner; }, nb::rv_policy::reference_internal)
        .def("__reduce__", reduce<Outer>([](const Outer &o) { return nb::make_tuple(o.inner.value); }));

    m.def("visit_offset", [](const Layout &l, const std::function<std::shared_ptr<Expr>(std::shared_ptr<Expr>)> &fn) {
        return fn(l.offset);
    });

    // handle(w): the C++ address a wrapper stands for.
    m.def("handle", [](const Expr &x) { return address(x); });
    m.def("handle", [](const Layout &x) { return address(x); });
    m.def("handle", [](const Node &x) { return address(x); });
    m.def("handle", [](const Outer &x) { return address(x); });
    m.def("handle", [](const Inner &x) { return address(x); });
    m.def("native_live", []() { return live_objects.load(); }, "C++ model objects alive in this variant");
}
