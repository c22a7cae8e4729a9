// The reference object model as plain C++ classes, the way a C++ library
// would define it: what the pybind11 and Boost.Python adapters bind, one
// definition for both so that their differences are the binding tools'.
// Each extension includes it once (an unnamed namespace: its own copy and
// its own live count).
#ifndef FFI_CPP_MODEL_HPP
#define FFI_CPP_MODEL_HPP

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

std::atomic<long> live_objects{0};

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
    Node(int64_t t, std::vector<std::shared_ptr<Node>> c) : tag(t), children(std::move(c)) {}
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

}  // namespace

#endif
