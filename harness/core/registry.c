/* The strategies built into the harness: every one registered with
 * FFI_BUILTIN (builtin.h) in its own file, read from the linker's
 * ffi_builtins section and put in listing order. */
#include <string.h>

#include "binding.h"
#include "section.h"

extern const ffi_registered *const __start_ffi_builtins[], *const __stop_ffi_builtins[];

static int by_rank(const void *a, const void *b)
{
    const ffi_registered *x = *(const ffi_registered *const *)a, *y = *(const ffi_registered *const *)b;
    return x->rank != y->rank ? x->rank - y->rank : strcmp(x->strategy->name, y->strategy->name);
}

const ffi_registered *const *ffi_builtin_strategies(void)
{
    static const void **sorted;
    if (!sorted)
        sorted = ffi_section_sorted((const void *const *)__start_ffi_builtins,
                                    (const void *const *)__stop_ffi_builtins, by_rank);
    return (const ffi_registered *const *)sorted;
}
