// The object model of model.hpp bound with Boost.Python the way its users
// bind shared C++ objects: class_<T, std::shared_ptr<T>>, fields returning
// the shared_ptr they hold, sequences taken with stl_input_iterator and
// given back as tuples. Boost.Python instances have a __dict__ and take
// weak references.
// @if cpp_factory
// The objects are made by the library's C++ factories (model.hpp,
// namespace factory), bound as constructors with make_constructor: every
// shared_ptr the model holds was made in C++, none converted from Python.
// @end
#include <boost/python.hpp>
#include <boost/python/stl_iterator.hpp>
#include <boost/version.hpp>

#include "model.hpp"

namespace bp = boost::python;

// @if !cpp_factory
template <class T>
std::vector<std::shared_ptr<T>> to_vector(const bp::object &seq)
{
    return {bp::stl_input_iterator<std::shared_ptr<T>>(seq), bp::stl_input_iterator<std::shared_ptr<T>>()};
}
// @end

template <class T>
bp::tuple to_tuple(const std::vector<std::shared_ptr<T>> &v)
{
    bp::list l;
    for (const auto &x : v)
        l.append(x);
    return bp::tuple(l);
}

template <class T>
uintptr_t address(const T &x) { return reinterpret_cast<uintptr_t>(&x); }

// @if cpp_factory
// The objects of a Python sequence, as the factories take them.
template <class T>
std::vector<T *> to_pointers(const bp::object &seq)
{
    std::vector<T *> out;
    for (bp::stl_input_iterator<bp::object> it(seq), end; it != end; ++it)
        out.push_back(&bp::extract<T &>(*it)());
    return out;
}

std::shared_ptr<Layout> make_layout(const bp::object &axes, Expr &offset)
{
    return factory::layout(to_pointers<Expr>(axes), offset);
}
// @else
std::shared_ptr<Layout> make_layout(const bp::object &axes, std::shared_ptr<Expr> offset)
{
    return std::make_shared<Layout>(to_vector<Expr>(axes), std::move(offset));
}
// @end
// @if pickle

// Pickling an instance with a __dict__ as Boost.Python documents it
// (pickle_suite, getstate_manages_dict): the constructor's arguments, then the __dict__.
struct WithDict : bp::pickle_suite {
    static bp::tuple getstate(bp::object w) { return bp::make_tuple(w.attr("__dict__")); }
    static void setstate(bp::object w, bp::tuple s) { w.attr("__dict__").attr("update")(bp::object(s[0])); }
    static bool getstate_manages_dict() { return true; }
};
struct VarPickle : WithDict {
    static bp::tuple getinitargs(const Var &v) { return bp::make_tuple(v.name); }
};
struct AddPickle : WithDict {
    static bp::tuple getinitargs(const Add &x) { return bp::make_tuple(x.a, x.b); }
};
struct LayoutPickle : WithDict {
    static bp::tuple getinitargs(const Layout &l) { return bp::make_tuple(to_tuple(l.axes), l.offset); }
};
// @if node
struct NodePickle : WithDict {
    static bp::tuple getinitargs(const Node &n) { return bp::make_tuple(n.tag, to_tuple(n.children)); }
};
// @end
// @end
// @if intern

// An interning constructor, the way Boost.Python binds a factory as __init__ (make_constructor).
std::shared_ptr<Var> make_var(const std::string &name, bool intern)
{
    return intern ? intern_var(name) : std::make_shared<Var>(name);
}
// @end
// @if node

std::shared_ptr<Node> make_node(int64_t tag, const bp::object &children)
{
    // @if cpp_factory
    return factory::node(tag, to_pointers<Node>(children));
    // @else
    return std::make_shared<Node>(tag, to_vector<Node>(children));
    // @end
}
// @end
// @if outer

Inner &outer_inner(Outer &o) { return o.inner; }
// @end

BOOST_PYTHON_MODULE(model)
{
    bp::scope().attr("TOOL") = "Boost.Python " + std::to_string(BOOST_VERSION / 100000) + "." +
                               std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
    bp::class_<Expr, std::shared_ptr<Expr>, boost::noncopyable>("Expr", bp::no_init);

    // @if cpp_factory
    bp::class_<Var, std::shared_ptr<Var>, bp::bases<Expr>, boost::noncopyable>("Var", bp::no_init)
        .def("__init__", bp::make_constructor(&factory::var))
    // @else
    bp::class_<Var, std::shared_ptr<Var>, bp::bases<Expr>, boost::noncopyable>("Var", bp::init<std::string>())
    // @end
        // @if intern
        .def("__init__", bp::make_constructor(&make_var, bp::default_call_policies(),
                                              (bp::arg("name"), bp::arg("intern"))))
        // @end
        // @if pickle
        .def_pickle(VarPickle())
        // @end
        .add_property("name", +[](const Var &v) { return v.name; });

    // @if cpp_factory
    bp::class_<Add, std::shared_ptr<Add>, bp::bases<Expr>, boost::noncopyable>("Add", bp::no_init)
        .def("__init__", bp::make_constructor(&factory::add))
    // @else
    bp::class_<Add, std::shared_ptr<Add>, bp::bases<Expr>, boost::noncopyable>(
        "Add", bp::init<std::shared_ptr<Expr>, std::shared_ptr<Expr>>())
    // @end
        // @if pickle
        .def_pickle(AddPickle())
        // @end
        .add_property("a", +[](const Add &x) { return x.a; })
        .add_property("b", +[](const Add &x) { return x.b; });

    bp::class_<Layout, std::shared_ptr<Layout>, boost::noncopyable>("Layout", bp::no_init)
        .def("__init__", bp::make_constructor(&make_layout))
        // @if pickle
        .def_pickle(LayoutPickle())
        // @end
        .add_property("axes", +[](const Layout &l) { return to_tuple(l.axes); })
        .add_property("offset", +[](const Layout &l) { return l.offset; });
    // @if node

    bp::class_<Node, std::shared_ptr<Node>, boost::noncopyable>("Node", bp::no_init)
        .def("__init__", bp::make_constructor(&make_node, bp::default_call_policies(),
                                              (bp::arg("tag"), bp::arg("children") = bp::tuple())))
        // @if pickle
        .def_pickle(NodePickle())
        // @end
        .add_property("tag", +[](const Node &n) { return n.tag; })
        .add_property("children", +[](const Node &n) { return to_tuple(n.children); });
    bp::def("addr", &address<Node>);
    // @end
    // @if outer

    bp::class_<Inner, boost::noncopyable>("Inner", bp::no_init)
        .add_property("value", +[](const Inner &i) { return i.value; });
    // @if cpp_factory
    bp::class_<Outer, std::shared_ptr<Outer>, boost::noncopyable>("Outer", bp::no_init)
        .def("__init__", bp::make_constructor(&factory::outer))
    // @else
    bp::class_<Outer, std::shared_ptr<Outer>, boost::noncopyable>("Outer", bp::init<int64_t>())
    // @end
        // A reference into the Outer, which the view keeps alive.
        .add_property("inner", bp::make_function(&outer_inner, bp::return_internal_reference<>()));
    bp::def("addr", &address<Outer>);
    bp::def("addr", &address<Inner>);
    // @end
    // @if derived

    // Two bases, both bound: Boost.Python adjusts a pointer between them.
    bp::class_<First, std::shared_ptr<First>, boost::noncopyable>("First", bp::no_init);
    bp::class_<Second, std::shared_ptr<Second>, boost::noncopyable>("Second", bp::no_init);
    // @if cpp_factory
    bp::class_<Derived, std::shared_ptr<Derived>, bp::bases<First, Second>, boost::noncopyable>("Derived", bp::no_init)
        .def("__init__", bp::make_constructor(&factory::derived))
        .add_property("value", +[](const Derived &d) { return d.value; });
    bp::class_<Holder, std::shared_ptr<Holder>, boost::noncopyable>("Holder", bp::no_init)
        .def("__init__", bp::make_constructor(&factory::holder))
    // @else
    bp::class_<Derived, std::shared_ptr<Derived>, bp::bases<First, Second>, boost::noncopyable>(
        "Derived", bp::init<int64_t>())
        .add_property("value", +[](const Derived &d) { return d.value; });
    bp::class_<Holder, std::shared_ptr<Holder>, boost::noncopyable>("Holder", bp::init<std::shared_ptr<Second>>())
    // @end
        .add_property("base", +[](const Holder &h) { return h.base; });
    bp::def("addr", &address<Second>);
    bp::def("addr", &address<Derived>);
    // @end
    // @if callback

    // A C++ function calling back into Python.
    bp::def("visit_offset", +[](const Layout &l, bp::object fn) {
        return std::shared_ptr<Expr>(bp::extract<std::shared_ptr<Expr>>(fn(l.offset)));
    });
    // @end

    bp::def("addr", &address<Expr>);
    bp::def("addr", &address<Layout>);
    bp::def("live", +[]() { return live_objects.load(); });
}
