/* The catalogue: every property registered with CF_REGISTER (cf.h), read
 * from the linker's cf_catalogue section and put in catalogue order. */
#include <stdlib.h>
#include <string.h>

#include "core/section.h"
#include "cf.h"

extern const cf_property *const __start_cf_catalogue[], *const __stop_cf_catalogue[];

/* Families in catalogue order (the first six, then those added later);
 * one it does not know yet sorts after these, by name. */
static const char *const families[] = {"I", "L", "P", "F", "M", "T", "S", "R", "G", "V", "K", "U", "O", "X", "CB"};

static int family_rank(const char *id, size_t len)
{
    size_t n = sizeof families / sizeof *families;
    for (size_t k = 0; k < n; k++)
        if (strlen(families[k]) == len && !strncmp(families[k], id, len))
            return (int)k;
    return (int)n;
}

static int in_catalogue_order(const void *pa, const void *pb)
{
    const char *a = (*(const cf_property *const *)pa)->id, *b = (*(const cf_property *const *)pb)->id;
    size_t la = strcspn(a, "0123456789"), lb = strcspn(b, "0123456789");
    int ra = family_rank(a, la), rb = family_rank(b, lb);
    if (ra != rb)
        return ra - rb;
    int by_family = la == lb ? strncmp(a, b, la) : (int)la - (int)lb;
    return by_family ? by_family : atoi(a + la) - atoi(b + lb);
}

const cf_property *const *cf_catalogue(void)
{
    static const void **sorted;
    if (!sorted)
        sorted = ffi_section_sorted((const void *const *)__start_cf_catalogue,
                                    (const void *const *)__stop_cf_catalogue, in_catalogue_order);
    return (const cf_property *const *)sorted;
}
