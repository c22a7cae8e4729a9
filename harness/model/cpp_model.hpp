// The reference object model as plain C++ classes, the way a C++ library
// would define it: what the pybind11, nanobind (its cpp style), Boost.Python,
// shiboken6 and sip adapters bind, one definition for all so that their
// differences are the binding tools'. Each extension has its own copy and its
// own live count: an extension of one source file includes it in an unnamed
// namespace; one whose generated code spans several files (shiboken6)
// defines FFI_CPP_MODEL_NAMESPACE, so that its files share one model, and
// builds with hidden visibility so that the model stays its own. A binding
// that builds two variants of the model in one extension names the inner
// namespace per variant (-DFFI_CPP_MODEL_NS=made_in_cpp): nanobind and
// Boost.Python key their type registries by type name, which an unnamed
// namespace alone does not make distinct between translation units.
#ifndef FFI_CPP_MODEL_HPP
#define FFI_CPP_MODEL_HPP

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#ifdef FFI_CPP_MODEL_NAMESPACE
namespace FFI_CPP_MODEL_NAMESPACE {   // its types are FFI_CPP_MODEL_NAMESPACE::Var, ...
#else
#ifndef FFI_CPP_MODEL_NS
#define FFI_CPP_MODEL_NS cpp_model
#endif
namespace {
namespace FFI_CPP_MODEL_NS {
#endif

inline std::atomic<long> live_objects{0};

// Counts live native objects (what native_live() reports).
struct Counted {
    Counted() { ++live_objects; }
    Counted(const Counted &) { ++live_objects; }
    ~Counted() { --live_objects; }
};

struct Expr : Counted {
    virtual ~Expr() = default;   // polymorphic: Add.a casts to Var or Add
};

struct Var : Expr {
    explicit Var(std::string n) : name(std::move(n)) {}
    std::string name;
};

struct Add : Expr {
    Add(std::shared_ptr<Expr> x, std::shared_ptr<Expr> y) : a(std::move(x)), b(std::move(y)) {}
    std::shared_ptr<Expr> a, b;
};

struct Layout : Counted {
    Layout(std::vector<std::shared_ptr<Expr>> x, std::shared_ptr<Expr> o)
        : axes(std::move(x)), offset(std::move(o)) {}
    std::vector<std::shared_ptr<Expr>> axes;
    std::shared_ptr<Expr> offset;
};

struct Node : Counted {
    // A leaf by default: binders that take C++'s signature as is (cppyy) get Node(tag).
    Node(int64_t t, std::vector<std::shared_ptr<Node>> c = {}) : tag(t), children(std::move(c)) {}
    int64_t tag;
    std::vector<std::shared_ptr<Node>> children;
};

// Inner is Outer's leading member: one address, two types.
struct Inner {
    int64_t value;
};

struct Outer {
    explicit Outer(int64_t v) : inner{v} { ++live_objects; }
    ~Outer() { --live_objects; }
    Inner inner;
};

// Derived has two bases, so its second, Second, sits at another address
// than the Derived: a Second * is the object seen at that offset. Both are
// polymorphic, as C++ interfaces usually are, so code holding a Second *
// can find the whole object (dynamic_cast<void *>).
struct First {
    virtual ~First() = default;
    int64_t value = 0;
};

struct Second {
    virtual ~Second() = default;
    int64_t tag = 0;
};

struct Derived : First, Second {
    explicit Derived(int64_t v)
    {
        value = v;
        tag = v;
    }
    Counted counted;
};

// A base-typed field: it keeps the Derived through its second base.
struct Holder : Counted {
    explicit Holder(std::shared_ptr<Second> b) : base(std::move(b)) {}
    std::shared_ptr<Second> base;
};

// The live Var interned under a name, else a new one made by `make`; the
// table holds the Vars weakly, so a freed one leaves it.
template <class Make>
std::shared_ptr<Var> intern_var(const std::string &name, Make make)
{
    static std::unordered_map<std::string, std::weak_ptr<Var>> table;
    std::weak_ptr<Var> &slot = table[name];
    if (std::shared_ptr<Var> live = slot.lock())
        return live;
    std::shared_ptr<Var> v = make(name);
    slot = v;
    return v;
}

inline std::shared_ptr<Var> intern_var(const std::string &name)
{
    return intern_var(name, [](const std::string &n) { return std::make_shared<Var>(n); });
}

// Natives made in C++: a library that builds its object graphs itself.
// Every object comes from one of these factories as a shared_ptr the library
// made, and a factory that links children takes them by reference and finds
// their owning shared_ptr in what it made (the part
// std::enable_shared_from_this plays in C++ code; nanobind refuses that base,
// docs/ownership.rst "Limitations"). So no shared_ptr the model holds was
// converted from a Python argument: bindings that expose these factories as
// their constructors only ever hand out wrappers of C++-made objects.
namespace made_in_cpp_factory {

// The owning shared_ptr of each object made, by the address a caller names
// it by (T: the type it is named as); an entry leaves with its object.
template <class T>
class Owners {
  public:
    static void add(const std::shared_ptr<T> &p)
    {
        std::lock_guard<std::mutex> lock(mutex());
        table()[p.get()] = p;
    }
    static void forget(const T *p)
    {
        std::lock_guard<std::mutex> lock(mutex());
        table().erase(p);
    }
    // The owner of x, which must have been made by a factory here.
    static std::shared_ptr<T> of(const T &x)
    {
        std::lock_guard<std::mutex> lock(mutex());
        auto it = table().find(&x);
        std::shared_ptr<T> p = it == table().end() ? nullptr : it->second.lock();
        if (!p)
            throw std::invalid_argument("not an object this library's factories made");
        return p;
    }

  private:
    static std::mutex &mutex()
    {
        static std::mutex m;
        return m;
    }
    static std::unordered_map<const T *, std::weak_ptr<T>> &table()
    {
        static std::unordered_map<const T *, std::weak_ptr<T>> t;
        return t;
    }
};

// A new C of its args whose deleter takes it out of Owners<Named> first.
template <class Named, class C, class... Args>
std::shared_ptr<C> make(Args &&...args)
{
    std::shared_ptr<C> p(new C(std::forward<Args>(args)...), [](C *c) {
        Owners<Named>::forget(c);
        delete c;
    });
    Owners<Named>::add(p);
    return p;
}

template <class T>
std::vector<std::shared_ptr<T>> owners(const std::vector<T *> &xs)
{
    std::vector<std::shared_ptr<T>> out;
    for (T *x : xs)
        out.push_back(Owners<T>::of(*x));
    return out;
}

inline std::shared_ptr<Var> var(const std::string &name) { return make<Expr, Var>(name); }
inline std::shared_ptr<Var> interned_var(const std::string &name) { return intern_var(name, var); }
inline std::shared_ptr<Add> add(const Expr &a, const Expr &b)
{
    return make<Expr, Add>(Owners<Expr>::of(a), Owners<Expr>::of(b));
}
inline std::shared_ptr<Layout> layout(const std::vector<Expr *> &axes, const Expr &offset)
{
    return make<Layout, Layout>(owners(axes), Owners<Expr>::of(offset));
}
inline std::shared_ptr<Node> node(int64_t tag, const std::vector<Node *> &children)
{
    return make<Node, Node>(tag, owners(children));
}
inline std::shared_ptr<Outer> outer(int64_t value) { return std::make_shared<Outer>(value); }
// A Derived is named by its second base where a Holder takes it.
inline std::shared_ptr<Derived> derived(int64_t value) { return make<Second, Derived>(value); }
inline std::shared_ptr<Holder> holder(const Second &base) { return std::make_shared<Holder>(Owners<Second>::of(base)); }

}  // namespace made_in_cpp_factory

#ifndef FFI_CPP_MODEL_NAMESPACE
}  // namespace FFI_CPP_MODEL_NS
using namespace FFI_CPP_MODEL_NS;
#endif
}  // namespace FFI_CPP_MODEL_NAMESPACE, or the unnamed one

#endif
