/* Subjects; see subject.h. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/alloc.h"
#include "embed.h"
#include "core/binding.h"
#include "pyops.h"
#include "subject.h"
#include "suggest.h"

/* Adapters for real bindings (harness/subjects): their names, or NULL
 * after saying why not. A registry of one's own ($FFI_ADAPTERS) that is
 * wrong is an error; adapters not built yet only mean no real tools. */
static PyObject *adapter_names(const char *prog)
{
    PyObject *names = ffi_embed_adapter_names();
    if (names)
        return names;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    int missing_module = type == PyExc_ModuleNotFoundError;
    fprintf(stderr, "%s: %s%s\n", prog, text ? PyUnicode_AsUTF8(text) : "cannot read the adapters' registry",
            missing_module ? " (make adapters builds them)" : "");
    Py_XDECREF(text), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    PyErr_Clear();
    return missing_module ? PyList_New(0) : NULL;
}

/* Prints the pending Python exception's message alone (no traceback):
 * "PROG: MESSAGE". */
static void say_error(const char *prog)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *text = value ? PyObject_Str(value) : NULL;
    fprintf(stderr, "%s: %s\n", prog, text ? PyUnicode_AsUTF8(text) : "unknown error");
    Py_XDECREF(text), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    PyErr_Clear();
}

/* A real subject named by a source it is not listed with
 * (tvm-ffi@0.1.14.post1, tvm-ffi@dist/x.whl, tvm-ffi@installed): made by
 * its tool's rule and installed. 1 with its name in buf; 0 when the
 * pattern names nothing of the kind; -1 after saying why it cannot be had. */
static int admit(const char *prog, const char *pattern, char *buf, size_t n)
{
    PyObject *name = ffi_py_call("ffi_adapters", "admit", "(s)", pattern);
    if (!name) {
        say_error(prog);
        return -1;
    }
    int got = PyUnicode_Check(name);
    if (got)
        snprintf(buf, n, "%s", PyUnicode_AsUTF8(name));
    Py_DECREF(name);
    return got;
}

/* A listed real subject named exactly: installed now if it is not yet. */
static int ensure_installed(const char *prog, const char *name)
{
    PyObject *r = ffi_py_call("ffi_adapters", "ensure", "(s)", name);
    if (!r) {
        say_error(prog);
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* The family: the name up to its '@' or '+' ("tvm-ffi", "hashmap"). */
static int family_length(const char *name) { return (int)strcspn(name, "@+"); }

/* "tvm-ffi+slots@0.1.16.dev3+gabc1234" -> family "tvm-ffi", variant
 * "slots", version "0.1.16.dev3+gabc1234": the version runs from the first
 * '@' to the end (subject_name.py has the grammar). */
static void split_name(ffi_subject *s)
{
    const char *at = strchr(s->name, '@');
    size_t head = at ? (size_t)(at - s->name) : strlen(s->name);
    const char *plus = memchr(s->name, '+', head);
    snprintf(s->family, sizeof s->family, "%.*s", family_length(s->name), s->name);
    if (at)
        snprintf(s->version, sizeof s->version, "%s", at + 1);
    if (plus)
        snprintf(s->variant, sizeof s->variant, "%.*s", (int)(head - (size_t)(plus - s->name) - 1), plus + 1);
}

/* A pattern takes a name exactly, or as a family: "tvm-ffi" takes every
 * tvm-ffi[+VARIANT]@VERSION, "tvm-ffi+slots" every version of that variant,
 * "tvm-ffi@0.1.13" that version in every variant, "hashmap" hashmap+node,
 * +graph and +none; or as a glob ("*+graph"). */
int ffi_subject_takes(const char *pattern, const char *name)
{
    if (!strcmp(pattern, name))
        return 1;
    if (strpbrk(pattern, "*?["))
        return fnmatch(pattern, name, 0) == 0;
    const char *pat = strchr(pattern, '@'), *nat = strchr(name, '@');
    size_t phead = pat ? (size_t)(pat - pattern) : strlen(pattern);
    size_t nhead = nat ? (size_t)(nat - name) : strlen(name);
    if (pat && (!nat || strcmp(pat, nat)))
        return 0;   /* a version named must be the name's */
    /* the head: the whole of it, or the tool with any variant */
    if (phead == nhead && !strncmp(pattern, name, phead))
        return 1;
    return !memchr(pattern, '+', phead) && phead < nhead && name[phead] == '+' && !strncmp(pattern, name, phead);
}

static int process_group(const char *name)
{
    PyObject *g = ffi_py_call("ffi_adapters", "process_group", "(s)", name);
    long group = g ? PyLong_AsLong(g) : 0;
    Py_XDECREF(g);
    PyErr_Clear();
    return (int)group;
}

static int append(ffi_subject **v, int *n, const char *name, int builtin, int named)
{
    ffi_subject *grown = realloc(*v, (size_t)(*n + 1) * sizeof **v);
    if (!grown)
        return -1;
    *v = grown;
    ffi_subject *s = &grown[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    split_name(s);
    s->builtin = builtin;
    s->named = named;
    s->process_group = builtin ? 0 : process_group(name);
    return 0;
}

/* The near misses among names and families ("hasmap" -> "hashmap"). */
static void suggest_subject(const char *prog, const char *word, const char *const *names, int n)
{
    char (*fam)[64] = calloc((size_t)n, sizeof *fam);
    const char **candidates = calloc((size_t)n * 2, sizeof *candidates);
    int m = 0;
    for (int k = 0; fam && candidates && k < n; k++) {
        snprintf(fam[k], sizeof fam[k], "%.*s", family_length(names[k]), names[k]);
        candidates[m++] = fam[k];
        candidates[m++] = names[k];
    }
    ffi_suggest(prog, "subject", word, candidates, m, "--list-subjects");
    free(candidates);
    free(fam);
}

int ffi_subjects_select(const char *prog, const char *const *patterns, int n, ffi_subject **out)
{
    PyObject *builtins = ffi_py_call("ffi_identity", "subjects", "()");
    if (!builtins) {
        fprintf(stderr, "%s: cannot list the subjects: ", prog);
        PyErr_Print();
        return -1;
    }
    PyObject *adapters = adapter_names(prog);
    if (!adapters) {
        Py_DECREF(builtins);
        return -1;
    }
    ffi_subject *v = NULL;
    int count = 0, bad = 0;
    /* A pattern that names a real subject by a source it is not listed
     * with (a release, a wheel, a directory) admits it: as[p] is its name. */
    char (*as)[128] = calloc((size_t)n + 1, sizeof *as);
    for (int p = 0; as && p < n && !bad; p++) {
        int known = 0;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(builtins) && !known; k++)
            known = ffi_subject_takes(patterns[p], PyUnicode_AsUTF8(PyList_GET_ITEM(builtins, k)));
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(adapters) && !known; k++)
            known = ffi_subject_takes(patterns[p], PyUnicode_AsUTF8(PyList_GET_ITEM(adapters, k)));
        int got = known ? 0 : admit(prog, patterns[p], as[p], sizeof as[p]);
        if (got < 0)
            bad = 1;
        if (got > 0 && !ffi_embed_has_name(adapters, as[p])) {
            PyObject *name = PyUnicode_FromString(as[p]);
            if (!name || PyList_Append(adapters, name) < 0)
                bad = 1;
            Py_XDECREF(name);
        }
    }
    Py_ssize_t nb = PyList_GET_SIZE(builtins), na = PyList_GET_SIZE(adapters);
    const char **all = malloc((size_t)(nb + na + 1) * sizeof *all);
    for (Py_ssize_t k = 0; all && k < nb + na; k++)
        all[k] = PyUnicode_AsUTF8(PyList_GET_ITEM(k < nb ? builtins : adapters, k < nb ? k : k - nb));
    for (int p = 0; all && as && !bad && p < n; p++) {
        int hit = 0;
        for (Py_ssize_t k = 0; k < nb + na && !hit; k++)
            hit = ffi_subject_takes(patterns[p], all[k]) || !strcmp(as[p], all[k]);
        if (!hit) {
            suggest_subject(prog, patterns[p], all, (int)(nb + na));
            bad = 1;
        }
    }
    for (Py_ssize_t k = 0; all && as && !bad && k < nb + na; k++) {
        int taken = n == 0, named = 0;
        for (int p = 0; p < n; p++) {
            named = named || !strcmp(patterns[p], all[k]) || !strcmp(as[p], all[k]);
            taken = taken || named || ffi_subject_takes(patterns[p], all[k]);
        }
        if (!taken)
            continue;
        /* A real subject named exactly must be there: installed now if not. */
        if (named && k >= nb && ensure_installed(prog, all[k]) < 0)
            bad = 1;
        else if (append(&v, &count, all[k], k < nb, named) < 0)
            bad = 1;
    }
    free(as);
    free(all);
    Py_DECREF(builtins);
    Py_DECREF(adapters);
    if (bad || (!v && n)) {
        free(v);
        return -1;
    }
    *out = v;
    return count;
}

void ffi_subjects_free(ffi_subject *v, int n)
{
    for (int k = 0; k < n; k++)
        ffi_subject_close(&v[k]);
    free(v);
}

static const struct { const char *name; unsigned bit; } feature_bits[] = {
    {"pickle", FFI_FEATURE_PICKLE},   {"weakref", FFI_FEATURE_WEAKREF}, {"dict", FFI_FEATURE_DICT},
    {"outer", FFI_FEATURE_OUTER},     {"node", FFI_FEATURE_NODE},       {"live", FFI_FEATURE_LIVE},
    {"entries", FFI_FEATURE_ENTRIES}, {"alloc", FFI_FEATURE_ALLOC},     {"subclass", FFI_FEATURE_SUBCLASS},
    {"derived", FFI_FEATURE_DERIVED}, {"intern", FFI_FEATURE_INTERN},   {"callback", FFI_FEATURE_CALLBACK},
};

static unsigned features_of(PyObject *ns)
{
    unsigned bits = FFI_FEATURE_FORK | FFI_FEATURE_THREADS;   /* Linux has both */
    PyObject *features = PyObject_GetAttrString(ns, "features");
    if (!features) {
        PyErr_Clear();
        return bits;
    }
    for (size_t k = 0; k < sizeof feature_bits / sizeof *feature_bits; k++)
        if (ffi_embed_has_name(features, feature_bits[k].name))
            bits |= feature_bits[k].bit;
    Py_DECREF(features);
    return bits;
}

const char *ffi_feature_name(unsigned bit)
{
    for (size_t k = 0; k < sizeof feature_bits / sizeof *feature_bits; k++)
        if (feature_bits[k].bit == bit)
            return feature_bits[k].name;
    return bit == FFI_FEATURE_FORK ? "fork" : bit == FFI_FEATURE_THREADS ? "threads" : "?";
}

/* The built-ins' back door: their natives and caches are the harness's. */
static PyObject *builtin_new_add(const ffi_subject *s, const char *var_name)
{
    ffi_obj *v = ffi_var_new(var_name, strlen(var_name));
    ffi_obj *add = v ? ffi_add_new(v, v) : NULL;
    if (v)
        ffi_decref(v);
    if (!add)
        return PyErr_NoMemory();
    return ffi_binding_wrap_new(s->native_state, add);   /* takes the native reference */
}

static size_t builtin_cache_bytes(const ffi_subject *s)
{
    ffi_binding *binding = s->native_state;
    return binding->cache.strategy->bytes_used ? binding->cache.strategy->bytes_used(&binding->cache) : 0;
}

static const ffi_native_door builtin_door = {builtin_new_add, builtin_cache_bytes};

ffi_native_heap ffi_native_heap_now(void)
{
    ffi_alloc_stats a = ffi_alloc_get_stats();
    return (ffi_native_heap){a.live_bytes, a.total_allocs, a.total_bytes};
}

static PyObject *load_namespace(const ffi_subject *s)
{
    return ffi_py_call(s->builtin ? "ffi_identity" : "ffi_adapters", "load", "(s)", s->name);
}

int ffi_subject_open(ffi_subject *s)
{
    if (s->ns)
        return 0;
    s->ns = load_namespace(s);
    if (!s->ns)
        return -1;
    s->features = features_of(s->ns);
    PyObject *c = PyObject_GetAttrString(s->ns, "control");
    s->control = c && PyObject_IsTrue(c) == 1;
    Py_XDECREF(c);
    PyErr_Clear();
    if (!ffi_embed_unavailable(s->ns, s->unavailable, sizeof s->unavailable))
        s->unavailable[0] = '\0';
    if (s->builtin && (s->native_state = ffi_binding_find(s->name)))
        s->native = &builtin_door;
    return 0;
}

void ffi_subject_close(ffi_subject *s)
{
    Py_CLEAR(s->ns);
    s->native = NULL;
    s->native_state = NULL;
}

int ffi_subject_unrunnable(const char *prog, const ffi_subject *s)
{
    if (!s->named || !*s->unavailable)
        return 0;
    fprintf(stderr, "%s: %s is not available: %s\n", prog, s->name, s->unavailable);
    return 1;
}

const char *ffi_subject_why_not(const ffi_subject *s, const char *feature, char *buf, size_t n)
{
    PyObject *reasons = s->ns ? PyObject_GetAttrString(s->ns, "why_not") : NULL;
    PyObject *why = reasons && PyDict_Check(reasons) ? PyDict_GetItemString(reasons, feature) : NULL;
    const char *text = why && PyUnicode_Check(why) ? PyUnicode_AsUTF8(why) : NULL;
    if (text)
        snprintf(buf, n, "%s", text);
    Py_XDECREF(reasons);
    PyErr_Clear();
    return text ? buf : NULL;
}

int ffi_subject_is_control(const ffi_subject *s)
{
    if (!s->builtin)
        return 0;   /* bindings never are: no need to import one to ask */
    if (s->ns)
        return s->control;
    ffi_subject copy = *s;
    int yes = ffi_subject_open(&copy) == 0 && copy.control;
    PyErr_Clear();
    ffi_subject_close(&copy);
    return yes;
}
