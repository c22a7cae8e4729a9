/* The reference native object model (pure C, no Python).
 *
 * It mirrors the motivating tvm-ffi case: Var(name), Add(a, b) and
 * Layout(axes, offset), plus Node(tag, children) for generated DAGs, plus
 * Outer/Inner for "two live objects of different types at one address":
 * Inner is a view of Outer's leading member, so both share an address
 * and differ only in type (as a C struct and its first member do). And the
 * converse for catalogue v2: Derived is one object seen at two addresses, its
 * own and its second base's (C++ multiple inheritance), which a Holder's
 * base-typed field points at; plus an intern table, a sink that takes
 * ownership, and a function that calls back (U1, O1, CB1).
 *
 * Every refcounted object starts with an ffi_obj header. Fields hold strong
 * references to their children. Objects come from alloc.c, so live counts
 * and LIFO address reuse apply to all of them. Not thread safe: callers
 * hold the GIL (or their own lock). */
#ifndef FFI_NATIVE_H
#define FFI_NATIVE_H

#include <stddef.h>
#include <stdint.h>

typedef enum ffi_kind {
    FFI_VAR = 1,
    FFI_ADD,
    FFI_LAYOUT,
    FFI_NODE,
    FFI_OUTER,
    FFI_INNER,   /* view: no header of its own, lives inside an Outer */
    FFI_DERIVED, /* an object whose second base sits at an offset */
    FFI_HOLDER,  /* holds a Derived through a pointer to that base */
    FFI_BASE,    /* view: a Derived's base subobject wrapped on its own (no downcast) */
    FFI_KIND_END
} ffi_kind;

/* Header flag bits. The low byte is the strategies': the harness never
 * reads it except FFI_FLAG_OBSERVED. */
enum {
    FFI_FLAG_STRATEGY_MASK = 0x00ff,
    FFI_FLAG_OBSERVED = 0x0100,  /* report refcount changes to the hook */
    FFI_FLAG_INTERNED = 0x0200   /* a Var in the intern table */
};

typedef struct ffi_obj ffi_obj;
struct ffi_obj {
    int32_t refcount;
    uint16_t kind;                 /* ffi_kind */
    uint16_t flags;
    void (*destroy)(ffi_obj *);    /* frees children, then the object */
    void *slot;                    /* one pointer for intrusive strategies */
};

/* A native handle: the address bindings see plus the type. Caches must key
 * on both, since an Outer and its Inner share one address. */
typedef struct ffi_handle {
    void *addr;
    uint32_t kind;
} ffi_handle;

typedef struct ffi_var { ffi_obj hdr; size_t len; char name[]; } ffi_var;
typedef struct ffi_add { ffi_obj hdr; ffi_obj *a, *b; } ffi_add;
typedef struct ffi_layout {
    ffi_obj hdr;
    ffi_obj *offset;
    size_t naxes;
    ffi_obj *axes[];
} ffi_layout;
typedef struct ffi_node {
    ffi_obj hdr;
    int64_t tag;
    size_t n;
    ffi_obj *children[];
} ffi_node;
typedef struct ffi_outer {
    ffi_obj hdr;        /* Inner's view starts here too */
    int64_t value;
    void *inner_slot;   /* the slot intrusive strategies use for the Inner view */
} ffi_outer;
/* A second base: a base subobject that does not start its object, as the
 * second base of a C++ class with two does not. It records how far it sits
 * from the object's header (a C++ vtable's offset-to-top), so that code
 * holding a base pointer can find the whole object (dynamic_cast<void *>). */
typedef struct ffi_base {
    uint32_t to_top;    /* bytes from the object's header to this base */
    int64_t tag;        /* the base's own data */
    void *slot;         /* intrusive strategies' slot for a Base view */
} ffi_base;
typedef struct ffi_derived {
    ffi_obj hdr;        /* the object and its first base */
    int64_t value;
    ffi_base base;      /* the second base, at a non-zero offset */
} ffi_derived;
/* A base-typed field: it holds the base's address, and a reference to the
 * object that base is part of. */
typedef struct ffi_holder { ffi_obj hdr; ffi_base *base; } ffi_holder;

/* Hooks the harness installs; both may be NULL. */
typedef struct ffi_native_hooks {
    /* An object with FFI_FLAG_OBSERVED changed refcount; rc is the new one
     * (never 0: freeing goes through `freeing`). */
    void (*refcount_changed)(ffi_obj *o, int32_t rc);
    /* The object is about to be freed (its refcount reached 0). */
    void (*freeing)(ffi_obj *o);
} ffi_native_hooks;
extern ffi_native_hooks ffi_hooks;

/* Live native objects per kind (views are not objects and are not counted). */
int64_t ffi_native_live(ffi_kind kind);
int64_t ffi_native_live_total(void);

/* Constructors return a new reference (refcount 1) or NULL when out of
 * memory. They take new references to the children they are given. */
ffi_obj *ffi_var_new(const char *name, size_t len);
ffi_obj *ffi_add_new(ffi_obj *a, ffi_obj *b);
ffi_obj *ffi_layout_new(ffi_obj *const *axes, size_t naxes, ffi_obj *offset);
ffi_obj *ffi_node_new(int64_t tag, ffi_obj *const *children, size_t n);
ffi_obj *ffi_outer_new(int64_t value);
ffi_obj *ffi_derived_new(int64_t value);   /* its base's tag is value too */
ffi_obj *ffi_holder_new(ffi_base *base);    /* takes a reference to base's object */

/* The live Var interned under a name (a new reference to it), else a new
 * Var entered under it. The table holds no reference: a Var leaves it when
 * freed, and the name may then be interned anew. */
ffi_obj *ffi_var_intern(const char *name, size_t len);

/* A library function that takes a callback: calls fn(ctx, the Layout's
 * offset) and returns what fn returns (a new reference, or NULL when fn
 * fails). */
typedef ffi_obj *(*ffi_visit_fn)(void *ctx, ffi_obj *offset);
ffi_obj *ffi_layout_visit_offset(ffi_obj *layout, ffi_visit_fn fn, void *ctx);

/* A Derived's second base, and back: the object a base pointer is part of. */
static inline ffi_base *ffi_derived_base(ffi_obj *derived) { return &((ffi_derived *)derived)->base; }
static inline ffi_obj *ffi_base_object(const ffi_base *b)
{
    return (ffi_obj *)(void *)((char *)b - b->to_top);
}

static inline void ffi_incref(ffi_obj *o)
{
    o->refcount++;
    if (o->flags & FFI_FLAG_OBSERVED)
        ffi_hooks.refcount_changed(o, o->refcount);
}

void ffi_dealloc(ffi_obj *o);

static inline void ffi_decref(ffi_obj *o)
{
    if (--o->refcount == 0)
        ffi_dealloc(o);
    else if (o->flags & FFI_FLAG_OBSERVED)
        ffi_hooks.refcount_changed(o, o->refcount);
}

/* Handles. */
static inline ffi_handle ffi_handle_of(ffi_obj *o)
{
    ffi_handle h = { o, o->kind };
    return h;
}
static inline ffi_handle ffi_inner_of(ffi_obj *outer)
{
    ffi_handle h = { outer, FFI_INNER };
    return h;
}
/* A Derived's second base as a handle of its own, at the base's address:
 * what a binding that does not downcast a base pointer wraps. */
static inline ffi_handle ffi_base_view(ffi_base *b)
{
    ffi_handle h = { b, FFI_BASE };
    return h;
}
/* Views have no header: their owner keeps them alive. */
static inline int ffi_handle_is_view(ffi_handle h) { return h.kind == FFI_INNER || h.kind == FFI_BASE; }
/* The refcounted object that keeps a handle alive (itself, or a view's owner). */
static inline ffi_obj *ffi_handle_owner(ffi_handle h)
{
    if (h.kind == FFI_BASE)
        return ffi_base_object(h.addr);
    return (ffi_obj *)h.addr;
}
/* The pointer-sized slot intrusive strategies may use for this handle. */
static inline void **ffi_handle_slot(ffi_handle h)
{
    if (h.kind == FFI_INNER)
        return &((ffi_outer *)h.addr)->inner_slot;
    if (h.kind == FFI_BASE)
        return &((ffi_base *)h.addr)->slot;
    return &((ffi_obj *)h.addr)->slot;
}
static inline int ffi_handle_eq(ffi_handle a, ffi_handle b)
{
    return a.addr == b.addr && a.kind == b.kind;
}

/* Uniform child access, for graph walks: Add (a, b), Layout (axes..., offset),
 * Node (children...), Holder (the object its base is part of); Var, Outer
 * and Derived have none. */
size_t ffi_child_count(const ffi_obj *o);
ffi_obj *ffi_child(const ffi_obj *o, size_t i);

const char *ffi_kind_name(uint32_t kind);

#endif
