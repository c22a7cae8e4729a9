/* The strategies built into the harness: every one registered with
 * FFI_BUILTIN (builtin.h) in its own file, read from the linker's
 * ffi_builtins section and put in listing order. */
#include <stdlib.h>
#include <string.h>

#include "impl.h"

extern const ffi_registered *const __start_ffi_builtins[], *const __stop_ffi_builtins[];

static int by_rank(const void *a, const void *b)
{
    const ffi_registered *x = *(const ffi_registered *const *)a, *y = *(const ffi_registered *const *)b;
    return x->rank != y->rank ? x->rank - y->rank : strcmp(x->strategy->name, y->strategy->name);
}

const ffi_registered *const *ffi_builtin_strategies(void)
{
    static const ffi_registered **sorted;
    if (!sorted) {
        size_t n = (size_t)(__stop_ffi_builtins - __start_ffi_builtins);
        sorted = calloc(n + 1, sizeof *sorted);
        if (!sorted)
            abort();   /* at start-up, a few hundred bytes */
        memcpy(sorted, __start_ffi_builtins, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, by_rank);
    }
    return (const ffi_registered *const *)sorted;
}
