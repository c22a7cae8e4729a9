/* Shrinking: delta debugging over the raw operations of a failing case.
 * Drop ever smaller chunks while the case still fails the same way; the
 * remaining operations re-resolve, so a shorter case is always valid. */
#include <string.h>

#include "fuzz.h"

int fz_shrink(fz_case *c, fz_still_fails still_fails, void *ctx, int max_trials)
{
    int trials = 0, chunks = 2;
    static fz_case candidate;
    while (c->n >= 2 && trials < max_trials) {
        int size = (c->n + chunks - 1) / chunks, reduced = 0;
        for (int start = 0; start < c->n && trials < max_trials; start += size) {
            int end = start + size < c->n ? start + size : c->n;
            candidate.n = c->n - (end - start);
            memcpy(candidate.ops, c->ops, (size_t)start * sizeof *c->ops);
            memcpy(candidate.ops + start, c->ops + end, (size_t)(c->n - end) * sizeof *c->ops);
            trials++;
            if (still_fails(&candidate, ctx)) {
                *c = candidate;
                chunks = chunks > 2 ? chunks - 1 : 2;
                reduced = 1;
                break;
            }
        }
        if (!reduced) {
            if (chunks >= c->n)
                break;   /* single operations tried: nothing more to drop */
            chunks = chunks * 2 < c->n ? chunks * 2 : c->n;
        }
    }
    return trials;
}
