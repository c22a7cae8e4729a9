/* The model: runs resolved steps on a subject and checks, at every
 * wrapper the subject hands out, what the subject claims. It remembers per
 * native only what a claim needs (its handle, the first wrapper's id, an
 * attribute, a weak reference) and forgets it when the native becomes
 * unreachable from the held slots, because then it may be freed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cf.h"
#include "driver/child.h"
#include "fuzz.h"
#include "model.h"

volatile int *fz_progress;

enum { FORK_SECONDS = 5 };   /* a forked child that re-reads a few fields and exits */


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

/* The field of `src` a GET step reads (new reference). */
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

static int construct(run *r, const fz_step *s, const char *expr)
{
    PyObject *o;
    switch (s->op) {
    case FZ_NEW_VAR: {
        char name[16];
        snprintf(name, sizeof name, "v%d", s->value);
        o = cf_new(r->ns, "Var", "(s)", name);
        break;
    }
    case FZ_NEW_ADD:    o = cf_new(r->ns, "Add", "(OO)", r->slot[s->a], r->slot[s->b]); break;
    case FZ_NEW_LAYOUT: o = cf_new(r->ns, "Layout", "([O]O)", r->slot[s->a], r->slot[s->b]); break;
    case FZ_NEW_OUTER:  o = cf_new(r->ns, "Outer", "(i)", s->value); break;
    case FZ_NEW_SUB: {
        char name[16];
        snprintf(name, sizeof name, "v%d", s->value);
        o = PyObject_CallFunction(r->sub, "s", name);
        break;
    }
    case FZ_COPY:       o = ffi_py_call("copy", "copy", "(O)", r->slot[s->a]); break;
    default: {   /* FZ_NEW_NODE: step() sends only constructors here */
        PyObject *kids = PyList_New(0);
        if (kids && s->a >= 0 && PyList_Append(kids, r->slot[s->a]) < 0)
            Py_CLEAR(kids);
        if (kids && s->b >= 0 && PyList_Append(kids, r->slot[s->b]) < 0)
            Py_CLEAR(kids);
        o = kids ? cf_new(r->ns, "Node", "(iO)", s->value, kids) : NULL;
        Py_XDECREF(kids);
        break;
    }
    }
    if (!o)
        return fz_python_error(r, expr);
    /* A Sub when made as one; a copy when copied from a Sub wrapper. */
    r->constructing = s->op != FZ_COPY ? 1 : 2;   /* a copy of a Sub may be a Var: S1 says nothing of copy */
    int bad = fz_sighting(r, o, s->native, expr, r->claims);
    r->constructing = 0;
    if (bad) {
        Py_DECREF(o);
        return 1;
    }
    fz_put(r, s->d, o, s->native);
    /* A copy that shares its children (claims copy): read them now. */
    for (int c = 0; c < 2 && s->op == FZ_COPY && (r->features & FZ_FEAT_COPY_SHARES); c++) {
        fz_field f;
        int child = fz_field_native(r->plan, s->native, c, &f);
        if (child < 0 || r->plan->natives[s->native].kind == FZ_OUTER)
            continue;
        char read[48];
        snprintf(read, sizeof read, "copy.copy(s%d)%s", s->a, fz_field_expr(f));
        PyObject *x = fz_read_field(o, f);
        if (!x)
            return fz_python_error(r, read);
        bad = fz_sighting(r, x, child, read, r->claims);
        Py_DECREF(x);
        if (bad)
            return 1;
    }
    return 0;
}

static int get(run *r, const fz_step *s, const char *expr, unsigned claims)
{
    PyObject *o = fz_read_field(r->slot[s->a], s->field);
    if (!o)
        return fz_python_error(r, expr);
    if (fz_sighting(r, o, s->native, expr, claims)) {
        Py_DECREF(o);
        return 1;
    }
    return fz_put(r, s->d, o, s->native);
}

static int pickle_roundtrip(run *r, const fz_step *s)
{
    int idx[FZ_SLOTS], n = 0;
    for (int k = 0; k < FZ_SLOTS; k++)
        if (s->b & (1 << k))
            idx[n++] = k;
    PyObject *t = PyTuple_New(n);
    for (int i = 0; t && i < n; i++)
        PyTuple_SET_ITEM(t, i, Py_NewRef(r->slot[idx[i]]));
    PyObject *back = t ? cf_pickle_roundtrip(t, s->value) : NULL;
    Py_XDECREF(t);
    if (!back || !PyTuple_Check(back) || PyTuple_GET_SIZE(back) != n) {
        Py_XDECREF(back);
        return PyErr_Occurred() ? fz_python_error(r, "the pickle round trip") :
                                  fz_diverge(r, "pickle", "the round trip changed the tuple's shape");
    }
    int bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        PyObject *ri = PyTuple_GET_ITEM(back, i);
        int ni = r->slot_native[idx[i]];
        int base_ok = r->plan->natives[ni].sub && !(r->claims & FZ_CLAIM_SUBCLASS) &&
                      strcmp(Py_TYPE(ri)->tp_name, Py_TYPE(r->slot[idx[i]])->tp_base->tp_name) == 0;
        if (!base_ok && strcmp(Py_TYPE(ri)->tp_name, Py_TYPE(r->slot[idx[i]])->tp_name) != 0)
            bad = fz_diverge(r, "pickle", "s%d came back as a %s", idx[i], Py_TYPE(ri)->tp_name);
        for (int j = i + 1; j < n && !bad; j++) {
            int same = ni == r->slot_native[idx[j]], one = ri == PyTuple_GET_ITEM(back, j);
            if (one && !same)
                bad = fz_diverge(r, "pickle", "s%d and s%d wrap different natives but came back as one object",
                              idx[i], idx[j]);
            else if (same && !one && (r->claims & FZ_CLAIM_PICKLE) &&
                     (r->slot[idx[i]] == r->slot[idx[j]] || !r->plan->natives[ni].sub ||
                      (r->claims & FZ_CLAIM_SUBCLASS)))
                bad = fz_diverge(r, "pickle", "s%d and s%d wrap one native but came back as two objects",
                              idx[i], idx[j]);
        }
        /* A held root's child that is also held must come back as that root. */
        for (int c = 0; c < 2 && !bad && (r->claims & FZ_CLAIM_NESTED); c++) {
            fz_field f;
            int child_native = fz_field_native(r->plan, ni, c, &f);
            if (child_native >= 0 && r->plan->natives[child_native].sub && !(r->claims & FZ_CLAIM_SUBCLASS))
                continue;   /* without S1 the field gives a base-class wrapper, which pickles apart */
            for (int j = 0; j < n && !bad && child_native >= 0; j++) {
                if (r->slot_native[idx[j]] != child_native)
                    continue;
                PyObject *child = fz_read_field(ri, f);
                long long hc = 0, hj = 0;
                if (!child || fz_handle_of(r, child, &hc) < 0 || fz_handle_of(r, PyTuple_GET_ITEM(back, j), &hj) < 0)
                    bad = fz_python_error(r, "reading the round-tripped objects");
                else if (hc != hj)
                    bad = fz_diverge(r, "nested", "after the round trip, s%d%s and s%d are different natives",
                                  idx[i], fz_field_expr(f), idx[j]);
                Py_XDECREF(child);
            }
        }
    }
    Py_DECREF(back);
    return bad;
}

/* The forked child's side: re-read every field of every held slot and
 * report the first divergence (uniqueness only if the subject claims F1). */
void fz_reread_child(void *arg, int fd)
{
    run *r = arg;
    alarm(FORK_SECONDS);   /* outlive a killed parent by no more than that */
    unsigned claims = r->claims & FZ_CLAIM_FORK ? FZ_CLAIM_UNIQUE : 0;
    int bad = 0;
    for (int s = 0; s < FZ_SLOTS && !bad; s++) {
        if (!r->slot[s])
            continue;
        int n = r->slot_native[s];
        for (int c = 0; c < 2 && !bad; c++) {
            fz_field f;
            int child = fz_field_native(r->plan, n, c, &f);
            if (child < 0)
                continue;
            char expr[32];
            snprintf(expr, sizeof expr, "s%d%s", s, fz_field_expr(f));
            PyObject *o = fz_read_field(r->slot[s], f);
            bad = o ? fz_sighting(r, o, child, expr, claims) : fz_python_error(r, expr);
            Py_XDECREF(o);
        }
    }
    ssize_t w = write(fd, r->why, bad ? strlen(r->why) + 1 : 0);
    (void)w;
    _exit(bad ? 1 : 0);
}

/* os.fork() with held wrappers: a crash or a hang in the child is a
 * divergence too. */
int fz_fork_and_reread(run *r, double seconds)
{
    ffi_child c;
    if (ffi_child_start(&c, fz_reread_child, r) < 0)
        return fz_diverge(r, "fork", "fork: %s", strerror(errno));
    char msg[400] = "";
    int timed_out;
    ffi_child_read(&c, msg, sizeof msg - 1, seconds, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        char category[32];
        int at;
        return fz_diverge(r, "fork", "in the forked child: %s",
                       *msg ? fz_divergence_split(msg, category, sizeof category, &at) : "failed without a reason");
    }
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char why[160];
        ffi_child_describe(status, timed_out, seconds, why, sizeof why);
        return fz_diverge(r, "fork", "the forked child re-reading fields %s", why);
    }
    return 0;
}

/* FZ_DYING_READ's weakref callback: self is [source, field, got, dying
 * address]; reads the field while the wrapper at that address dies. */
static PyObject *dying_reread(PyObject *self, PyObject *ref)
{
    (void)ref;
    PyObject *src = PyList_GET_ITEM(self, 0), *got = PyList_GET_ITEM(self, 2);
    PyObject *o = fz_read_field(src, (fz_field)PyLong_AsLong(PyList_GET_ITEM(self, 1)));
    if (!o)
        return NULL;
    if ((void *)o == PyLong_AsVoidPtr(PyList_GET_ITEM(self, 3))) {
        /* The dying wrapper handed out again: note it, leak the reference
         * (dropping it would deallocate it a second time). */
        return PyList_Append(got, Py_Ellipsis) < 0 ? NULL : Py_NewRef(Py_None);
    }
    int rc = PyList_Append(got, o);
    Py_DECREF(o);
    return rc < 0 ? NULL : Py_NewRef(Py_None);
}
static PyMethodDef dying_reread_def = {"dying_reread", dying_reread, METH_O, NULL};

static int dying_read(run *r, const fz_step *s)
{
    char read[48];
    snprintf(read, sizeof read, "s%d%s", s->a, fz_field_expr(s->field));
    PyObject *got = PyList_New(0);
    PyObject *self = got ? Py_BuildValue("[OiON]", r->slot[s->a], (int)s->field, got,
                                         PyLong_FromVoidPtr(r->slot[s->d])) : NULL;
    PyObject *cb = self ? PyCFunction_New(&dying_reread_def, self) : NULL;
    PyObject *w = cb ? PyWeakref_NewRef(r->slot[s->d], cb) : NULL;
    Py_XDECREF(cb), Py_XDECREF(self);
    if (!w) {
        Py_XDECREF(got);
        return fz_python_error(r, "weakref.ref(s, callback)");
    }
    Py_CLEAR(r->slot[s->d]);   /* the wrapper dies here unless something holds it; the callback runs inside */
    fz_forget_unreachable(r);     /* its native is still reachable through s[a] */
    Py_DECREF(w);
    if (PyErr_Occurred()) {
        Py_DECREF(got);
        return fz_python_error(r, "the weakref callback re-reading the field");
    }
    PyObject *y = PyList_GET_SIZE(got) ? Py_NewRef(PyList_GET_ITEM(got, 0)) : NULL;
    Py_DECREF(got);
    char expr[80];
    snprintf(expr, sizeof expr, "%s (read by the callback)", read);
    if (y == Py_Ellipsis) {
        Py_DECREF(y);
        if (r->claims & FZ_CLAIM_REENTRY)
            return fz_diverge(r, "reentry", "a weakref callback that read %s while that wrapper was dying got "
                                         "the dying wrapper back (use after free once the callback returns)", read);
        y = NULL;
    }
    if (!y) {
        y = fz_read_field(r->slot[s->a], s->field);
        snprintf(expr, sizeof expr, "%s", read);
        if (!y)
            return fz_python_error(r, read);
    }
    if (fz_sighting(r, y, s->native, expr, r->claims)) {
        Py_DECREF(y);
        return 1;
    }
    fz_put(r, s->d, y, s->native);
    /* With the callback's wrapper held, the field must give it again. */
    PyObject *z = fz_read_field(r->slot[s->a], s->field);
    snprintf(expr, sizeof expr, "%s (read again after the callback)", read);
    int bad = z ? fz_sighting(r, z, s->native, expr, r->claims) : fz_python_error(r, read);
    Py_XDECREF(z);
    return bad;
}

/* FZ_DEL_READ's hook, called by Fin.__del__ with the dying wrapper: self is
 * [source, field, got, error]; reads the field while that wrapper is being
 * finalized. Getting the dying wrapper back is fine here (unlike from a
 * weakref callback): the read resurrects it, and CPython keeps it. An
 * error cannot leave __del__, so it is kept for the step to report. */
static PyObject *del_reread(PyObject *self, PyObject *dying)
{
    (void)dying;
    PyObject *o = fz_read_field(PyList_GET_ITEM(self, 0), (fz_field)PyLong_AsLong(PyList_GET_ITEM(self, 1)));
    if (!o || PyList_Append(PyList_GET_ITEM(self, 2), o) < 0) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        PyList_SetItem(self, 3, value ? value : Py_NewRef(Py_None));
        Py_XDECREF(type), Py_XDECREF(tb);
    }
    Py_XDECREF(o);
    Py_RETURN_NONE;
}
static PyMethodDef del_reread_def = {"del_reread", del_reread, METH_O, NULL};

int fz_fin_in_add(run *r, const fz_step *s, PyObject **f, PyObject **add)
{
    char name[16];
    snprintf(name, sizeof name, "v%d", s->value);
    r->constructing = 1;
    *f = PyObject_CallFunction(r->fin, "s", name);
    int bad = *f ? fz_sighting(r, *f, s->native, "Fin(...)", r->claims) : fz_python_error(r, "Fin(...)");
    r->constructing = 0;
    *add = bad ? NULL : cf_new(r->ns, "Add", "(OO)", *f, *f);
    if (!bad && !*add)
        bad = fz_python_error(r, "ns.Add(f, f)");
    if (!bad && !(bad = fz_sighting(r, *add, s->b, "ns.Add(f, f)", r->claims)))
        fz_put(r, s->a, Py_NewRef(*add), s->b);
    return bad;
}

static int del_read(run *r, const fz_step *s)
{
    char expr[80];
    PyObject *f, *add;
    int bad = fz_fin_in_add(r, s, &f, &add);
    PyObject *got = bad ? NULL : PyList_New(0);
    PyObject *self = got ? Py_BuildValue("[OiOO]", add, (int)s->field, got, Py_None) : NULL;
    PyObject *hook = self ? PyCFunction_New(&del_reread_def, self) : NULL;
    if (!bad && (!hook || PyObject_SetAttrString(r->fin, "hook", hook) < 0))
        bad = fz_python_error(r, "Fin.hook = ...");
    Py_XDECREF(hook), Py_XDECREF(add);
    Py_XDECREF(f);   /* the wrapper dies here unless something keeps it; Fin.__del__ runs inside */
    if (PyObject_SetAttrString(r->fin, "hook", Py_None) < 0 && !bad)
        bad = fz_python_error(r, "Fin.hook = None");
    PyObject *error = self ? PyList_GET_ITEM(self, 3) : Py_None;
    snprintf(expr, sizeof expr, "s%d.a (read by Fin.__del__)", s->a);
    if (!bad && error != Py_None) {
        PyObject *text = PyObject_Str(error);
        bad = fz_diverge(r, "error", "%s raised %s: %s", expr, Py_TYPE(error)->tp_name,
                      text ? PyUnicode_AsUTF8(text) : "?");
        Py_XDECREF(text);
    }
    PyObject *y = !bad && PyList_GET_SIZE(got) ? Py_NewRef(PyList_GET_ITEM(got, 0)) : NULL;
    Py_XDECREF(self), Py_XDECREF(got);
    if (bad)
        return 1;
    if (!y) {
        snprintf(expr, sizeof expr, "s%d.a", s->a);
        if (!(y = fz_read_field(r->slot[s->a], s->field)))
            return fz_python_error(r, expr);
    }
    if (fz_sighting(r, y, s->native, expr, r->claims)) {
        Py_DECREF(y);
        return 1;
    }
    fz_put(r, s->d, y, s->native);
    /* With that wrapper held, the field must give it again: one live wrapper per handle. */
    PyObject *z = fz_read_field(r->slot[s->a], s->field);
    snprintf(expr, sizeof expr, "s%d.a (read again after Fin.__del__)", s->a);
    bad = z ? fz_sighting(r, z, s->native, expr, r->claims) : fz_python_error(r, expr);
    Py_XDECREF(z);
    return bad;
}

/* FZ_BULK: a few thousand live handles. */
static int bulk_check(run *r, int twice)
{
    Py_ssize_t n = PyList_GET_SIZE(r->adds);
    PyObject *var = PyObject_GetAttrString(r->ns, "Var");
    if (!var)
        return fz_python_error(r, "ns.Var");
    int bad = 0;
    for (Py_ssize_t k = 0; k < n && !bad; k++) {
        PyObject *x = PyObject_GetAttrString(PyList_GET_ITEM(r->adds, k), "a");
        PyObject *y = x && twice ? PyObject_GetAttrString(PyList_GET_ITEM(r->adds, k), "a") : NULL;
        long long h = 0;
        if (!x || (twice && !y) || fz_handle_of(r, x, &h) < 0)
            bad = fz_python_error(r, "adds[k].a");
        else if (!PyObject_IsInstance(x, var))
            bad = fz_diverge(r, "type", "adds[%zd].a is a %s, expected a Var", k, Py_TYPE(x)->tp_name);
        else if (h != r->bulk_handles[k])
            bad = fz_diverge(r, "handle", "adds[%zd].a has handle %#llx, expected %#llx", k, h, r->bulk_handles[k]);
        else if ((r->claims & FZ_CLAIM_UNIQUE) && PyList_GET_ITEM(r->bulk, k) != Py_None &&
                 x != PyList_GET_ITEM(r->bulk, k))
            bad = fz_diverge(r, "unique", "adds[%zd].a is not bulk[%zd] (with %zd handles live)", k, k, n);
        else if ((r->claims & FZ_CLAIM_UNIQUE) && y && x != y)
            bad = fz_diverge(r, "unique", "adds[%zd].a read twice gives two wrappers (with %zd handles live)", k, n);
        Py_XDECREF(x), Py_XDECREF(y);
    }
    Py_DECREF(var);
    return bad;
}

static void bulk_clear(run *r)
{
    Py_CLEAR(r->adds);
    Py_CLEAR(r->bulk);
    free(r->bulk_handles);
    r->bulk_handles = NULL;
}

static int bulk_step(run *r, const fz_step *s)
{
    if (s->b == 0) {
        bulk_clear(r);
        return 0;
    }
    if (s->b == 2) {
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(r->bulk); k += 2)
            PyList_SetItem(r->bulk, k, Py_NewRef(Py_None));
        return bulk_check(r, 1);
    }
    bulk_clear(r);
    r->bulk = PyList_New(s->value);
    r->adds = PyList_New(s->value);
    r->bulk_handles = calloc((size_t)s->value, sizeof *r->bulk_handles);
    if (!r->bulk || !r->adds || !r->bulk_handles)
        return fz_python_error(r, "the bulk's lists");
    for (int k = 0; k < s->value; k++) {
        char name[16];
        snprintf(name, sizeof name, "b%d", k);
        PyObject *v = cf_new(r->ns, "Var", "(s)", name);
        PyObject *a = v ? cf_new(r->ns, "Add", "(OO)", v, v) : NULL;
        if (!a || fz_handle_of(r, v, &r->bulk_handles[k]) < 0) {
            Py_XDECREF(v), Py_XDECREF(a);
            return fz_python_error(r, "bulk: ns.Add(ns.Var(...))");
        }
        PyList_SET_ITEM(r->bulk, k, v);
        PyList_SET_ITEM(r->adds, k, a);
    }
    return bulk_check(r, 0);
}

/* FZ_CHURN: two threads re-read one field; each keeps the first read
 * while it reads again (the two must be one wrapper where uniqueness is
 * claimed) and lets both go, so wrappers die between iterations. */
static const char churn_src[] =
    "import sys, threading, time\n"
    "def churn(read, handle, want, unique, iters):\n"
    "    bad = []\n"
    "    def body():\n"
    "        for _ in range(iters):\n"
    "            x = read(); time.sleep(0); y = read()\n"
    "            if handle(x) != want or handle(y) != want:\n"
    "                bad.append('a wrapper of another handle'); return\n"
    "            if unique and x is not y:\n"
    "                bad.append('x is not y: two wrappers for one handle'); return\n"
    "            del x, y\n"
    "    old = sys.getswitchinterval(); sys.setswitchinterval(1e-6)\n"
    "    try:\n"
    "        ts = [threading.Thread(target=body) for _ in range(2)]\n"
    "        for t in ts: t.start()\n"
    "        for t in ts: t.join()\n"
    "    finally:\n"
    "        sys.setswitchinterval(old)\n"
    "    return bad[0] if bad else None\n";

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

static int churn(run *r, const fz_step *s)
{
    static PyObject *fn;
    char read[48];
    snprintf(read, sizeof read, "s%d%s", s->a, fz_field_expr(s->field));
    if (!fn) {
        PyObject *g = PyDict_New();
        if (g && PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) == 0) {
            PyObject *rr = PyRun_String(churn_src, Py_file_input, g, g);
            fn = rr ? Py_XNewRef(PyDict_GetItemString(g, "churn")) : NULL;
            Py_XDECREF(rr);
        }
        Py_XDECREF(g);
        if (!fn)
            return fz_python_error(r, "defining churn()");
    }
    /* One read first: the type, the handle and the claims as a GET step. */
    PyObject *o = fz_read_field(r->slot[s->a], s->field);
    long long h = 0;
    int bad = o ? fz_sighting(r, o, s->native, read, r->claims) : fz_python_error(r, read);
    if (!bad && fz_handle_of(r, o, &h) < 0)
        bad = fz_python_error(r, "handle()");
    Py_XDECREF(o);
    if (bad)
        return 1;
    const fz_native *nat = &r->plan->natives[s->native];
    int unique = (r->claims & FZ_CLAIM_UNIQUE) && (nat->kind != FZ_INNER || (r->claims & FZ_CLAIM_VIEW_UNIQUE)) &&
                 (!nat->sub || (r->claims & FZ_CLAIM_SUBCLASS));
    PyObject *self = Py_BuildValue("(Oi)", r->slot[s->a], (int)s->field);
    PyObject *rd = self ? PyCFunction_New(&read_field_def, self) : NULL;
    PyObject *handle = rd ? PyObject_GetAttrString(r->ns, "handle") : NULL;
    fz_race_window(1);   /* builtins: threads switch inside wrapper creation */
    PyObject *res = handle ? PyObject_CallFunction(fn, "OOLii", rd, handle, h, unique, FZ_CHURN_ITERS) : NULL;
    fz_race_window(0);
    Py_XDECREF(self), Py_XDECREF(rd), Py_XDECREF(handle);
    if (!res)
        return fz_python_error(r, "the churn threads");
    if (res != Py_None)
        bad = fz_diverge(r, "churn", "two threads re-reading %s while its wrappers die: %s", read,
                      PyUnicode_AsUTF8(res));
    Py_DECREF(res);
    return bad;
}

static int step(run *r, const fz_step *s)
{
    char expr[160];
    fz_describe_step(s, expr, sizeof expr);
    switch (s->op) {
    case FZ_NEW_VAR: case FZ_NEW_ADD: case FZ_NEW_LAYOUT: case FZ_NEW_NODE: case FZ_NEW_OUTER:
    case FZ_NEW_SUB: case FZ_COPY:
        return construct(r, s, expr);
    case FZ_DYING_READ:
        return dying_read(r, s);
    case FZ_DEL_READ:
        return del_read(r, s);
    case FZ_BULK:
        return bulk_step(r, s);
    case FZ_CHURN:
        return churn(r, s);
    case FZ_NEW_INTERN:
        return fz_step_intern(r, s);
    case FZ_DISOWN:
        return fz_step_disown(r, s);
    case FZ_SUBINTERP:
        return fz_step_subinterp(r, s);
    case FZ_RESURRECT:
        return fz_step_resurrect(r, s);
    case FZ_CYCLE:
        return fz_step_cycle(r, s);
    case FZ_FORK_BUSY:
        return fz_step_fork_busy(r, s);
    case FZ_GET: {
        char read[32];
        snprintf(read, sizeof read, "s%d%s", s->a, fz_field_expr(s->field));
        return get(r, s, read, r->claims);
    }
    case FZ_DROP:
        Py_CLEAR(r->slot[s->d]);
        return 0;
    case FZ_GC:
        ffi_py_gc();
        return 0;
    case FZ_SETATTR: {
        PyObject *v = PyLong_FromLong(s->value);
        int rc = v ? PyObject_SetAttrString(r->slot[s->d], "fz", v) : -1;
        Py_XDECREF(v);
        if (rc < 0)
            return fz_python_error(r, expr);
        r->nat[s->native].tag = s->value;
        r->nat[s->native].has_tag = 1;
        return 0;
    }
    case FZ_WEAKREF: {
        PyObject *w = PyWeakref_NewRef(r->slot[s->d], NULL);
        if (!w)
            return fz_python_error(r, expr);
        Py_XSETREF(r->nat[s->native].weak, w);
        return 0;
    }
    case FZ_PICKLE:
        return pickle_roundtrip(r, s);
    case FZ_FORK:
        return fz_fork_and_reread(r, FORK_SECONDS);
    default:
        return 0;
    }
}

/* Drops every held wrapper and weak reference. */
static void drop_everything(run *r)
{
    for (int s = 0; s < FZ_SLOTS; s++)
        Py_CLEAR(r->slot[s]);
    bulk_clear(r);
    Py_CLEAR(r->disowned);
    Py_CLEAR(r->kept);
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
        bad = step(&r, &p->steps[i]);
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
