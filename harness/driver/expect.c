/* Expectation files; see expect.h. */
#include "expect.h"
#include "pyops.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>
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

int ffi_expectations_check(const char *prog, const char *dirs)
{
    const char *given_by = dirs == ffi_expectations_dir() ? "$FFI_EXPECTATIONS" : "--expectations";
    int bad = 0;
    for (const char *d = dirs; *d;) {
        size_t n = strcspn(d, ":");
        char path[1024];
        snprintf(path, sizeof path, "%.*s", (int)n, d);
        struct stat st;
        if (n && (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))) {
            fprintf(stderr, "%s: %s names the expectations directory %s, which %s\n", prog, given_by, path,
                    stat(path, &st) < 0 ? "does not exist" : "is not a directory");
            bad = 1;
        }
        d += n + (d[n] == ':');
    }
    return bad ? -1 : 0;
}

typedef struct entry {
    char key[64], reason[256], failure_class[16], citation[256];
    ffi_expectation view;   /* what ffi_expect_find hands out: points into this entry */
} entry;

struct ffi_expect { entry *entries; size_t n; char path[1024], how[16]; };

/* The file for a subject, by subject_name.expectation_file: its own, the
 * nearest older version's of the same tool and variant, or the tool's. */
static FILE *open_for(ffi_expect *e, const char *dirs, const char *subject)
{
    PyObject *list = PyList_New(0);
    for (const char *d = dirs; list && *d;) {
        size_t n = strcspn(d, ":");
        PyObject *dir = n ? PyUnicode_FromStringAndSize(d, (Py_ssize_t)n) : NULL;
        if (dir)
            PyList_Append(list, dir);
        Py_XDECREF(dir);
        d += n + (d[n] == ':');
    }
    PyObject *found = list ? ffi_py_call("subject_name", "expectation_file", "(Os)", list, subject) : NULL;
    Py_XDECREF(list);
    PyObject *path = found && PyTuple_Check(found) ? PyTuple_GetItem(found, 0) : NULL;
    PyObject *how = found && PyTuple_Check(found) ? PyTuple_GetItem(found, 1) : NULL;
    if (path && PyUnicode_Check(path) && how && PyUnicode_Check(how)) {
        snprintf(e->path, sizeof e->path, "%s", PyUnicode_AsUTF8(path));
        snprintf(e->how, sizeof e->how, "%s", PyUnicode_AsUTF8(how));
    }
    if (!found)
        PyErr_Print();   /* a broken lookup must not pass for "no expectations" */
    Py_XDECREF(found);
    PyErr_Clear();
    return *e->path ? fopen(e->path, "r") : NULL;
}

/* "[CLASS: CITATION]" at s, the optional head of a reason (expect.h):
 * fills the entry's class and citation and returns what follows it, or
 * returns s unchanged when s does not start with one. */
static const char *read_failure_class(entry *en, const char *s)
{
    if (*s != '[')
        return s;
    size_t word = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz");
    const char *after = s + 1 + word;
    if (!word || (*after != ':' && *after != ']'))
        return s;   /* a reason that happens to start with '[' */
    const char *close = strchr(after, ']');
    if (!close)
        return s;
    snprintf(en->failure_class, sizeof en->failure_class, "%.*s", (int)word, s + 1);
    const char *cite = after + (*after == ':');
    while (cite < close && isspace((unsigned char)*cite))
        cite++;
    size_t n = (size_t)(close - cite);
    while (n && isspace((unsigned char)cite[n - 1]))
        n--;
    snprintf(en->citation, sizeof en->citation, "%.*s", (int)n, cite);
    s = close + 1;
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

ffi_expect *ffi_expect_load(const char *dir, const char *subject)
{
    ffi_expect *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    FILE *f = open_for(e, dir, subject);
    if (!f)
        return e;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (!strchr(line, '\n') && !feof(f)) {   /* the rest of an overlong line is not an entry */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
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
        memset(en, 0, sizeof *en);
        size_t k = strcspn(s, " \t\n");
        snprintf(en->key, sizeof en->key, "%.*s", (int)k, s);
        size_t kl = strlen(en->key);
        en->view.may_pass = kl > 0 && en->key[kl - 1] == '?';
        if (en->view.may_pass)
            en->key[kl - 1] = '\0';
        s += k;
        while (isspace((unsigned char)*s))
            s++;
        const char *reason = read_failure_class(en, s);
        snprintf(en->reason, sizeof en->reason, "%s", *reason && *reason != '\n' ? reason : "expected to fail");
        en->reason[strcspn(en->reason, "\n")] = '\0';
    }
    fclose(f);
    for (size_t k = 0; k < e->n; k++) {   /* the array has stopped moving */
        entry *en = &e->entries[k];
        en->view.reason = en->reason;
        en->view.failure_class = en->failure_class;
        en->view.citation = en->citation;
    }
    return e;
}

const ffi_expectation *ffi_expect_find(const ffi_expect *e, const char *id, const char *param)
{
    char exact[64];
    snprintf(exact, sizeof exact, "%s[%s]", id, param);
    for (size_t k = 0; e && k < e->n; k++)
        if (strcmp(e->entries[k].key, id) == 0 || (*param && strcmp(e->entries[k].key, exact) == 0))
            return &e->entries[k].view;
    return NULL;
}

const char *ffi_expect_reason(const ffi_expect *e, const char *id, const char *param, int *may_pass)
{
    const ffi_expectation *x = ffi_expect_find(e, id, param);
    *may_pass = x ? x->may_pass : 0;
    return x ? x->reason : NULL;
}

int ffi_expect_mentions(const ffi_expect *e, const char *id)
{
    size_t n = strlen(id);
    for (size_t k = 0; e && k < e->n; k++)
        if (strncmp(e->entries[k].key, id, n) == 0 && (!e->entries[k].key[n] || e->entries[k].key[n] == '['))
            return 1;
    return 0;
}

const char *ffi_expect_source(const ffi_expect *e, char *buf, size_t n)
{
    if (!e || !*e->path)
        return NULL;
    const char *why = !strcmp(e->how, "older") ? " (no file for this version: the nearest older one's)"
                      : !strcmp(e->how, "family") ? " (no file for this version: the tool's)" : "";
    snprintf(buf, n, "%s%s", e->path, why);
    return buf;
}

void ffi_expect_free(ffi_expect *e)
{
    if (e)
        free(e->entries);
    free(e);
}
