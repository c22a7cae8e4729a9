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
// @if cpp_factory
// and the library's factories (namespace factory), which make every
// object in C++ and link the children they are given by reference.
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

// @if cpp_factory
struct Expr : Counted, std::enable_shared_from_this<Expr> {   // the factories share it from a reference
// @else
struct Expr : Counted {
// @end
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

// @if cpp_factory
struct Node : Counted, std::enable_shared_from_this<Node> {
// @else
struct Node : Counted {
// @end
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

// @if cpp_factory
struct Derived : First, Second, Counted, std::enable_shared_from_this<Derived> {
// @else
struct Derived : First, Second, Counted {
// @end
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
// @if cpp_factory

// How the C++ library makes its objects: each one a std::shared_ptr made
// here, children taken by reference and shared with shared_from_this(),
// so every shared_ptr the model holds was made in C++.
namespace factory {
inline std::shared_ptr<Var> var(const std::string &name) { return std::make_shared<Var>(name); }

inline std::shared_ptr<Add> add(Expr &a, Expr &b)
{
    return std::make_shared<Add>(a.shared_from_this(), b.shared_from_this());
}

inline std::shared_ptr<Layout> layout(const std::vector<Expr *> &axes, Expr &offset)
{
    std::vector<std::shared_ptr<Expr>> v;
    for (Expr *x : axes)
        v.push_back(x->shared_from_this());
    return std::make_shared<Layout>(std::move(v), offset.shared_from_this());
}
// @if node

inline std::shared_ptr<Node> node(int64_t tag, const std::vector<Node *> &children)
{
    std::vector<std::shared_ptr<Node>> v;
    for (Node *c : children)
        v.push_back(c->shared_from_this());
    return std::make_shared<Node>(tag, std::move(v));
}
// @end
// @if outer

inline std::shared_ptr<Outer> outer(int64_t value) { return std::make_shared<Outer>(value); }
// @end
// @if derived

inline std::shared_ptr<Derived> derived(int64_t value) { return std::make_shared<Derived>(value); }

inline std::shared_ptr<Holder> holder(Derived &d) { return std::make_shared<Holder>(d.shared_from_this()); }
// @end
}  // namespace factory
// @end

#endif
