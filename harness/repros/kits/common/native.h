/* A small C library of reference-counted objects, the kind a C project
 * hands to Python binding tools: opaque pointers, constructors and getters
 * that return new references, explicit incref/decref.
 *
 *   Var(name)  Add(a, b)  Layout(axes, offset)
 * @if node
 *   Node(tag, children)
 * @end
 * @if derived
 *   Derived(value), whose second part (a "base") sits at another address
 *   than the object, and Holder, which keeps a pointer to that base
 * @end
 */
#ifndef NATIVE_H
#define NATIVE_H

#include <stddef.h>
#include <stdint.h>

typedef struct native_obj native_obj;
enum { NATIVE_VAR = 1, NATIVE_ADD, NATIVE_LAYOUT, NATIVE_NODE, NATIVE_DERIVED, NATIVE_HOLDER };

/* Constructors return a new reference and take their own references to
 * the children they are given; getters of objects return a new reference. */
native_obj *native_var_new(const char *name);
native_obj *native_add_new(native_obj *a, native_obj *b);
native_obj *native_layout_new(native_obj **axes, size_t naxes, native_obj *offset);
void native_incref(native_obj *o);
void native_decref(native_obj *o);
int native_kind(native_obj *o);
const char *native_var_name(native_obj *o);
native_obj *native_add_a(native_obj *o);
native_obj *native_add_b(native_obj *o);
size_t native_layout_naxes(native_obj *o);
native_obj *native_layout_axis(native_obj *o, size_t i);
native_obj *native_layout_offset(native_obj *o);
/* Objects alive. */
int64_t native_live(void);
/* @if node */
native_obj *native_node_new(int64_t tag, native_obj **children, size_t n);
int64_t native_node_tag(native_obj *o);
size_t native_node_count(native_obj *o);
native_obj *native_node_child(native_obj *o, size_t i);
/* @end */
/* @if intern */
/* The live Var of that name (a new reference), else a new one. */
native_obj *native_var_intern(const char *name);
/* @end */
/* @if derived */
typedef struct native_base native_base;
native_obj *native_derived_new(int64_t value);
int64_t native_derived_value(native_obj *o);
native_base *native_derived_base(native_obj *o);   /* valid while o lives */
native_obj *native_base_object(native_base *b);    /* the Derived b is part of (borrowed) */
native_obj *native_holder_new(native_base *b);     /* keeps a reference to b's Derived */
native_base *native_holder_base(native_obj *o);    /* the pointer it keeps */
/* @end */
/* @if callback */
/* Calls fn(ctx, the Layout's offset) and returns what fn returns (a new
 * reference, or NULL). */
native_obj *native_layout_visit_offset(native_obj *layout, native_obj *(*fn)(void *ctx, native_obj *offset),
                                       void *ctx);
/* @end */

#endif
