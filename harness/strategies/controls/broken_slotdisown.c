/* broken-slotdisown (control): the intrusive strategy with a dealloc hook
 * that ignores a wrapper still alive, so a disowned wrapper stays in its
 * native's header slot. When the native goes with the disown the slot's
 * memory goes with it, and nothing shows; when another owner keeps the
 * native (add = Add(v, v); ns.consume(v)), add.a hands the disowned
 * wrapper back, and its live count stays one too high for ever. Fails O1. */
#include "core/builtin.h"

/* Everything but the dealloc hook is intrusive's own. */
extern const ffi_strategy ffi_strategy_intrusive;

static int slotdisown_init(ffi_cache *c) { return ffi_strategy_intrusive.init(c); }
static void slotdisown_fini(ffi_cache *c) { ffi_strategy_intrusive.fini(c); }
static PyObject *slotdisown_wrap(ffi_cache *c, ffi_handle h) { return ffi_strategy_intrusive.wrap(c, h); }
static size_t slotdisown_entries(ffi_cache *c) { return ffi_strategy_intrusive.entries_live(c); }

static void slotdisown_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    if (Py_REFCNT(w) > 0)
        return;   /* the bug: "only a dying wrapper is forgotten"; a disowned one is alive */
    ffi_strategy_intrusive.wrapper_dealloc(c, w, h);
}

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
