/* Expected failures, one file per implementation (web-platform-tests
 * style): conformance/expectations/<impl>.txt, lines of
 *     ID[param]  reason        or        ID  reason    (any parameter)
 * and, for results that depend on chance (addresses under ASLR), ID? or
 * ID[param]? for "may fail": a failure is TODO, a pass is no surprise.
 * '#' starts a comment. An expected failure is reported as TAP TODO. */
#ifndef FFI_EXPECT_H
#define FFI_EXPECT_H

typedef struct ffi_expect ffi_expect;

/* Where expectation files are read from: the directories of
 * $FFI_EXPECTATIONS (colon-separated: one's own, out of the tree), then the
 * tree's conformance/expectations; the first with a file for a subject
 * wins. */
const char *ffi_expectations_dir(void);

/* Loads <impl>.txt from the first directory of dir (one, or several
 * separated by ':') that has it; no file means "expect everything to pass".
 * Returns NULL only when out of memory. */
ffi_expect *ffi_expect_load(const char *dir, const char *impl);
/* The reason if (id, param) is expected to fail, else NULL; *may_pass is
 * set for "may fail" entries. param may be "". */
const char *ffi_expect_reason(const ffi_expect *e, const char *id, const char *param, int *may_pass);
/* Whether the file lists property `id` at all (any parameter, "may
 * fail" included): what the implementation does not promise. */
int ffi_expect_mentions(const ffi_expect *e, const char *id);
void ffi_expect_free(ffi_expect *e);

#endif
