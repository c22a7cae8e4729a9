/* broken-forklock (control): guards its map with a pthread mutex held
 * across wrapper creation, and has no fork hooks. A fork while another
 * thread holds the lock (it released the GIL inside creation) leaves the
 * child's copy locked forever: its first cache miss deadlocks. Fails F3.
 * The fix is the strategy interface's fork_prepare/parent/child hooks. */
#include <pthread.h>

#include "strategies/handle_map.h"
#include "core/builtin.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static PyObject *forklock_wrap(ffi_cache *c, ffi_handle h)
{
    PyObject *w = ffi_map_get(c->state, h);
    if (w)
        return Py_NewRef(w);
    /* Wait for the lock without the GIL, or the holder could never finish. */
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&lock);
    Py_END_ALLOW_THREADS
    w = ffi_map_lookup_or_wrap(c, h, h, 1);
    pthread_mutex_unlock(&lock);
    return w;
}

static void forklock_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_forklock = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-forklock",
    .summary = "control: lock held across creation, no fork hooks (child deadlocks)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = forklock_wrap,
    .wrapper_dealloc = forklock_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_forklock, FFI_BUILTIN_NODE, 1, 140);
