/* Minimal TAP 13 producer for the unit tests (prove-compatible: Debian's
 * Test::Harness 3.44 rejects "TAP version 14"). Header-only: each test
 * binary includes it once. */
#ifndef FFI_TAP_H
#define FFI_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static inline void tap_plan(int n)
{
    printf("TAP version 13\n1..%d\n", n);
    fflush(stdout);
}

/* One test point; returns cond so callers can chain diagnostics. */
static inline int tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!cond)
        tap_failed++;
    return cond;
}

/* A test point that cannot run here, with why: "ok N # SKIP why". */
static inline void tap_skip(const char *fmt, ...)
{
    va_list ap;
    printf("ok %d # SKIP ", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* For a count known only at the end: call tap_start() first, tap_end() last. */
static inline void tap_start(void) { printf("TAP version 13\n"); }
static inline int tap_end(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

static inline int tap_done(void) { return tap_failed ? 1 : 0; }

#endif
