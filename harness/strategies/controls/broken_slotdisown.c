/* broken-slotdisown (control): the intrusive strategy with a dealloc hook
 * that ignores a wrapper still alive, so a disowned wrapper stays in its
 * native's header slot. When the native goes with the disown the slot's
 * memory goes with it, and nothing shows; when another owner keeps the
 * native (add = Add(v, v); ns.consume(v)), add.a hands the disowned
 * wrapper back, and its live count stays one too high for ever. Fails O1. */
#include "core/builtin.h"

typedef struct slotdisown_state { size_t live; } slotdisown_state;

static int slotdisown_init(ffi_cache *c)
{
    c->state = PyMem_RawCalloc(1, sizeof(slotdisown_state));
    return c->state ? 0 : (PyErr_NoMemory(), -1);
}

static void slotdisown_fini(ffi_cache *c) { PyMem_RawFree(c->state); }

static PyObject *slotdisown_wrap(ffi_cache *c, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    if (*slot)
        return Py_NewRef((PyObject *)*slot);
    PyObject *w = ffi_cache_new_wrapper(c, h);
    if (!w)
        return NULL;
    if (*slot) {
        Py_DECREF(w);
        return Py_NewRef((PyObject *)*slot);
    }
    *slot = w;
    ((slotdisown_state *)c->state)->live++;
    return w;
}

static void slotdisown_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    if (Py_REFCNT(w) > 0)
        return;   /* the bug: "only a dying wrapper is forgotten"; a disowned one is alive */
    void **slot = ffi_handle_slot(h);
    if (*slot == w) {
        *slot = NULL;
        ((slotdisown_state *)c->state)->live--;
    }
}

static size_t slotdisown_entries(ffi_cache *c) { return ((slotdisown_state *)c->state)->live; }

const ffi_strategy ffi_control_slotdisown = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-slotdisown",
    .summary = "control: a disowned wrapper stays in its native's header slot (a second owner gets it back)",
    .init = slotdisown_init,
    .fini = slotdisown_fini,
    .wrap = slotdisown_wrap,
    .wrapper_dealloc = slotdisown_wrapper_dealloc,
    .entries_live = slotdisown_entries,
};

FFI_BUILTIN(ffi_control_slotdisown, FFI_BUILTIN_NODE, 1, 195);
