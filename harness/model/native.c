/* The reference native object model; see native.h. */
#include "native.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

ffi_native_hooks ffi_hooks;
static int64_t live[FFI_KIND_END];

static size_t var_size(size_t len) { return sizeof(ffi_var) + len + 1; }
static size_t layout_size(size_t n) { return sizeof(ffi_layout) + n * sizeof(ffi_obj *); }
static size_t node_size(size_t n) { return sizeof(ffi_node) + n * sizeof(ffi_obj *); }

static void *obj_alloc(size_t size, ffi_kind kind, void (*destroy)(ffi_obj *))
{
    ffi_obj *o = ffi_alloc(size);
    if (!o)
        return NULL;
    memset(o, 0, size);
    o->refcount = 1;
    o->kind = (uint16_t)kind;
    o->destroy = destroy;
    live[kind]++;
    return o;
}

static void obj_free(ffi_obj *o, size_t size)
{
    live[o->kind]--;
    /* Poison the header so a stale pointer is obvious in a debugger. */
    o->kind = 0;
    o->slot = NULL;
    ffi_free(o, size);
}

/* The intern table: Vars by name, borrowed (a Var leaves it when freed).
 * Tests intern a few names, so a linear scan will do. */
static ffi_obj **interned;
static size_t ninterned, interned_cap;

static void unintern(ffi_obj *o)
{
    for (size_t i = 0; i < ninterned; i++)
        if (interned[i] == o) {
            interned[i] = interned[--ninterned];
            return;
        }
}

static void var_destroy(ffi_obj *o)
{
    if (o->flags & FFI_FLAG_INTERNED)
        unintern(o);
    obj_free(o, var_size(((ffi_var *)o)->len));
}

static void add_destroy(ffi_obj *o)
{
    ffi_add *a = (ffi_add *)o;
    ffi_obj *x = a->a, *y = a->b;
    obj_free(o, sizeof(ffi_add));
    ffi_decref(x);
    ffi_decref(y);
}

static void layout_destroy(ffi_obj *o)
{
    ffi_layout *l = (ffi_layout *)o;
    for (size_t i = 0; i < l->naxes; i++)
        ffi_decref(l->axes[i]);
    ffi_decref(l->offset);
    obj_free(o, layout_size(l->naxes));
}

static void node_destroy(ffi_obj *o)
{
    ffi_node *n = (ffi_node *)o;
    for (size_t i = 0; i < n->n; i++)
        ffi_decref(n->children[i]);
    obj_free(o, node_size(n->n));
}

static void outer_destroy(ffi_obj *o) { obj_free(o, sizeof(ffi_outer)); }
static void derived_destroy(ffi_obj *o) { obj_free(o, sizeof(ffi_derived)); }

static void holder_destroy(ffi_obj *o)
{
    ffi_obj *held = ffi_base_object(((ffi_holder *)o)->base);
    obj_free(o, sizeof(ffi_holder));
    ffi_decref(held);
}

ffi_obj *ffi_var_new(const char *name, size_t len)
{
    ffi_var *v = obj_alloc(var_size(len), FFI_VAR, var_destroy);
    if (!v)
        return NULL;
    v->len = len;
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    return &v->hdr;
}

ffi_obj *ffi_add_new(ffi_obj *a, ffi_obj *b)
{
    ffi_add *o = obj_alloc(sizeof(ffi_add), FFI_ADD, add_destroy);
    if (!o)
        return NULL;
    ffi_incref(a);
    ffi_incref(b);
    o->a = a;
    o->b = b;
    return &o->hdr;
}

ffi_obj *ffi_layout_new(ffi_obj *const *axes, size_t naxes, ffi_obj *offset)
{
    ffi_layout *l = obj_alloc(layout_size(naxes), FFI_LAYOUT, layout_destroy);
    if (!l)
        return NULL;
    l->naxes = naxes;
    for (size_t i = 0; i < naxes; i++) {
        ffi_incref(axes[i]);
        l->axes[i] = axes[i];
    }
    ffi_incref(offset);
    l->offset = offset;
    return &l->hdr;
}

ffi_obj *ffi_node_new(int64_t tag, ffi_obj *const *children, size_t n)
{
    ffi_node *o = obj_alloc(node_size(n), FFI_NODE, node_destroy);
    if (!o)
        return NULL;
    o->tag = tag;
    o->n = n;
    for (size_t i = 0; i < n; i++) {
        ffi_incref(children[i]);
        o->children[i] = children[i];
    }
    return &o->hdr;
}

ffi_obj *ffi_outer_new(int64_t value)
{
    ffi_outer *o = obj_alloc(sizeof(ffi_outer), FFI_OUTER, outer_destroy);
    if (!o)
        return NULL;
    o->value = value;
    return &o->hdr;
}

ffi_obj *ffi_derived_new(int64_t value)
{
    ffi_derived *d = obj_alloc(sizeof(ffi_derived), FFI_DERIVED, derived_destroy);
    if (!d)
        return NULL;
    d->value = value;
    d->base.to_top = (uint32_t)offsetof(ffi_derived, base);
    d->base.tag = value;
    return &d->hdr;
}

ffi_obj *ffi_holder_new(ffi_base *base)
{
    ffi_holder *h = obj_alloc(sizeof(ffi_holder), FFI_HOLDER, holder_destroy);
    if (!h)
        return NULL;
    ffi_incref(ffi_base_object(base));
    h->base = base;
    return &h->hdr;
}

ffi_obj *ffi_var_intern(const char *name, size_t len)
{
    for (size_t i = 0; i < ninterned; i++) {
        ffi_var *v = (ffi_var *)interned[i];
        if (v->len == len && memcmp(v->name, name, len) == 0) {
            ffi_incref(interned[i]);
            return interned[i];
        }
    }
    if (ninterned == interned_cap) {
        size_t cap = interned_cap ? 2 * interned_cap : 16;
        ffi_obj **grown = realloc(interned, cap * sizeof *grown);
        if (!grown)
            return NULL;
        interned = grown;
        interned_cap = cap;
    }
    ffi_obj *o = ffi_var_new(name, len);
    if (!o)
        return NULL;
    o->flags |= FFI_FLAG_INTERNED;
    interned[ninterned++] = o;
    return o;
}

ffi_obj *ffi_layout_visit_offset(ffi_obj *layout, ffi_visit_fn fn, void *ctx)
{
    ffi_obj *offset = ((ffi_layout *)layout)->offset;
    ffi_incref(offset);   /* the callback may drop the Layout */
    ffi_obj *r = fn(ctx, offset);
    ffi_decref(offset);
    return r;
}

void ffi_dealloc(ffi_obj *o)
{
    if (ffi_hooks.freeing)
        ffi_hooks.freeing(o);
    o->destroy(o);
}

int64_t ffi_native_live(ffi_kind kind) { return live[kind]; }

int64_t ffi_native_live_total(void)
{
    int64_t n = 0;
    for (int k = 0; k < FFI_KIND_END; k++)
        n += live[k];
    return n;
}

size_t ffi_child_count(const ffi_obj *o)
{
    switch (o->kind) {
    case FFI_ADD: return 2;
    case FFI_LAYOUT: return ((const ffi_layout *)o)->naxes + 1;
    case FFI_NODE: return ((const ffi_node *)o)->n;
    case FFI_HOLDER: return 1;
    default: return 0;
    }
}

ffi_obj *ffi_child(const ffi_obj *o, size_t i)
{
    switch (o->kind) {
    case FFI_ADD: return i == 0 ? ((const ffi_add *)o)->a : ((const ffi_add *)o)->b;
    case FFI_LAYOUT: {
        const ffi_layout *l = (const ffi_layout *)o;
        return i < l->naxes ? l->axes[i] : l->offset;
    }
    case FFI_NODE: return ((const ffi_node *)o)->children[i];
    case FFI_HOLDER: return ffi_base_object(((const ffi_holder *)o)->base);
    default: return NULL;
    }
}

const char *ffi_kind_name(uint32_t kind)
{
    switch (kind) {
    case FFI_VAR: return "Var";
    case FFI_ADD: return "Add";
    case FFI_LAYOUT: return "Layout";
    case FFI_NODE: return "Node";
    case FFI_OUTER: return "Outer";
    case FFI_INNER: return "Inner";
    case FFI_DERIVED: return "Derived";
    case FFI_HOLDER: return "Holder";
    case FFI_BASE: return "Base";
    default: return "?";
    }
}
