/* libffi_native.so: harness/model/native.c behind a locked, exported C API; see
 * ffi_native_api.h. Built with -fvisibility=hidden so only this API is
 * exported and the library keeps its own copy of the object model even
 * inside a process that also has ffi_identity loaded. */
#include <pthread.h>
#include <string.h>

#include "native.h"
#include "ffi_native_api.h"

#define API __attribute__((visibility("default")))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork(void) { pthread_mutex_unlock(&lock); }
static void install_fork_handlers(void) { pthread_atfork(before_fork, after_fork, after_fork); }

static void enter(void)
{
    pthread_once(&once, install_fork_handlers);
    pthread_mutex_lock(&lock);
}
static void leave(void) { pthread_mutex_unlock(&lock); }

/* A checked new reference to a child, under the lock. */
static ffi_obj *child(ffi_obj *o, int kind, size_t i)
{
    enter();
    ffi_obj *c = o && o->kind == kind && i < ffi_child_count(o) ? ffi_child(o, i) : NULL;
    if (c)
        ffi_incref(c);
    leave();
    return c;
}

API ffi_obj *ffn_var_new(const char *name)
{
    enter();
    ffi_obj *o = name ? ffi_var_new(name, strlen(name)) : NULL;
    leave();
    return o;
}

API ffi_obj *ffn_add_new(ffi_obj *a, ffi_obj *b)
{
    enter();
    ffi_obj *o = a && b ? ffi_add_new(a, b) : NULL;
    leave();
    return o;
}

API ffi_obj *ffn_layout_new(ffi_obj **axes, size_t naxes, ffi_obj *offset)
{
    enter();
    ffi_obj *o = offset && (axes || !naxes) ? ffi_layout_new(axes, naxes, offset) : NULL;
    leave();
    return o;
}

API ffi_obj *ffn_node_new(int64_t tag, ffi_obj **children, size_t n)
{
    enter();
    ffi_obj *o = children || !n ? ffi_node_new(tag, children, n) : NULL;
    leave();
    return o;
}

API ffi_obj *ffn_outer_new(int64_t value)
{
    enter();
    ffi_obj *o = ffi_outer_new(value);
    leave();
    return o;
}

API ffi_obj *ffn_derived_new(int64_t value)
{
    enter();
    ffi_obj *o = ffi_derived_new(value);
    leave();
    return o;
}

API ffi_obj *ffn_holder_new(ffi_base *base)
{
    enter();
    ffi_obj *o = base ? ffi_holder_new(base) : NULL;
    leave();
    return o;
}

API ffi_obj *ffn_var_intern(const char *name)
{
    enter();
    ffi_obj *o = name ? ffi_var_intern(name, strlen(name)) : NULL;
    leave();
    return o;
}

API void ffn_incref(ffi_obj *o)
{
    enter();
    ffi_incref(o);
    leave();
}

API void ffn_decref(ffi_obj *o)
{
    enter();
    ffi_decref(o);
    leave();
}

API int ffn_kind(ffi_obj *o) { return o ? o->kind : 0; }   /* immutable */

API const char *ffn_var_name(ffi_obj *o) { return o && o->kind == FFI_VAR ? ((ffi_var *)o)->name : NULL; }

API ffi_obj *ffn_add_a(ffi_obj *o) { return child(o, FFI_ADD, 0); }
API ffi_obj *ffn_add_b(ffi_obj *o) { return child(o, FFI_ADD, 1); }

API size_t ffn_layout_naxes(ffi_obj *o) { return o && o->kind == FFI_LAYOUT ? ((ffi_layout *)o)->naxes : 0; }
API ffi_obj *ffn_layout_axis(ffi_obj *o, size_t i)
{
    return i < ffn_layout_naxes(o) ? child(o, FFI_LAYOUT, i) : NULL;
}
API ffi_obj *ffn_layout_offset(ffi_obj *o) { return child(o, FFI_LAYOUT, ffn_layout_naxes(o)); }

API int64_t ffn_node_tag(ffi_obj *o) { return o && o->kind == FFI_NODE ? ((ffi_node *)o)->tag : 0; }
API size_t ffn_node_count(ffi_obj *o) { return o && o->kind == FFI_NODE ? ((ffi_node *)o)->n : 0; }
API ffi_obj *ffn_node_child(ffi_obj *o, size_t i) { return child(o, FFI_NODE, i); }

API int64_t ffn_outer_value(ffi_obj *o) { return o && o->kind == FFI_OUTER ? ((ffi_outer *)o)->value : 0; }

API int64_t ffn_derived_value(ffi_obj *o) { return o && o->kind == FFI_DERIVED ? ((ffi_derived *)o)->value : 0; }
API ffi_base *ffn_derived_base(ffi_obj *o) { return o && o->kind == FFI_DERIVED ? ffi_derived_base(o) : NULL; }
API ffi_obj *ffn_base_object(ffi_base *b) { return ffi_base_object(b); }   /* immutable */
API int64_t ffn_base_tag(ffi_base *b) { return b->tag; }

API ffi_base *ffn_holder_base(ffi_obj *o)
{
    if (!o || o->kind != FFI_HOLDER)
        return NULL;
    enter();
    ffi_base *b = ((ffi_holder *)o)->base;
    ffi_incref(ffi_base_object(b));
    leave();
    return b;
}

API void ffn_consume(ffi_obj *o) { ffn_decref(o); }

API ffi_obj *ffn_layout_visit_offset(ffi_obj *layout, ffi_obj *(*fn)(void *, ffi_obj *), void *ctx)
{
    /* The offset's reference is taken under the lock and the callback runs
     * without it: the callback calls back into this library. */
    ffi_obj *offset = child(layout, FFI_LAYOUT, ffn_layout_naxes(layout));
    if (!offset)
        return NULL;
    ffi_obj *r = fn(ctx, offset);
    ffn_decref(offset);
    return r;
}

API int64_t ffn_live(void)
{
    enter();
    int64_t n = ffi_native_live_total();
    leave();
    return n;
}
