/* The strategy ABI from the harness's side: which tables it accepts, the
 * copy it makes of one, and the host table each version was compiled to
 * read. The rules are in strategy.h ("ABI"). */
#include <stdio.h>
#include <string.h>

#include "binding.h"

#define END_OF(field) (offsetof(ffi_strategy, field) + sizeof(((ffi_strategy *)0)->field))

/* Where a table of each version ends; 0: not a version this harness speaks. */
static size_t table_end(uint32_t version)
{
    switch (version) {
    case 1:   /* no struct_size (padding), the same fields */
    case 2:
        return END_OF(entries_live);
    default:
        return 0;
    }
}

/* A field appended to ffi_strategy needs its version's end above. */
_Static_assert(sizeof(ffi_strategy) == END_OF(entries_live),
               "ffi_strategy grew: add the new version's end to table_end()");

int ffi_strategy_check(const ffi_strategy *s, char *why, size_t n)
{
    uint32_t v = s->abi_version;
    if (v == 0) {
        snprintf(why, n, "has abi_version 0: set .abi_version = FFI_STRATEGY_ABI (this harness "
                 "speaks strategy ABI 1 to %u)", FFI_STRATEGY_ABI);
        return -1;
    }
    if (!table_end(v)) {
        snprintf(why, n, "was built for strategy ABI %u, this harness speaks 1 to %u: rebuild it "
                 "against this checkout's harness/strategy.h", (unsigned)v, FFI_STRATEGY_ABI);
        return -1;
    }
    if (v >= 2 && s->struct_size < table_end(v)) {
        snprintf(why, n, "has struct_size %u, less than the %zu bytes of a strategy ABI %u table: "
                 "set .struct_size = sizeof(ffi_strategy)", (unsigned)s->struct_size, table_end(v),
                 (unsigned)v);
        return -1;
    }
    const char *missing = !s->name ? "name" : !s->wrap ? "wrap" : NULL;
    if (missing) {
        snprintf(why, n, "lacks %s: a strategy table needs name and wrap (see harness/strategy.h)",
                 missing);
        return -1;
    }
    return 0;
}

/* The defaults of NULL hooks that the harness calls without checking. */
static int no_init(ffi_cache *c) { (void)c; return 0; }
static void no_dealloc(ffi_cache *c, PyObject *w, ffi_handle h) { (void)c, (void)w, (void)h; }
static size_t nothing(ffi_cache *c) { (void)c; return 0; }

void ffi_strategy_adopt(const ffi_strategy *s, ffi_strategy *out)
{
    /* Only the fields the table's version has: a v1 table may end right
     * after entries_live, and its struct_size bytes are padding. */
    memset(out, 0, sizeof *out);
    memcpy(out, s, table_end(s->abi_version));
    out->struct_size = sizeof *out;
    if (!out->summary)
        out->summary = "";
    if (!out->init)
        out->init = no_init;
    if (!out->wrapper_dealloc)
        out->wrapper_dealloc = no_dealloc;
    if (!out->bytes_used)
        out->bytes_used = nothing;
    if (!out->entries_live)
        out->entries_live = nothing;
    /* fini, native_free, the fork hooks and refcount_changed stay NULL:
     * their callers skip a NULL one. */
}

/* ---- the host tables ---------------------------------------------------- */

static ffi_handle host_wrapper_handle(PyObject *w) { return ((ffi_wrapper *)w)->handle; }

static PyTypeObject *host_wrapper_class(ffi_cache *c, uint32_t kind)
{
    return kind > 0 && kind < FFI_KIND_END ? ffi_binding_of_cache(c)->cls[kind] : NULL;
}

static const ffi_host host = {
    .version = FFI_STRATEGY_ABI,
    .size = sizeof(ffi_host),
    .new_wrapper = ffi_wrapper_new,
    .wrapper_handle = host_wrapper_handle,
    .wrapper_class = host_wrapper_class,
};

/* v1's ffi_host, frozen: no header, so a v1 strategy reads new_wrapper at
 * offset 0. Never read through ffi_host by the harness. */
typedef struct ffi_host_v1 {
    PyObject *(*new_wrapper)(ffi_cache *c, ffi_handle h);
    ffi_handle (*wrapper_handle)(PyObject *wrapper);
    PyTypeObject *(*wrapper_class)(ffi_cache *c, uint32_t kind);
} ffi_host_v1;

static const ffi_host_v1 host_v1 = {
    .new_wrapper = ffi_wrapper_new,
    .wrapper_handle = host_wrapper_handle,
    .wrapper_class = host_wrapper_class,
};

const ffi_host *ffi_host_for(uint32_t abi_version)
{
    return abi_version == 1 ? (const ffi_host *)(const void *)&host_v1 : &host;
}
