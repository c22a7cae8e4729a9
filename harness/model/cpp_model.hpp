// The reference object model as plain C++ classes, the way a C++ library
// would define it: what the pybind11, Boost.Python and shiboken6 adapters
// bind, one definition for all so that their differences are the binding
// tools'. Each extension has its own copy and its own live count: an
// extension of one source file includes it in an unnamed namespace; one
// whose generated code spans several files (shiboken6) defines
// FFI_CPP_MODEL_NAMESPACE, so that its files share one model, and builds
// with hidden visibility so that the model stays its own.
#ifndef FFI_CPP_MODEL_HPP
#define FFI_CPP_MODEL_HPP

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#ifdef FFI_CPP_MODEL_NAMESPACE
namespace FFI_CPP_MODEL_NAMESPACE {
#else
namespace {
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

// The live Var interned under a name, else a new one; the table holds the
// Vars weakly, so a freed one leaves it.
inline std::shared_ptr<Var> intern_var(const std::string &name)
{
    static std::unordered_map<std::string, std::weak_ptr<Var>> table;
    std::weak_ptr<Var> &slot = table[name];
    if (std::shared_ptr<Var> live = slot.lock())
        return live;
    auto v = std::make_shared<Var>(name);
    slot = v;
    return v;
}

}  // namespace

#endif
