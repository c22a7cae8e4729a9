/* Strategy tables built against the frozen ABI v1 header, as plug-ins of
 * that time were, for test_plugin_v1.c; one per CASE_*:
 *   CASE_MINIMAL    name, summary and wrap only: init, fini,
 *                   wrapper_dealloc, bytes_used and entries_live, which v1
 *                   required, are NULL (now their defaults)
 *   CASE_LIFECYCLE  counts init and fini calls, for the test to read (dlsym)
 *   CASE_NO_WRAP    no wrap
 * Every table gives a new wrapper per access (fresh). */
#include "strategy_abi1.h"

#if defined(CASE_MINIMAL)
#define CASE_NAME "case-v1-minimal"
#elif defined(CASE_LIFECYCLE)
#define CASE_NAME "case-v1-lifecycle"
#elif defined(CASE_NO_WRAP)
#define CASE_NAME "case-v1-no-wrap"
#else
#error "define one of the CASE_* listed above"
#endif

#if !defined(CASE_NO_WRAP)
static PyObject *case_wrap(ffi_cache *c, ffi_handle h) { return ffi_cache_new_wrapper(c, h); }
#endif

#if defined(CASE_LIFECYCLE)
int case_inits, case_finis;
static int case_init(ffi_cache *c) { (void)c; case_inits++; return 0; }
static void case_fini(ffi_cache *c) { (void)c; case_finis++; }
#endif

static const ffi_strategy strategy = {
    .abi_version = FFI_STRATEGY_ABI,   /* 1, from the frozen header */
    .name = CASE_NAME,
    .summary = "test: a v1 table",
#if !defined(CASE_NO_WRAP)
    .wrap = case_wrap,
#endif
#if defined(CASE_LIFECYCLE)
    .init = case_init,
    .fini = case_fini,
#endif
};

const ffi_strategy *ffi_strategy_entry(void) { return &strategy; }
