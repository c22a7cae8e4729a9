/* Expectation files; see expect.h. */
#include "expect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FFI_SOURCE_DIR
#define FFI_SOURCE_DIR "."
#endif

const char *ffi_expectations_dir(void)
{
    static char path[4096];
    const char *env = getenv("FFI_EXPECTATIONS");
    snprintf(path, sizeof path, "%s%s" FFI_SOURCE_DIR "/conformance/expectations", env && *env ? env : "",
             env && *env ? ":" : "");
    return path;
}

/* dir/<subject>.txt, else (no file for this version: a Debian release
 * ships another one) the tool's own, dir/TOOL[+VARIANT].txt. */
static FILE *open_in(const char *dir, size_t dir_len, const char *impl)
{
    char path[1024];
    snprintf(path, sizeof path, "%.*s/%s.txt", (int)dir_len, dir, impl);
    FILE *f = fopen(path, "r");
    const char *at = strchr(impl, '@');
    if (!f && at) {
        const char *variant = strchr(at, '+');
        snprintf(path, sizeof path, "%.*s/%.*s%s.txt", (int)dir_len, dir, (int)(at - impl), impl,
                 variant ? variant : "");
        f = fopen(path, "r");
    }
    return f;
}

typedef struct entry { char key[64]; char reason[256]; int may_pass; } entry;

struct ffi_expect { entry *entries; size_t n; };

ffi_expect *ffi_expect_load(const char *dir, const char *impl)
{
    ffi_expect *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    /* The first directory of the path that has a file for it. */
    FILE *f = NULL;
    for (const char *d = dir; !f && *d;) {
        size_t n = strcspn(d, ":");
        if (n)
            f = open_in(d, n, impl);
        d += n + (d[n] == ':');
    }
    if (!f)
        return e;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        entry *grown = realloc(e->entries, (e->n + 1) * sizeof *grown);
        if (!grown)
            break;
        e->entries = grown;
        entry *en = &e->entries[e->n++];
        size_t k = strcspn(s, " \t\n");
        snprintf(en->key, sizeof en->key, "%.*s", (int)k, s);
        size_t kl = strlen(en->key);
        en->may_pass = kl > 0 && en->key[kl - 1] == '?';
        if (en->may_pass)
            en->key[kl - 1] = '\0';
        s += k;
        while (isspace((unsigned char)*s))
            s++;
        snprintf(en->reason, sizeof en->reason, "%s", *s ? s : "expected to fail");
        en->reason[strcspn(en->reason, "\n")] = '\0';
    }
    fclose(f);
    return e;
}

const char *ffi_expect_reason(const ffi_expect *e, const char *id, const char *param, int *may_pass)
{
    char exact[64];
    snprintf(exact, sizeof exact, "%s[%s]", id, param);
    *may_pass = 0;
    for (size_t k = 0; e && k < e->n; k++)
        if (strcmp(e->entries[k].key, id) == 0 || (*param && strcmp(e->entries[k].key, exact) == 0)) {
            *may_pass = e->entries[k].may_pass;
            return e->entries[k].reason;
        }
    return NULL;
}

int ffi_expect_mentions(const ffi_expect *e, const char *id)
{
    size_t n = strlen(id);
    for (size_t k = 0; e && k < e->n; k++)
        if (strncmp(e->entries[k].key, id, n) == 0 && (!e->entries[k].key[n] || e->entries[k].key[n] == '['))
            return 1;
    return 0;
}

void ffi_expect_free(ffi_expect *e)
{
    if (e)
        free(e->entries);
    free(e);
}
