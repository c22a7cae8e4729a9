// A small C++ object model, the way a C++ library defines one: objects
// shared through std::shared_ptr, fields holding their children.
//   Var(name)  Add(a, b)  Layout(axes, offset)
// @if node
//   Node(tag, children)
// @end
// @if derived
//   Derived(value): two bases, so its second (Second) sits at another
//   address than the Derived; Holder keeps a shared_ptr<Second> to it
// @end
#ifndef MODEL_HPP
#define MODEL_HPP

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
// @if intern
#include <unordered_map>
// @end
#include <vector>

inline std::atomic<long> live_objects{0};   // objects alive

struct Counted {
    Counted() { ++live_objects; }
    ~Counted() { --live_objects; }
};

struct Expr : Counted {
    virtual ~Expr() = default;   // polymorphic: a field typed Expr holds a Var or an Add
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
    Layout(std::vector<std::shared_ptr<Expr>> x, std::shared_ptr<Expr> o) : axes(std::move(x)), offset(std::move(o)) {}
    std::vector<std::shared_ptr<Expr>> axes;
    std::shared_ptr<Expr> offset;
};
// @if node

struct Node : Counted {
    Node(int64_t t, std::vector<std::shared_ptr<Node>> c) : tag(t), children(std::move(c)) {}
    int64_t tag;
    std::vector<std::shared_ptr<Node>> children;
};
// @end
// @if outer

// Inner is Outer's first member: one address, two types.
struct Inner {
    int64_t value;
};

struct Outer : Counted {
    explicit Outer(int64_t v) : inner{v} {}
    Inner inner;
};
// @end
// @if derived

struct First {
    virtual ~First() = default;
    int64_t value = 0;
};

struct Second {
    virtual ~Second() = default;
    int64_t tag = 0;
};

struct Derived : First, Second, Counted {
    explicit Derived(int64_t v) { value = tag = v; }
};

struct Holder : Counted {
    explicit Holder(std::shared_ptr<Second> b) : base(std::move(b)) {}
    std::shared_ptr<Second> base;
};
// @end
// @if intern

// The live Var of that name, else a new one (the table holds them weakly).
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
// @end

#endif
