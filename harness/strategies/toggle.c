/* toggle: intrusive back-pointer plus a toggle reference. While anything
 * besides the wrapper holds the native object (native refcount >= 2) the
 * native side holds a STRONG reference to the wrapper; when only the
 * wrapper holds it (refcount 1) the reference is weak, so the pair dies
 * together once Python lets go. The wrapper thus lives exactly as long as
 * the native object: id() is stable and attributes set on it persist.
 * PyTorch's PyObject preservation, old PyGObject/GJS toggle refs (tvm-ffi's
 * "tying" is a different design: see revive.c).
 *
 * Cost of the design, visible in the suite: the strong native->wrapper edge
 * is invisible to Python's cycle GC, so a cycle that runs through native
 * objects (wrapper.__dict__ -> parent wrapper -> parent native -> child
 * native -> child wrapper) is never collected.
 *
 * Views (Inner, Base) have no refcount of their own: they get the plain
 * intrusive behaviour. */
#include "core/builtin.h"

enum { STRONG = 0x01 };   /* in the header's strategy-owned flag bits */

typedef struct toggle_state { size_t live; } toggle_state;

static int toggle_init(ffi_cache *c)
{
    c->state = PyMem_RawCalloc(1, sizeof(toggle_state));
    return c->state ? 0 : (PyErr_NoMemory(), -1);
}

static void toggle_fini(ffi_cache *c) { PyMem_RawFree(c->state); }

static void make_strong(ffi_obj *o, PyObject *w)
{
    o->flags |= STRONG;
    Py_INCREF(w);
}

static PyObject *toggle_wrap(ffi_cache *c, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    if (*slot)
        return Py_NewRef((PyObject *)*slot);
    PyObject *w = ffi_cache_new_wrapper(c, h);   /* takes a native reference */
    if (!w)
        return NULL;
    if (*slot) {
        Py_DECREF(w);
        return Py_NewRef((PyObject *)*slot);
    }
    *slot = w;
    ((toggle_state *)c->state)->live++;
    if (!ffi_handle_is_view(h)) {
        ffi_obj *o = h.addr;
        o->flags |= FFI_FLAG_OBSERVED;
        if (o->refcount >= 2)
            make_strong(o, w);
    }
    return w;
}

/* Runs on every refcount change of an observed native object. */
static void toggle_refcount_changed(ffi_cache *c, ffi_obj *o, int32_t rc)
{
    (void)c;
    PyObject *w = o->slot;
    if (rc >= 2 && !(o->flags & STRONG)) {
        make_strong(o, w);
    } else if (rc == 1 && (o->flags & STRONG)) {
        o->flags &= (uint16_t)~STRONG;
        Py_DECREF(w);   /* may free the wrapper, and with it o: touch nothing after */
    }
}

static void toggle_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    if (*slot != w)
        return;
    *slot = NULL;
    ((toggle_state *)c->state)->live--;
    if (ffi_handle_is_view(h))
        return;
    ffi_obj *o = h.addr;
    /* STRONG here means w is alive and being disowned (a dying wrapper has
     * no strong reference left): the native lets go of it. */
    int strong = o->flags & STRONG;
    o->flags &= (uint16_t)~(FFI_FLAG_OBSERVED | STRONG);
    if (strong)
        Py_DECREF(w);   /* the disowning caller still holds it */
}

static size_t toggle_entries(ffi_cache *c) { return ((toggle_state *)c->state)->live; }

const ffi_strategy ffi_strategy_toggle = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "toggle",
    .summary = "intrusive + toggle ref: wrapper lives as long as the native (PyTorch)",
    .init = toggle_init,
    .fini = toggle_fini,
    .wrap = toggle_wrap,
    .wrapper_dealloc = toggle_wrapper_dealloc,
    .refcount_changed = toggle_refcount_changed,
    .entries_live = toggle_entries,
    /* bytes_used NULL (0): the slot is in the native header, as intrusive's. */
};

FFI_BUILTIN(ffi_strategy_toggle, FFI_BUILTIN_BOTH, 0, 50);
