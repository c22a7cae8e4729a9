/* The model: runs resolved steps on a subject (each by its operation's
 * run, steps_*.c) and checks, at every wrapper the subject hands out, what
 * the subject claims. It remembers per native only what a claim needs (its
 * handle, the first wrapper's id, an attribute, a weak reference) and
 * forgets it when the native becomes unreachable from the held slots,
 * because then it may be freed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cf.h"
#include "fuzz.h"
#include "model.h"

volatile int *fz_progress;

/* Records a divergence as "category|step|message"; returns 1. */
int fz_diverge(run *r, const char *category, const char *fmt, ...)
{
    int k = snprintf(r->why, r->nwhy, "%s|%d|", category, r->step);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < r->nwhy)
        vsnprintf(r->why + k, r->nwhy - (size_t)k, fmt, ap);
    va_end(ap);
    /* One line: it ends up in TAP. */
    for (char *c = r->why; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return 1;
}

const char *fz_divergence_split(const char *why, char *category, size_t n, int *step)
{
    const char *bar1 = strchr(why, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (!bar2) {
        snprintf(category, n, "error");
        *step = 0;
        return why;
    }
    snprintf(category, n, "%.*s", (int)(bar1 - why), why);
    *step = atoi(bar1 + 1);
    return bar2 + 1;
}

/* A Python error where none was expected: the subject failed a valid step. */
int fz_python_error(run *r, const char *doing)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    fz_diverge(r, "error", "%s raised %s: %s", doing, type ? ((PyTypeObject *)type)->tp_name : "?",
            msg ? msg : "?");
    Py_XDECREF(s), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    PyErr_Clear();
    return 1;
}

int fz_handle_of(run *r, PyObject *o, long long *h)
{
    PyObject *v = PyObject_CallMethod(r->ns, "handle", "O", o);
    *h = v ? PyLong_AsLongLong(v) : -1;
    Py_XDECREF(v);
    return PyErr_Occurred() ? -1 : 0;
}

/* Every wrapper the subject hands out for native n, as expression `expr`. */
int fz_sighting(run *r, PyObject *o, int n, const char *expr, unsigned claims)
{
    const fz_native *nat = &r->plan->natives[n];
    known *k = &r->nat[n];
    /* Without S1, a Sub's native may get base-class wrappers besides the
     * Sub (a second wrapper, a new one after its death). */
    if (nat->sub && !(r->claims & FZ_CLAIM_SUBCLASS))
        claims &= ~(unsigned)(FZ_CLAIM_UNIQUE | FZ_CLAIM_STABLE | FZ_CLAIM_STATE | FZ_CLAIM_WEAKREF);
    /* Before anything reads it: a disowned wrapper stands for nothing. */
    for (Py_ssize_t k = 0; r->disowned && (r->claims & FZ_CLAIM_OWNERSHIP) && k < PyList_GET_SIZE(r->disowned); k++)
        if (PyList_GET_ITEM(r->disowned, k) == o)
            return fz_diverge(r, "disown", "%s is a wrapper given to ns.consume() earlier: the cache kept the "
                              "disowned wrapper and handed it out again", expr);
    const char *want = fz_kind_names[nat->kind], *got = Py_TYPE(o)->tp_name;
    const char *dot = strrchr(got, '.');
    if (nat->sub) {
        /* A Sub's (or Fin's) native: of that class, or (where S1 is not
         * claimed, or no wrapper of it is held and state does not survive) a Var. */
        PyTypeObject *cls = (PyTypeObject *)(nat->sub == 2 ? r->fin : r->sub);
        int must = (claims & FZ_CLAIM_SUBCLASS) &&
                   (r->constructing == 1 || ((claims & FZ_CLAIM_STATE) && (r->features & FFI_FEATURE_DICT)));
        for (int s = 0; s < FZ_SLOTS && !must; s++)
            must = (claims & FZ_CLAIM_SUBCLASS) && r->slot[s] && r->slot_native[s] == n &&
                   Py_TYPE(r->slot[s]) == cls;
        if (Py_TYPE(o) == cls)
            want = NULL;
        else if (must)
            return fz_diverge(r, "subclass", "%s is a %s, expected a %s (its native was made as one)", expr, got,
                           cls->tp_name);
    }
    if (want && strcmp(dot ? dot + 1 : got, want) != 0)
        return fz_diverge(r, "type", "%s is a %s, expected a %s", expr, got, want);
    long long h;
    if (fz_handle_of(r, o, &h) < 0)
        return fz_python_error(r, "handle()");
    if (k->handle && h != k->handle)
        return fz_diverge(r, "handle", "%s has handle %#llx, but that native's handle is %#llx", expr, h, k->handle);
    k->handle = h;
    for (int s = 0; s < FZ_SLOTS; s++) {
        if (r->slot_native[s] != n || !r->slot[s])
            continue;
        int eq = PyObject_RichCompareBool(o, r->slot[s], Py_EQ);
        Py_hash_t h1 = PyObject_Hash(o), h2 = PyObject_Hash(r->slot[s]);
        if (eq < 0 || h1 == -1 || h2 == -1)
            return fz_python_error(r, "== or hash()");
        /* A Sub and a Var of one native where S1 is not claimed: the
         * binding's __eq__ may compare types too (nanobind's adapter). */
        if (!eq && nat->sub && !(r->claims & FZ_CLAIM_SUBCLASS) && Py_TYPE(o) != Py_TYPE(r->slot[s]))
            continue;
        if (!eq || h1 != h2)
            return fz_diverge(r, "equal", "%s and s%d wrap one native but %s", expr, s,
                           eq ? "hash differently" : "compare unequal");
        int unique = nat->kind == FZ_INNER ? (claims & FZ_CLAIM_UNIQUE) && (claims & FZ_CLAIM_VIEW_UNIQUE)
                                           : (claims & FZ_CLAIM_UNIQUE);
        if (unique && o != r->slot[s])
            return fz_diverge(r, "unique", "%s is not s%d: a second wrapper for a native whose wrapper s%d holds",
                           expr, s, s);
    }
    if (nat->kind == FZ_INNER && !(claims & FZ_CLAIM_VIEWS))
        claims &= ~(unsigned)(FZ_CLAIM_STABLE | FZ_CLAIM_STATE | FZ_CLAIM_WEAKREF);
    if ((claims & FZ_CLAIM_STABLE) && k->first && k->first != (uintptr_t)o)
        return fz_diverge(r, "stable", "id(%s) changed while its native stayed alive", expr);
    if (!k->first)
        k->first = (uintptr_t)o;
    if ((claims & FZ_CLAIM_STATE) && k->has_tag) {
        PyObject *v = PyObject_GetAttrString(o, "fz");
        long got_tag = v ? PyLong_AsLong(v) : -1;
        Py_XDECREF(v);
        PyErr_Clear();
        if (!v || got_tag != k->tag)
            return fz_diverge(r, "state", "%s.fz is %s, expected %ld (set on an earlier wrapper of that native)",
                           expr, v ? "different" : "missing", k->tag);
    }
    if ((claims & FZ_CLAIM_WEAKREF) && k->weak && PyWeakref_GetObject(k->weak) != o)
        return fz_diverge(r, "weakref", "a weak reference to an earlier wrapper of %s's native %s", expr,
                       PyWeakref_GetObject(k->weak) == Py_None ? "is dead" : "points elsewhere");
    return 0;
}

/* Forget what is known of natives no held slot reaches any more. */
void fz_forget_unreachable(run *r)
{
    const fz_plan *p = r->plan;
    char reach[FZ_MAX_NATIVES] = {0};
    int stack[FZ_MAX_NATIVES], top = 0;
    for (int s = 0; s < FZ_SLOTS; s++)
        if (r->slot[s] && !reach[r->slot_native[s]])
            reach[stack[top++] = r->slot_native[s]] = 1;
    while (top) {
        int n = stack[--top];
        const fz_native *nat = &p->natives[n];
        int next[3] = {-1, -1, -1};
        for (int c = 0; c < nat->nchild; c++)
            next[c] = nat->child[c];
        if (nat->kind == FZ_OUTER)
            next[2] = n + 1;   /* its Inner view lives as long as it does */
        for (int c = 0; c < 3; c++)
            if (next[c] >= 0 && !reach[next[c]])
                reach[stack[top++] = next[c]] = 1;
    }
    for (int n = 0; n < p->nnatives; n++)
        if (!reach[n]) {
            Py_CLEAR(r->nat[n].weak);
            r->nat[n] = (known){0};
        }
}

/* The field f of src (new reference). */
PyObject *fz_read_field(PyObject *src, fz_field f)
{
    static const char *attr[] = {
        [FZ_F_A] = "a", [FZ_F_B] = "b", [FZ_F_OFFSET] = "offset", [FZ_F_AXIS0] = "axes",
        [FZ_F_CHILD0] = "children", [FZ_F_CHILD1] = "children", [FZ_F_INNER] = "inner",
    };
    PyObject *v = PyObject_GetAttrString(src, attr[f]);
    if (v && (f == FZ_F_AXIS0 || f == FZ_F_CHILD0 || f == FZ_F_CHILD1)) {
        PyObject *item = PySequence_GetItem(v, f == FZ_F_CHILD1 ? 1 : 0);
        Py_DECREF(v);
        v = item;
    }
    return v;
}

int fz_put(run *r, int d, PyObject *o, int n)
{
    Py_XSETREF(r->slot[d], o);
    r->slot_native[d] = n;
    return 0;
}


void fz_race_window(int on)
{
    PyObject *r = ffi_py_call("ffi_identity", "set_race_window", "(O)", on ? Py_True : Py_False);
    Py_XDECREF(r);
    PyErr_Clear();
}

static PyObject *read_field_fn(PyObject *self, PyObject *unused)
{
    (void)unused;
    return fz_read_field(PyTuple_GET_ITEM(self, 0), (fz_field)PyLong_AsLong(PyTuple_GET_ITEM(self, 1)));
}
static PyMethodDef read_field_def = {"read", read_field_fn, METH_NOARGS, NULL};

PyObject *fz_field_reader(PyObject *src, fz_field f)
{
    PyObject *self = Py_BuildValue("(Oi)", src, (int)f);
    PyObject *fn = self ? PyCFunction_New(&read_field_def, self) : NULL;
    Py_XDECREF(self);
    return fn;
}


/* Drops every held wrapper and weak reference, and what operations keep. */
static void drop_everything(run *r)
{
    for (int s = 0; s < FZ_SLOTS; s++)
        Py_CLEAR(r->slot[s]);
    for (const fz_op_def *const *op = fz_ops(); *op; op++)
        if ((*op)->end)
            (*op)->end(r);
    Py_CLEAR(r->disowned);
    for (int n = 0; n < r->plan->nnatives; n++)
        Py_CLEAR(r->nat[n].weak);
}

/* L1: with everything dropped, the natives go too; and (L1, V1) the
 * cache's entries with them. */
static int check_no_leak(run *r, int live, long baseline, long entries0)
{
    drop_everything(r);
    ffi_py_gc();
    ffi_py_gc();
    long now = live ? ffi_py_ns_long(r->ns, "native_live") : baseline;
    if (now < 0)
        return fz_python_error(r, "native_live()");
    if (now != baseline)
        return fz_diverge(r, "leak", "with everything dropped and collected, native_live() is %ld, was %ld before",
                       now, baseline);
    long entries = entries0 >= 0 ? ffi_py_ns_long(r->ns, "cache_entries") : -1;
    if (entries0 >= 0 && entries < 0)
        return fz_python_error(r, "cache_entries()");
    if (entries0 >= 0 && entries != entries0)
        return fz_diverge(r, "stale", "with everything dropped and collected, cache_entries() is %ld, was %ld before "
                       "(entries outlive their natives)", entries, entries0);
    return 0;
}

/* Sub and Fin, made once per subject in a module pickle can import. */
static const char sub_src[] =
    "class Sub(Var):\n"
    "    pass\n"
    "class Fin(Var):   # a subclass instance whose finalizer can run code during its death\n"
    "    hook = None\n"
    "    def __del__(self):\n"
    "        if Fin.hook is not None:\n"
    "            Fin.hook(self)\n"
    "        getattr(super(), '__del__', lambda: None)()   # a binding's own (ctypes frees there)\n";

static PyObject *sub_module(PyObject *ns)
{
    static PyObject *mod, *for_ns;
    if (mod && for_ns == ns)
        return mod;
    PyObject *m = PyModule_New("fz_sub"), *d = m ? PyModule_GetDict(m) : NULL;
    PyObject *var = d ? PyObject_GetAttrString(ns, "Var") : NULL;
    PyObject *r = var && PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) == 0 &&
                          PyDict_SetItemString(d, "Var", var) == 0
                      ? PyRun_String(sub_src, Py_file_input, d, d) : NULL;
    if (r && PyDict_SetItemString(PyImport_GetModuleDict(), "fz_sub", m) < 0)
        Py_CLEAR(r);
    Py_XDECREF(r), Py_XDECREF(var);
    if (!r)
        Py_CLEAR(m);
    Py_XSETREF(mod, m);
    for_ns = ns;
    return mod;
}

int fz_run_model(void *ns, const fz_plan *p, int upto, unsigned features, unsigned claims, char *why, size_t n)
{
    static run r;   /* large: static, one run at a time */
    r = (run){.ns = ns, .plan = p, .features = features, .claims = claims, .why = why, .nwhy = n};
    if (features & FFI_FEATURE_ALLOC) {
        PyObject *m = ffi_py_call("ffi_identity", "set_alloc_mode", "(s)", "lifo");
        Py_XDECREF(m);
        PyErr_Clear();
    }
    int live = (claims & FZ_CLAIM_NO_LEAK) && (features & FFI_FEATURE_LIVE);
    int entries = (claims & FZ_CLAIM_NO_STALE) && (features & FFI_FEATURE_ENTRIES);
    if (features & FFI_FEATURE_SUBCLASS) {
        PyObject *m = sub_module(ns);
        r.sub = m ? PyObject_GetAttrString(m, "Sub") : NULL;   /* the module keeps them */
        r.fin = r.sub ? PyObject_GetAttrString(m, "Fin") : NULL;
        Py_XDECREF(r.sub), Py_XDECREF(r.fin);
        if (!r.fin) {
            fz_python_error(&r, "class Sub(ns.Var), class Fin(ns.Var)");
            return 1;
        }
    }
    ffi_py_gc();
    long baseline = live ? ffi_py_ns_long(ns, "native_live") : 0;
    long entries0 = entries ? ffi_py_ns_long(ns, "cache_entries") : -1;
    int bad = 0;
    for (int i = 0; i < upto && i < p->n && !bad; i++) {
        r.step = i + 1;
        if (fz_progress)
            *fz_progress = r.step;
        bad = p->steps[i].op->run(&r, &p->steps[i]);
        if (!bad)
            fz_forget_unreachable(&r);
    }
    r.step = 0;
    if (fz_progress)
        *fz_progress = 0;
    if (!bad && (live || entries) && upto >= p->n)
        bad = check_no_leak(&r, live, baseline, entries0);
    drop_everything(&r);   /* leave nothing behind for the next case in this process */
    PyErr_Clear();
    return bad;
}
