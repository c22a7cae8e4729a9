// The reference object model as a Boost.Python user would write it: the
// same C++ classes as the pybind11 adapter (pybind11/adapter_pybind11.cpp),
// held by std::shared_ptr (class_<T, std::shared_ptr<T>>), fields returning
// shared_ptr children, sequences taken with stl_input_iterator and given
// back as tuples, pickling through boost::python::pickle_suite
// (getinitargs: node by node). Instances have a __dict__ and weak
// references of their own in Boost.Python.
//
// Boost.Python decides identity. A shared_ptr converted from a Python
// argument is a new shared_ptr whose deleter holds the argument's wrapper
// (shared_ptr_from_python, shared_ptr_deleter); converting a shared_ptr to
// Python hands back that wrapper when the deleter is there, and makes a new
// wrapper otherwise. So a child stored from Python keeps its wrapper alive
// for as long as the parent holds it, and the field gives that wrapper back.
//
// boost-python.mk compiles this source twice, each into a module named by
// the Boost.Python version under test, once per place the natives are made:
//   FFI_MADE_IN_CPP=0  (_adapter_boost_python_1_74_0_3) from Python: the
//       constructors are bp::init, and a parent's children are the
//       shared_ptr arguments it was made with, each carrying its wrapper;
//   FFI_MADE_IN_CPP=1  (_adapter_boost_python_cpp_factory_1_74_0_3) in C++:
//       every constructor is a make_constructor over the model's factories
//       (cpp_model.hpp, made_in_cpp_factory), which take children by
//       reference and link their C++-made owners, so no shared_ptr the
//       model holds came from Python and every read makes a new wrapper.
#include <boost/python.hpp>
#include <boost/python/stl_iterator.hpp>
#include <boost/version.hpp>

#include <type_traits>

#include "cpp_model.hpp"

#ifndef ADAPTER_MODULE
#error "define ADAPTER_MODULE, the extension's versioned module name (boost-python.mk does)"
#endif
#ifndef FFI_MADE_IN_CPP
#define FFI_MADE_IN_CPP 0
#endif

namespace bp = boost::python;

namespace {


// Any Python iterable of wrappers -> a vector (each element through the
// shared_ptr from-python converter).
template <class T>
std::vector<std::shared_ptr<T>> to_vector(const bp::object &seq)
{
    return std::vector<std::shared_ptr<T>>(bp::stl_input_iterator<std::shared_ptr<T>>(seq),
                                           bp::stl_input_iterator<std::shared_ptr<T>>());
}

template <class T>
bp::tuple to_tuple(const std::vector<std::shared_ptr<T>> &v)
{
    bp::list l;
    for (const auto &x : v)
        l.append(x);   // the argument's own wrapper when x came from Python
    return bp::tuple(l);
}

#if !FFI_MADE_IN_CPP
std::shared_ptr<Layout> make_layout(const bp::object &axes, std::shared_ptr<Expr> offset)
{
    return std::make_shared<Layout>(to_vector<Expr>(axes), std::move(offset));
}

std::shared_ptr<Node> make_node(int64_t tag, const bp::object &children)
{
    return std::make_shared<Node>(tag, to_vector<Node>(children));
}

#else
// Natives made in C++: the factories take the objects themselves, which
// Python passes by reference.
namespace made = made_in_cpp_factory;

template <class T>
std::vector<T *> to_pointers(const bp::object &seq)
{
    std::vector<T *> out;
    for (bp::stl_input_iterator<bp::object> it(seq), end; it != end; ++it)
        out.push_back(&bp::extract<T &>(*it)());
    return out;
}

std::shared_ptr<Add> made_add(const Expr &a, const Expr &b) { return made::add(a, b); }
std::shared_ptr<Layout> made_layout(const bp::object &axes, const Expr &offset)
{
    return made::layout(to_pointers<Expr>(axes), offset);
}
std::shared_ptr<Node> made_node(int64_t tag, const bp::object &children)
{
    return made::node(tag, to_pointers<Node>(children));
}
std::shared_ptr<Holder> made_holder(const Second &base) { return made::holder(base); }
#endif

std::string var_name(const Var &v) { return v.name; }
std::shared_ptr<Expr> add_a(const Add &x) { return x.a; }
std::shared_ptr<Expr> add_b(const Add &x) { return x.b; }
bp::tuple layout_axes(const Layout &l) { return to_tuple(l.axes); }
std::shared_ptr<Expr> layout_offset(const Layout &l) { return l.offset; }
int64_t node_tag(const Node &n) { return n.tag; }
bp::tuple node_children(const Node &n) { return to_tuple(n.children); }
int64_t inner_value(const Inner &i) { return i.value; }
int64_t outer_value(const Outer &o) { return o.inner.value; }
Inner &outer_inner(Outer &o) { return o.inner; }


// Boost.Python's documented pickling of an instance with a __dict__ (its
// pickle_suite documentation, "getstate_manages_dict"): getinitargs for the
// C++ fields, getstate/setstate for the instance's __dict__.
struct WithDict : bp::pickle_suite {
    static bp::tuple getstate(bp::object w) { return bp::make_tuple(w.attr("__dict__")); }
    static void setstate(bp::object w, bp::tuple state) { w.attr("__dict__").attr("update")(bp::object(state[0])); }
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
struct NodePickle : WithDict {
    static bp::tuple getinitargs(const Node &n) { return bp::make_tuple(n.tag, to_tuple(n.children)); }
};
struct OuterPickle : WithDict {
    static bp::tuple getinitargs(const Outer &o) { return bp::make_tuple(o.inner.value); }
};

template <class T>
uintptr_t address(const T &x)
{
    return reinterpret_cast<uintptr_t>(&x);
}

// Wrappers compare and hash by the C++ address they stand for, as the
// object model asks of every wrapper: two wrappers of one object are ==
// (with natives made in C++ every read is a new wrapper); anything else is
// NotImplemented, so `inner == 5` stays an ordinary comparison.
// The whole object x is part of (a Second is the Derived it sits in).
template <class T>
const void *whole(const T &x)
{
    if constexpr (std::is_polymorphic_v<T>)
        return dynamic_cast<const void *>(&x);
    else
        return &x;
}

template <class T>
bp::object same_object(const T &a, bp::object b)
{
    bp::extract<const T &> other(b);
    if (!other.check())
        return bp::object(bp::handle<>(bp::borrowed(Py_NotImplemented)));
    return bp::object(whole(a) == whole(other()));
}

template <class T>
uintptr_t whole_hash(const T &x)
{
    return reinterpret_cast<uintptr_t>(whole(x));
}

long native_live() { return live_objects.load(); }

// An interning constructor, the way Boost.Python binds a factory as
// __init__ (make_constructor installs what it returns in the new self).
std::shared_ptr<Var> make_var(const std::string &name, bool intern)
{
#if FFI_MADE_IN_CPP
    return intern ? made_in_cpp_factory::interned_var(name) : made_in_cpp_factory::var(name);
#else
    return intern ? intern_var(name) : std::make_shared<Var>(name);
#endif
}

int64_t derived_value(const Derived &d) { return d.value; }
int64_t derived_tag(const Derived &d) { return d.tag; }
std::shared_ptr<Second> holder_base(const Holder &h) { return h.base; }

// A C++ function that calls back into Python with a field and takes a
// shared_ptr back from what the callable returns.
std::shared_ptr<Expr> visit_offset(const Layout &l, bp::object fn)
{
    return bp::extract<std::shared_ptr<Expr>>(fn(l.offset));
}

}  // namespace

BOOST_PYTHON_MODULE(ADAPTER_MODULE)
{
    bp::scope().attr("__doc__") = "The ffi-identity object model bound with Boost.Python (shared_ptr holders).";
    // The headers this module was compiled against (the adapter reports them).
    bp::scope().attr("boost_version") = BOOST_LIB_VERSION;

    bp::class_<Expr, std::shared_ptr<Expr>, boost::noncopyable>("Expr", bp::no_init)
        .def("__eq__", &same_object<Expr>)
        .def("__hash__", &whole_hash<Expr>);

#if FFI_MADE_IN_CPP
    // Every constructor a C++ factory (make_constructor installs what it returns).
    auto ctor = [](auto factory, auto args) {
        return bp::make_constructor(factory, bp::default_call_policies(), args);
    };
    bp::class_<Var, std::shared_ptr<Var>, bp::bases<Expr>, boost::noncopyable>("Var", bp::no_init)
        .def("__init__", ctor(&made::var, (bp::arg("name"))))
#else
    bp::class_<Var, std::shared_ptr<Var>, bp::bases<Expr>, boost::noncopyable>(
        "Var", bp::init<std::string>((bp::arg("name"))))
#endif
        .def("__init__", bp::make_constructor(&make_var, bp::default_call_policies(),
                                              (bp::arg("name"), bp::arg("intern"))))
        .add_property("name", &var_name)
        .def_pickle(VarPickle());

#if FFI_MADE_IN_CPP
    bp::class_<Add, std::shared_ptr<Add>, bp::bases<Expr>, boost::noncopyable>("Add", bp::no_init)
        .def("__init__", ctor(&made_add, (bp::arg("a"), bp::arg("b"))))
#else
    bp::class_<Add, std::shared_ptr<Add>, bp::bases<Expr>, boost::noncopyable>(
        "Add", bp::init<std::shared_ptr<Expr>, std::shared_ptr<Expr>>((bp::arg("a"), bp::arg("b"))))
#endif
        .add_property("a", &add_a)
        .add_property("b", &add_b)
        .def_pickle(AddPickle());

    bp::class_<Layout, std::shared_ptr<Layout>, boost::noncopyable>("Layout", bp::no_init)
#if FFI_MADE_IN_CPP
        .def("__init__", ctor(&made_layout, (bp::arg("axes"), bp::arg("offset"))))
#else
        .def("__init__", bp::make_constructor(&make_layout, bp::default_call_policies(),
                                              (bp::arg("axes"), bp::arg("offset"))))
#endif
        .add_property("axes", &layout_axes)
        .add_property("offset", &layout_offset)
        .def("__eq__", &same_object<Layout>)
        .def("__hash__", &whole_hash<Layout>)
        .def_pickle(LayoutPickle());

    bp::class_<Node, std::shared_ptr<Node>, boost::noncopyable>("Node", bp::no_init)
#if FFI_MADE_IN_CPP
        .def("__init__", ctor(&made_node, (bp::arg("tag"), bp::arg("children") = bp::tuple())))
#else
        .def("__init__", bp::make_constructor(&make_node, bp::default_call_policies(),
                                              (bp::arg("tag"), bp::arg("children") = bp::tuple())))
#endif
        .add_property("tag", &node_tag)
        .add_property("children", &node_children)
        .def("__eq__", &same_object<Node>)
        .def("__hash__", &whole_hash<Node>)
        .def_pickle(NodePickle());

    bp::class_<Inner, boost::noncopyable>("Inner", bp::no_init)
        .add_property("value", &inner_value)
        .def("__eq__", &same_object<Inner>)
        .def("__hash__", &whole_hash<Inner>);

#if FFI_MADE_IN_CPP
    bp::class_<Outer, std::shared_ptr<Outer>, boost::noncopyable>("Outer", bp::no_init)
        .def("__init__", ctor(&made::outer, (bp::arg("value"))))
#else
    bp::class_<Outer, std::shared_ptr<Outer>, boost::noncopyable>("Outer", bp::init<int64_t>((bp::arg("value"))))
#endif
        .add_property("value", &outer_value)
        // A reference into the Outer; the view keeps its Outer alive.
        .add_property("inner", bp::make_function(&outer_inner, bp::return_internal_reference<>()))
        .def("__eq__", &same_object<Outer>)
        .def("__hash__", &whole_hash<Outer>)
        .def_pickle(OuterPickle());

    // Two bases, both bound (bases<First, Second>): Boost.Python adjusts a
    // pointer between them through its class graph.
    bp::class_<First, std::shared_ptr<First>, boost::noncopyable>("First", bp::no_init);
    bp::class_<Second, std::shared_ptr<Second>, boost::noncopyable>("Second", bp::no_init)
        .def("__eq__", &same_object<Second>)
        .def("__hash__", &whole_hash<Second>);
#if FFI_MADE_IN_CPP
    bp::class_<Derived, std::shared_ptr<Derived>, bp::bases<First, Second>, boost::noncopyable>("Derived", bp::no_init)
        .def("__init__", ctor(&made::derived, (bp::arg("value"))))
#else
    bp::class_<Derived, std::shared_ptr<Derived>, bp::bases<First, Second>, boost::noncopyable>(
        "Derived", bp::init<int64_t>((bp::arg("value"))))
#endif
        .add_property("value", &derived_value)
        .add_property("tag", &derived_tag)
        .def("__eq__", &same_object<Derived>)
        .def("__hash__", &whole_hash<Derived>);
#if FFI_MADE_IN_CPP
    bp::class_<Holder, std::shared_ptr<Holder>, boost::noncopyable>("Holder", bp::no_init)
        .def("__init__", ctor(&made_holder, (bp::arg("base"))))
#else
    bp::class_<Holder, std::shared_ptr<Holder>, boost::noncopyable>(
        "Holder", bp::init<std::shared_ptr<Second>>((bp::arg("base"))))
#endif
        .add_property("base", &holder_base)
        .def("__eq__", &same_object<Holder>)
        .def("__hash__", &whole_hash<Holder>);
    bp::def("visit_offset", &visit_offset);

    // handle(w): the C++ address a wrapper stands for (one overload per class).
    bp::def("handle", &address<Second>);
    bp::def("handle", &address<Derived>);
    bp::def("handle", &address<Holder>);
    bp::def("handle", &address<Expr>);
    bp::def("handle", &address<Layout>);
    bp::def("handle", &address<Node>);
    bp::def("handle", &address<Outer>);
    bp::def("handle", &address<Inner>);
    bp::def("native_live", &native_live);
}
