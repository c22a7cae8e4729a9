/* "Did you mean": the error for a name nobody has, with the near misses
 * among the names that exist. */
#ifndef FFI_SUGGEST_H
#define FFI_SUGGEST_H

/* Prints "PROG: unknown WHAT 'WORD'; did you mean 'A' or 'B'? (PROG
 * LIST_HINT lists them)" to stderr: at most three candidates, the closest by edit
 * distance (case-insensitive), or, when none is close, the hint alone.
 * list_hint is the option that lists them ("--list-subjects"), or NULL
 * to name them all instead (short lists). */
void ffi_suggest(const char *prog, const char *what, const char *word, const char *const *names, int n,
                 const char *list_hint);

/* Edit distance between a and b, case-insensitive (exposed for tests). */
int ffi_edit_distance(const char *a, const char *b);

#endif
