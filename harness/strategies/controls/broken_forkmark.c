/* broken-forkmark (control): marks a handle "being created" in its map
 * while it makes the wrapper, so that a thread that misses on the same
 * handle meanwhile waits for that one wrapper instead of making a second;
 * and has no fork hooks. A fork while another thread is inside creation
 * copies that thread's mark into the child, where no thread will ever
 * replace it: the child's first read of that handle waits forever. A
 * child that reads only objects it made itself never meets the mark.
 * Fails F3 (the child re-reads objects the churning thread was wrapping).
 * The fix is a fork_child hook that drops every mark. */
#include <time.h>

#include "strategies/handle_map.h"
#include "core/builtin.h"

/* Not a wrapper: the map's value while some thread creates one. */
static char being_created;
#define MARK ((void *)&being_created)

static PyObject *forkmark_wrap(ffi_cache *c, ffi_handle h)
{
    ffi_map *m = c->state;
    void *w;
    while ((w = ffi_map_get(m, h)) == MARK) {
        /* Another thread is making it: wait without the GIL, which it needs. */
        Py_BEGIN_ALLOW_THREADS
        nanosleep(&(struct timespec){0, 50 * 1000}, NULL);
        Py_END_ALLOW_THREADS
    }
    if (w)
        return Py_NewRef((PyObject *)w);
    if (ffi_map_put(m, h, MARK) < 0)
        return PyErr_NoMemory();
    PyObject *made = ffi_cache_new_wrapper(c, h);
    if (!made) {
        ffi_map_remove(m, h);
        return NULL;
    }
    ffi_map_put(m, h, made);   /* replaces the mark: no allocation */
    return made;
}

static void forkmark_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_forkmark = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-forkmark",
    .summary = "control: a 'being created' mark in the map, no fork hooks (another thread's mark hangs the child)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = forkmark_wrap,
    .wrapper_dealloc = forkmark_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_forkmark, FFI_BUILTIN_NODE, 1, 145);
