/* TAP lines and JSON strings; see tap.h. */
#include <stdarg.h>
#include <string.h>

#include "tap.h"

void ffi_tap_version(void) { printf("TAP version 13\n"); }

void ffi_tap_plan(int n)
{
    printf("1..%d\n", n);
    fflush(stdout);
}

void ffi_tap_result(int passed, int n, const char *directive, const char *why, const char *fmt, ...)
{
    va_list ap;
    printf("%sok %d - ", passed ? "" : "not ", n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (directive)
        printf(" # %s %s", directive, why ? why : "");
    printf("\n");
    fflush(stdout);
}

void ffi_tap_comment(const char *prefix, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        printf("%s%.*s\n", prefix, (int)n, text);
        text += n + (text[n] == '\n');
    }
}

void ffi_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}
