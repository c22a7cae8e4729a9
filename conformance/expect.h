/* Expected failures, one file per implementation (web-platform-tests
 * style): conformance/expectations/<impl>.txt, lines of
 *     ID[param]  reason        or        ID  reason    (any parameter)
 * and, for results that depend on chance (addresses under ASLR), ID? or
 * ID[param]? for "may fail": a failure is TODO, a pass is no surprise.
 * '#' starts a comment. An expected failure is reported as TAP TODO. */
#ifndef CF_EXPECT_H
#define CF_EXPECT_H

typedef struct cf_expect cf_expect;

/* Loads dir/<impl>.txt; a missing file means "expect everything to pass".
 * Returns NULL only when out of memory. */
cf_expect *cf_expect_load(const char *dir, const char *impl);
/* The reason if (id, param) is expected to fail, else NULL; *may_pass is
 * set for "may fail" entries. param may be "". */
const char *cf_expect_reason(const cf_expect *e, const char *id, const char *param, int *may_pass);
/* Whether the file lists property `id` at all (any parameter, "may
 * fail" included): what the implementation does not promise. */
int cf_expect_mentions(const cf_expect *e, const char *id);
void cf_expect_free(cf_expect *e);

#endif
