/* See native.h. Reference counts and the live count are atomic, so the
 * library may be called from several threads (ctypes and cffi release the
 * GIL around calls). */
#include "native.h"

#include <stdlib.h>
#include <string.h>
/* @if intern */
#include <pthread.h>
/* @end */

struct native_obj {
    long refcount;
    int kind;
    size_t n;                 /* children */
    native_obj **children;    /* owned references */
    int64_t value;            /* Node's tag, Derived's value */
    char *name;               /* Var */
    /* @if derived */
    struct native_base { int64_t tag; } base;   /* a Derived's second part, at an offset */
    native_base *held;        /* Holder: the base it points at */
    /* @end */
};

static long live;

static native_obj *make(int kind, native_obj **children, size_t n)
{
    native_obj *o = calloc(1, sizeof *o);
    o->refcount = 1;
    o->kind = kind;
    o->n = n;
    o->children = n ? malloc(n * sizeof *o->children) : NULL;
    for (size_t i = 0; i < n; i++) {
        o->children[i] = children[i];
        native_incref(children[i]);
    }
    __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
    return o;
}

static native_obj *child(native_obj *o, int kind, size_t i)
{
    if (!o || o->kind != kind || i >= o->n)
        return NULL;
    native_incref(o->children[i]);
    return o->children[i];
}

/* @if intern */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static native_obj *interned[64];   /* borrowed: a Var leaves when freed */
static int ninterned;

static void unintern(native_obj *o)
{
    pthread_mutex_lock(&intern_lock);
    for (int i = 0; i < ninterned; i++)
        if (interned[i] == o)
            interned[i] = interned[--ninterned];
    pthread_mutex_unlock(&intern_lock);
}

native_obj *native_var_intern(const char *name)
{
    native_obj *found = NULL;
    pthread_mutex_lock(&intern_lock);
    for (int i = 0; i < ninterned && !found; i++)
        if (strcmp(interned[i]->name, name) == 0)
            native_incref(found = interned[i]);
    if (!found && ninterned < 64)
        interned[ninterned++] = found = native_var_new(name);
    pthread_mutex_unlock(&intern_lock);
    return found ? found : native_var_new(name);
}
/* @end */

void native_incref(native_obj *o) { __atomic_add_fetch(&o->refcount, 1, __ATOMIC_RELAXED); }

void native_decref(native_obj *o)
{
    if (__atomic_sub_fetch(&o->refcount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    /* @if intern */
    if (o->kind == NATIVE_VAR)
        unintern(o);
    /* @end */
    for (size_t i = 0; i < o->n; i++)
        native_decref(o->children[i]);
    free(o->children);
    free(o->name);
    free(o);
    __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
}

int native_kind(native_obj *o) { return o ? o->kind : 0; }
int64_t native_live(void) { return __atomic_load_n(&live, __ATOMIC_RELAXED); }

native_obj *native_var_new(const char *name)
{
    native_obj *o = make(NATIVE_VAR, NULL, 0);
    o->name = malloc(strlen(name) + 1);
    strcpy(o->name, name);
    return o;
}

const char *native_var_name(native_obj *o) { return o && o->kind == NATIVE_VAR ? o->name : NULL; }

native_obj *native_add_new(native_obj *a, native_obj *b)
{
    native_obj *both[2] = {a, b};
    return make(NATIVE_ADD, both, 2);
}

native_obj *native_add_a(native_obj *o) { return child(o, NATIVE_ADD, 0); }
native_obj *native_add_b(native_obj *o) { return child(o, NATIVE_ADD, 1); }

/* A Layout's children: the axes, then the offset. */
native_obj *native_layout_new(native_obj **axes, size_t naxes, native_obj *offset)
{
    native_obj **all = malloc((naxes + 1) * sizeof *all);
    memcpy(all, axes, naxes * sizeof *all);
    all[naxes] = offset;
    native_obj *o = make(NATIVE_LAYOUT, all, naxes + 1);
    free(all);
    return o;
}

size_t native_layout_naxes(native_obj *o) { return o && o->kind == NATIVE_LAYOUT ? o->n - 1 : 0; }
native_obj *native_layout_axis(native_obj *o, size_t i)
{
    return i < native_layout_naxes(o) ? child(o, NATIVE_LAYOUT, i) : NULL;
}
native_obj *native_layout_offset(native_obj *o) { return child(o, NATIVE_LAYOUT, native_layout_naxes(o)); }
/* @if node */

native_obj *native_node_new(int64_t tag, native_obj **children, size_t n)
{
    native_obj *o = make(NATIVE_NODE, children, n);
    o->value = tag;
    return o;
}

int64_t native_node_tag(native_obj *o) { return o->value; }
size_t native_node_count(native_obj *o) { return o && o->kind == NATIVE_NODE ? o->n : 0; }
native_obj *native_node_child(native_obj *o, size_t i) { return child(o, NATIVE_NODE, i); }
/* @end */
/* @if derived */

native_obj *native_derived_new(int64_t value)
{
    native_obj *o = make(NATIVE_DERIVED, NULL, 0);
    o->value = o->base.tag = value;
    return o;
}

int64_t native_derived_value(native_obj *o) { return o->value; }
native_base *native_derived_base(native_obj *o) { return &o->base; }
native_obj *native_base_object(native_base *b)
{
    return (native_obj *)((char *)b - offsetof(native_obj, base));
}

native_obj *native_holder_new(native_base *b)
{
    native_obj *d = native_base_object(b);
    native_obj *o = make(NATIVE_HOLDER, &d, 1);
    o->held = b;
    return o;
}

native_base *native_holder_base(native_obj *o) { return o->held; }
/* @end */
/* @if callback */

native_obj *native_layout_visit_offset(native_obj *layout, native_obj *(*fn)(void *, native_obj *), void *ctx)
{
    native_obj *offset = native_layout_offset(layout);
    native_obj *r = fn(ctx, offset);
    native_decref(offset);
    return r;
}
/* @end */
