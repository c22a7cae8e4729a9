/* Self-registration through linker sections: a file puts a pointer to its
 * record in a named section (see builtin.h, conformance/cf.h,
 * bench/bench.h) and the linker gathers them between __start_NAME and
 * __stop_NAME. This turns such a section into a sorted, NULL-terminated
 * array, once. */
#ifndef FFI_SECTION_H
#define FFI_SECTION_H

#include <stdlib.h>
#include <string.h>

/* A malloc'd NULL-terminated copy of the pointers in [start, stop), sorted
 * by cmp (qsort's, over pointers to the pointers). Aborts when out of
 * memory: it runs at start-up, for a few hundred bytes. */
static inline const void **ffi_section_sorted(const void *const *start, const void *const *stop,
                                              int (*cmp)(const void *, const void *))
{
    size_t n = (size_t)(stop - start);
    const void **sorted = calloc(n + 1, sizeof *sorted);
    if (!sorted)
        abort();
    memcpy(sorted, start, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp);
    return sorted;
}

#endif
