/* The reference object model as a plain C library (libffi_native.so), the
 * way a C project would ship it to ctypes and cffi users: opaque pointers,
 * constructors and getters that return new references, explicit
 * incref/decref, and a live-object count.
 *
 * Thread safe: every call takes one library lock (cffi and ctypes release
 * the GIL around foreign calls), and fork() in another thread cannot leave
 * the lock held in the child.
 *
 * This header is also the cffi adapter's cdef: it keeps to the C subset
 * cffi parses (no macros besides the guard; '#' lines are stripped). */
#ifndef FFI_NATIVE_API_H
#define FFI_NATIVE_API_H

#include <stddef.h>
#include <stdint.h>

typedef struct ffi_obj ffi_obj;
typedef struct ffi_base ffi_base;   /* a Derived's second base, at an offset */

/* Kinds, as ffn_kind() reports them. */
enum { FFN_VAR = 1, FFN_ADD = 2, FFN_LAYOUT = 3, FFN_NODE = 4, FFN_OUTER = 5, FFN_DERIVED = 7, FFN_HOLDER = 8 };

/* Constructors: a new reference, or NULL when out of memory. They take
 * their own references to the children they are given. */
ffi_obj *ffn_var_new(const char *name);
ffi_obj *ffn_add_new(ffi_obj *a, ffi_obj *b);
ffi_obj *ffn_layout_new(ffi_obj **axes, size_t naxes, ffi_obj *offset);
ffi_obj *ffn_node_new(int64_t tag, ffi_obj **children, size_t n);
ffi_obj *ffn_outer_new(int64_t value);
ffi_obj *ffn_derived_new(int64_t value);
/* A Holder keeps a pointer to a Derived's second base (and a reference to
 * the Derived); base is what ffn_derived_base gives. */
ffi_obj *ffn_holder_new(ffi_base *base);
/* The live Var interned under name (a new reference), else a new one. */
ffi_obj *ffn_var_intern(const char *name);

void ffn_incref(ffi_obj *o);
void ffn_decref(ffi_obj *o);
int ffn_kind(ffi_obj *o);

/* Field getters returning objects give a NEW reference (the caller
 * decrefs); indices are checked (NULL when out of range). Getters take NULL
 * (a disowned wrapper's pointer) and give NULL or 0. */
const char *ffn_var_name(ffi_obj *o);   /* valid while o lives */
ffi_obj *ffn_add_a(ffi_obj *o);
ffi_obj *ffn_add_b(ffi_obj *o);
size_t ffn_layout_naxes(ffi_obj *o);
ffi_obj *ffn_layout_axis(ffi_obj *o, size_t i);
ffi_obj *ffn_layout_offset(ffi_obj *o);
int64_t ffn_node_tag(ffi_obj *o);
size_t ffn_node_count(ffi_obj *o);
ffi_obj *ffn_node_child(ffi_obj *o, size_t i);
int64_t ffn_outer_value(ffi_obj *o);
int64_t ffn_derived_value(ffi_obj *o);
/* A Derived's second base: another address than the Derived's, valid while
 * the Derived lives; and back, the object a base pointer is part of. */
ffi_base *ffn_derived_base(ffi_obj *o);
ffi_obj *ffn_base_object(ffi_base *b);
int64_t ffn_base_tag(ffi_base *b);
/* A NEW reference to the Derived, and its base's address. */
ffi_base *ffn_holder_base(ffi_obj *o);

/* Takes the caller's reference and drops it: native code taking ownership
 * (a unique_ptr sink). */
void ffn_consume(ffi_obj *o);
/* Calls fn(ctx, the Layout's offset) without the library lock held and
 * returns what fn returns (a new reference fn gives, or NULL). */
ffi_obj *ffn_layout_visit_offset(ffi_obj *layout, ffi_obj *(*fn)(void *, ffi_obj *), void *ctx);

/* Native objects alive in this library. */
int64_t ffn_live(void);

#endif
