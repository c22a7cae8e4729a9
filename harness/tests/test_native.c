/* The native object model on its own: refcounts, children, live counts,
 * LIFO address reuse, and the handle map the strategies share. */
#include <string.h>

#include "model/alloc.h"
#include "model/native.h"
#include "strategies/handle_map.h"
#include "tap.h"

static void refcounts_and_children(void)
{
    ffi_obj *i = ffi_var_new("i", 1), *j = ffi_var_new("j", 1);
    tap_ok(i->refcount == 1 && i->kind == FFI_VAR, "a new Var has refcount 1 and kind Var");
    ffi_obj *add = ffi_add_new(i, j);
    ffi_obj *axes[] = {i, j};
    ffi_obj *layout = ffi_layout_new(axes, 2, add);
    tap_ok(i->refcount == 3 && j->refcount == 3, "Add and Layout each hold their children");
    tap_ok(ffi_native_live_total() == 4, "four objects are live");
    tap_ok(ffi_child_count(layout) == 3 && ffi_child(layout, 0) == i && ffi_child(layout, 2) == add,
           "Layout children are axes then offset");
    tap_ok(strcmp(((ffi_var *)i)->name, "i") == 0, "Var keeps its name");
    ffi_decref(add);
    ffi_decref(i);
    ffi_decref(j);
    tap_ok(ffi_native_live_total() == 4, "the Layout keeps everything alive");
    ffi_decref(layout);
    tap_ok(ffi_native_live_total() == 0, "dropping the Layout frees the whole graph");
    tap_ok(ffi_alloc_get_stats().live_bytes == 0, "the allocator's live bytes return to 0");
}

static void views_share_an_address(void)
{
    ffi_obj *o = ffi_outer_new(42);
    ffi_handle outer = ffi_handle_of(o), inner = ffi_inner_of(o);
    tap_ok(outer.addr == inner.addr && !ffi_handle_eq(outer, inner),
           "Outer and its Inner view share an address but are different handles");
    tap_ok(ffi_handle_slot(outer) != ffi_handle_slot(inner), "they have separate intrusive slots");
    tap_ok(ffi_handle_owner(inner) == o, "the view is kept alive by its Outer");
    ffi_decref(o);
}

static void base_at_an_offset(void)
{
    ffi_obj *d = ffi_derived_new(7);
    ffi_base *b = ffi_derived_base(d);
    tap_ok((void *)b != (void *)d && ffi_base_object(b) == d,
           "a Derived's second base sits at another address and leads back to it");
    ffi_obj *h = ffi_holder_new(b);
    tap_ok(d->refcount == 2 && ffi_child(h, 0) == d, "a Holder of the base holds the whole Derived");
    tap_ok(ffi_handle_owner(ffi_base_view(b)) == d && ffi_handle_slot(ffi_base_view(b)) != ffi_handle_slot(ffi_handle_of(d)),
           "a Base view is owned by its Derived and has a slot of its own");
    ffi_decref(d);
    ffi_decref(h);
    tap_ok(ffi_native_live_total() == 0, "dropping the Holder frees the Derived");
}

static ffi_obj *give_back(void *ctx, ffi_obj *offset)
{
    *(ffi_obj **)ctx = offset;
    ffi_incref(offset);
    return offset;
}

static void intern_and_callback(void)
{
    ffi_obj *a = ffi_var_intern("k", 1), *b = ffi_var_intern("k", 1), *c = ffi_var_intern("q", 1);
    tap_ok(a == b && a != c && a->refcount == 2, "interning a live name gives its Var, a new reference");
    ffi_decref(a);
    ffi_decref(b);
    ffi_alloc_set_mode(FFI_ALLOC_LIFO);
    ffi_obj *d = ffi_var_new("x", 1), *e = ffi_var_intern("k", 1);
    tap_ok(e != d && ((ffi_var *)e)->name[0] == 'k' && e->refcount == 1,
           "a freed interned Var left the table: the name gets a new one");
    ffi_obj *axes[] = {d};
    ffi_obj *l = ffi_layout_new(axes, 1, e), *seen = NULL;
    ffi_obj *r = ffi_layout_visit_offset(l, give_back, &seen);
    tap_ok(seen == e && r == e && e->refcount == 3, "the callback gets the offset and what it returns comes back");
    ffi_decref(r);
    ffi_decref(l);
    ffi_decref(d), ffi_decref(e), ffi_decref(c);
    ffi_alloc_set_mode(FFI_ALLOC_MALLOC);
    tap_ok(ffi_native_live_total() == 0, "nothing is left");
}

static void lifo_reuses_addresses(void)
{
    ffi_alloc_set_mode(FFI_ALLOC_LIFO);
    ffi_obj *a = ffi_var_new("a", 1);
    void *addr = a;
    ffi_decref(a);
    ffi_obj *b = ffi_outer_new(1);   /* same size class as a one-letter Var */
    tap_ok((void *)b == addr, "LIFO mode hands a freed address to the next allocation");
    ffi_decref(b);
    ffi_alloc_set_mode(FFI_ALLOC_MALLOC);
    tap_ok(ffi_alloc_get_stats().live_blocks == 0, "no blocks live after trim");
}

static void handle_map(void)
{
    ffi_map m;
    tap_ok(ffi_map_init(&m) == 0, "map init");
    enum { N = 5000 };
    static char objs[N][16];
    int ok = 1;
    for (int k = 0; k < N; k++)
        ok &= ffi_map_put(&m, (ffi_handle){objs[k], FFI_VAR}, &objs[k][1]) == 0;
    tap_ok(ok && m.len == N, "5000 inserts, through several resizes");
    for (int k = 0; k < N; k += 2)
        ok &= ffi_map_remove(&m, (ffi_handle){objs[k], FFI_VAR}) == &objs[k][1];
    tap_ok(ok && m.len == N / 2, "removing every other entry returns the stored values");
    for (int k = 0; k < N; k++) {
        void *want = k % 2 ? &objs[k][1] : NULL;
        ok &= ffi_map_get(&m, (ffi_handle){objs[k], FFI_VAR}) == want;
    }
    tap_ok(ok, "after backward-shift deletion every remaining key is still found");
    tap_ok(ffi_map_get(&m, (ffi_handle){objs[1], FFI_OUTER}) == NULL,
           "the same address with another kind is a different key");
    ffi_map_fini(&m);
}

int main(void)
{
    tap_plan(26);
    refcounts_and_children();
    views_share_an_address();
    base_at_an_offset();
    intern_and_callback();
    lifo_reuses_addresses();
    handle_map();
    return tap_done();
}
