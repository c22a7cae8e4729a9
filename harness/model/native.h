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
 * hold the GIL (or their own lock).
 *
 * The header, the handle and the helpers a strategy may use are in
 * handle.h; what this file adds is the harness's (linked functions and
 * data), which a strategy must not use: an out-of-tree one could not link
 * them. */
#ifndef FFI_NATIVE_H
#define FFI_NATIVE_H

#include "handle.h"

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

/* Uniform child access, for graph walks: Add (a, b), Layout (axes..., offset),
 * Node (children...), Holder (the object its base is part of); Var, Outer
 * and Derived have none. */
size_t ffi_child_count(const ffi_obj *o);
ffi_obj *ffi_child(const ffi_obj *o, size_t i);

const char *ffi_kind_name(uint32_t kind);

#endif
