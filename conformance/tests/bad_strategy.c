/* Strategies that misbehave on purpose, the way plug-ins written against
 * strategy.h go wrong: built as out-of-tree .so files (one per BAD_*
 * define) so test_bad_input.c can check that every runner turns each into
 * a clear message and a failed test, never a crashed or hung run. */
#include <pthread.h>
#include <signal.h>

#include "strategy.h"

#if defined(BAD_NULL)
#define BAD_NAME "bad-null"
#define BAD_SUMMARY "test: wrap returns NULL without setting an exception"
#elif defined(BAD_RAISE)
#define BAD_NAME "bad-raise"
#define BAD_SUMMARY "test: wrap raises RuntimeError"
#elif defined(BAD_CRASH)
#define BAD_NAME "bad-crash"
#define BAD_SUMMARY "test: wrap dereferences a null pointer"
#elif defined(BAD_DEADLOCK)
#define BAD_NAME "bad-deadlock"
#define BAD_SUMMARY "test: wrap takes a lock it already holds"
#else
#error "define one of BAD_NULL, BAD_RAISE, BAD_CRASH, BAD_DEADLOCK"
#endif

static int bad_init(ffi_cache *c) { (void)c; return 0; }
static void bad_fini(ffi_cache *c) { (void)c; }

static PyObject *bad_wrap(ffi_cache *c, ffi_handle h)
{
    (void)c, (void)h;
#if defined(BAD_NULL)
    return NULL;   /* forgot to set an exception */
#elif defined(BAD_RAISE)
    PyErr_SetString(PyExc_RuntimeError, "bad-raise: refusing to wrap (on purpose)");
    return NULL;
#elif defined(BAD_CRASH)
    volatile ffi_obj *none = NULL;
    return (PyObject *)none->slot;
#else
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&lock);   /* a default mutex is not recursive: blocks forever */
    return NULL;
#endif
}

static void bad_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h) { (void)c, (void)w, (void)h; }
static size_t bad_zero(ffi_cache *c) { (void)c; return 0; }

static const ffi_strategy bad = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = BAD_NAME,
    .summary = BAD_SUMMARY,
    .init = bad_init,
    .fini = bad_fini,
    .wrap = bad_wrap,
    .wrapper_dealloc = bad_wrapper_dealloc,
    .bytes_used = bad_zero,
    .entries_live = bad_zero,
};

const ffi_strategy *ffi_strategy_entry(void) { return &bad; }
