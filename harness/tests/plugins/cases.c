/* Strategy tables for the loader's tests (test_plugin.c), built against the
 * current strategy.h the way an out-of-tree strategy is, one per CASE_*:
 *   CASE_MINIMAL    name and wrap only: every optional hook is NULL
 *   CASE_LIFECYCLE  counts init and fini calls and records the host
 *                   table's header, for the test to read (dlsym)
 *   CASE_LONGER     struct_size longer than the harness knows, as a table
 *                   built against a newer header that declares this version
 *   CASE_TOO_NEW    abi_version one past this harness's
 *   CASE_TOO_SMALL  struct_size short of the version's fields
 *   CASE_NO_WRAP    no wrap
 * Every table gives a new wrapper per access (fresh): the loader is what
 * these test. */
#include "strategy.h"

#if defined(CASE_MINIMAL)
#define CASE_NAME "case-minimal"
#elif defined(CASE_LIFECYCLE)
#define CASE_NAME "case-lifecycle"
#elif defined(CASE_LONGER)
#define CASE_NAME "case-longer"
#elif defined(CASE_TOO_NEW)
#define CASE_NAME "case-too-new"
#elif defined(CASE_TOO_SMALL)
#define CASE_NAME "case-too-small"
#elif defined(CASE_NO_WRAP)
#define CASE_NAME "case-no-wrap"
#else
#error "define one of the CASE_* listed above"
#endif

#if !defined(CASE_NO_WRAP)
static PyObject *case_wrap(ffi_cache *c, ffi_handle h) { return ffi_cache_new_wrapper(c, h); }
#endif

#if defined(CASE_LIFECYCLE)
int case_inits, case_finis;
uint32_t case_host_version, case_host_size;

static int case_init(ffi_cache *c)
{
    case_inits++;
    case_host_version = c->host->version;
    case_host_size = c->host->size;
    return 0;
}

static void case_fini(ffi_cache *c) { (void)c; case_finis++; }
#endif

static const struct {
    ffi_strategy table;
    void *from_a_newer_header[2];   /* CASE_LONGER's struct_size covers these */
} strategy = {{
#if defined(CASE_TOO_NEW)
    .abi_version = FFI_STRATEGY_ABI + 1,
#else
    .abi_version = FFI_STRATEGY_ABI,
#endif
#if defined(CASE_TOO_SMALL)
    .struct_size = offsetof(ffi_strategy, entries_live),
#elif defined(CASE_LONGER)
    .struct_size = sizeof strategy,
#else
    .struct_size = sizeof(ffi_strategy),
#endif
    .name = CASE_NAME,
#if !defined(CASE_NO_WRAP)
    .wrap = case_wrap,
#endif
#if defined(CASE_LIFECYCLE)
    .init = case_init,
    .fini = case_fini,
#endif
}, {0}};

const ffi_strategy *ffi_strategy_entry(void) { return &strategy.table; }
