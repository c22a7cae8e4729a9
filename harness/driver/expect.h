/* Expected failures, one file per subject (web-platform-tests style):
 * conformance/expectations/<subject>.txt, lines of
 *     ID[param]  reason        or        ID  reason    (any parameter)
 * and, for results that depend on chance (addresses under ASLR), ID? or
 * ID[param]? for "may fail": a failure is TODO, a pass is no surprise.
 * '#' starts a comment. An expected failure is reported as TAP TODO.
 *
 * A failure class and its citation may come first in the reason:
 *     ID  [CLASS: CITATION]  reason
 * CLASS is one of
 *     bug          the tool's bug: CITATION an upstream issue
 *                  (pybind11#1568) or "repro", our own reproduction only
 *     limit        a documented limitation or design trade-off: CITATION a
 *                  documentation link, or the source file (and function)
 *                  that shows it
 *     unsupported  the tool declares the use unsupported (refuses the
 *                  import, or documents no support): reported with the
 *                  status "unsupported", not "fail", and not counted
 *                  against the tool's score
 * A line without one is still an expectation, unclassified; make
 * conformance refuses an unclassified failure of a real tool
 * (harness/report/matrix.py). The runner passes any CLASS through and the
 * matrix checks it is one of the three. */
#ifndef FFI_EXPECT_H
#define FFI_EXPECT_H

#include <stddef.h>

typedef struct ffi_expect ffi_expect;

/* Where expectation files are read from: the directories of
 * $FFI_EXPECTATIONS (colon-separated: one's own, out of the tree), then the
 * tree's conformance/expectations; the first with a file for a subject
 * wins. */
const char *ffi_expectations_dir(void);

/* 0 when every directory of dirs (separated by ':') exists; else -1 after
 * saying which does not, and who named it ($FFI_EXPECTATIONS when dirs is
 * ffi_expectations_dir(), else --expectations): a misspelt path must not
 * pass for "no expectations". */
int ffi_expectations_check(const char *prog, const char *dirs);

/* Loads the subject's file from the directories of dir (one, or several
 * separated by ':'): <subject>.txt in any of them, else the nearest older
 * version's of the same tool and variant (TOOL[+VARIANT]@OLDER.txt), else
 * the tool's (TOOL[+VARIANT].txt); subject_name.expectation_file decides.
 * No file means "expect everything to pass". Returns NULL only when out of
 * memory. Needs the embedded interpreter. */
ffi_expect *ffi_expect_load(const char *dir, const char *subject);
/* One entry as the runner reports it; the strings belong to the ffi_expect. */
typedef struct ffi_expectation {
    const char *reason;
    const char *failure_class;   /* "" when the line names none */
    const char *citation;        /* "" when the line names none */
    int may_pass;                /* an ID? entry */
} ffi_expectation;

/* The entry covering (id, param), or NULL when it is not expected to
 * fail. param may be "". */
const ffi_expectation *ffi_expect_find(const ffi_expect *e, const char *id, const char *param);
/* The reason if (id, param) is expected to fail, else NULL; *may_pass is
 * set for "may fail" entries. param may be "". */
const char *ffi_expect_reason(const ffi_expect *e, const char *id, const char *param, int *may_pass);
/* Whether the file lists property `id` at all (any parameter, "may
 * fail" included): what the subject does not promise. */
int ffi_expect_mentions(const ffi_expect *e, const char *id);
/* The file the expectations came from and why that one ("... (no file for
 * this version: the nearest older one's)"), or NULL when none was found. */
const char *ffi_expect_source(const ffi_expect *e, char *buf, size_t n);
void ffi_expect_free(ffi_expect *e);

#endif
