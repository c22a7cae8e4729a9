/* What the runners print: TAP 13 on stdout (Debian 12's prove rejects
 * "TAP version 14") and JSON strings for their results files. */
#ifndef FFI_TAP_H
#define FFI_TAP_H

#include <stdio.h>

void ffi_tap_version(void);   /* "TAP version 13" */
void ffi_tap_plan(int n);     /* "1..N", for a plan printed last */
/* One test line, flushed: "ok N - DESCRIPTION" or "not ok N - ...", with
 * " # SKIP why" or " # TODO why" when directive ("SKIP", "TODO") is given. */
void ffi_tap_result(int passed, int n, const char *directive, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Every line of text as a TAP comment starting with prefix ("#   "). */
void ffi_tap_comment(const char *prefix, const char *text);

/* s as a JSON string, quotes and escapes included. */
void ffi_json_string(FILE *f, const char *s);

#endif
