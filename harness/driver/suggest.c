/* Near misses by edit distance; see suggest.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

int ffi_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return (int)(la > lb ? la : lb);
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int subst = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = subst < best ? subst : best;
            diag = up;
        }
    }
    int d = row[lb];
    free(row);
    return d;
}

/* Close enough to be a typo: a third of the word, at least one edit; or
 * the word is the start of the name ("tvm" for "tvm-ffi@0.1.13"). */
static int near(const char *word, const char *name, int *score)
{
    size_t lw = strlen(word);
    if (lw >= 2 && strncasecmp(word, name, lw) == 0) {
        *score = 0;
        return 1;
    }
    int limit = (int)lw / 3 > 1 ? (int)lw / 3 : 1;
    *score = ffi_edit_distance(word, name);
    return *score <= limit;
}

void ffi_suggest(const char *prog, const char *what, const char *word, const char *const *names, int n,
                 const char *list_hint)
{
    enum { SHOWN = 3 };
    const char *best[SHOWN];
    int scores[SHOWN], found = 0;
    for (int k = 0; k < n; k++) {
        int score, at, dup = 0;
        if (!near(word, names[k], &score))
            continue;
        for (int j = 0; j < found; j++)
            dup |= !strcmp(best[j], names[k]);
        if (dup)
            continue;
        /* Insert sorted, closest first; the farthest falls off the end. */
        for (at = found; at > 0 && scores[at - 1] > score; at--)
            if (at < SHOWN)
                best[at] = best[at - 1], scores[at] = scores[at - 1];
        if (at < SHOWN)
            best[at] = names[k], scores[at] = score;
        if (found < SHOWN)
            found++;
    }
    fprintf(stderr, "%s: unknown %s '%s'", prog, what, word);
    for (int j = 0; j < found; j++)
        fprintf(stderr, "%s'%s'", j == 0 ? "; did you mean " : j + 1 == found ? " or " : ", ", best[j]);
    fprintf(stderr, "%s", found ? "?" : "");
    if (list_hint) {
        fprintf(stderr, " (%s %s lists them)\n", prog, list_hint);
    } else {
        fprintf(stderr, "; valid:");
        for (int k = 0; k < n; k++)
            fprintf(stderr, " %s", names[k]);
        fprintf(stderr, "\n");
    }
}
