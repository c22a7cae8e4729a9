/* Operations at scale: a bulk of a few thousand live handles, and two
 * threads churning one field in the race window (T1, R2). */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

enum { ID_BULK = 16 };          /* its op_state: the bulk (struct bulk); its resolver state: one is held */
enum { CHURN_ITERS = 200 };     /* reads per thread in a churn step */

/* What a held bulk is: Vars (None where dropped), an Add(v, v) of each, and
 * the Vars' handles. */
typedef struct bulk { PyObject *vars, *adds; long long *handles; } bulk;

/* b = a % 3: 0 drop the bulk, 1 hold value Vars and Add(v, v) of each and
 * read every add.a, 2 drop every other Var wrapper and re-read every
 * add.a; 0 and 2 only while a bulk is held */
static int resolve_bulk(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    st->b = raw->a % 3;
    if (st->b != 1 && !rs->state[ID_BULK])
        return 0;
    rs->state[ID_BULK] = st->b != 0;
    st->value = 500 * (1 + raw->b % 4);
    return 1;
}

static void describe_bulk(const fz_step *s, char *out, size_t n)
{
    if (s->b == 0)
        snprintf(out, n, "bulk = adds = None");
    else if (s->b == 1)
        snprintf(out, n, "bulk = [ns.Var(\"b%%d\" %% k) for k in range(%d)]; adds = [ns.Add(v, v) for v in bulk]; "
                 "reads = [a.a for a in adds]; del reads", s->value);
    else
        snprintf(out, n, "bulk[::2] = [None] * len(bulk[::2]); reads = [(a.a, a.a) for a in adds]; del reads");
}

static int bulk_check(run *r, bulk *b, int twice)
{
    Py_ssize_t n = PyList_GET_SIZE(b->adds);
    PyObject *var = PyObject_GetAttrString(r->ns, "Var");
    if (!var)
        return fz_python_error(r, "ns.Var");
    int bad = 0;
    for (Py_ssize_t k = 0; k < n && !bad; k++) {
        PyObject *x = PyObject_GetAttrString(PyList_GET_ITEM(b->adds, k), "a");
        PyObject *y = x && twice ? PyObject_GetAttrString(PyList_GET_ITEM(b->adds, k), "a") : NULL;
        long long h = 0;
        if (!x || (twice && !y) || fz_handle_of(r, x, &h) < 0)
            bad = fz_python_error(r, "adds[k].a");
        else if (!PyObject_IsInstance(x, var))
            bad = fz_diverge(r, "type", "adds[%zd].a is a %s, expected a Var", k, Py_TYPE(x)->tp_name);
        else if (h != b->handles[k])
            bad = fz_diverge(r, "handle", "adds[%zd].a has handle %#llx, expected %#llx", k, h, b->handles[k]);
        else if ((r->claims & FZ_CLAIM_UNIQUE) && PyList_GET_ITEM(b->vars, k) != Py_None &&
                 x != PyList_GET_ITEM(b->vars, k))
            bad = fz_diverge(r, "unique", "adds[%zd].a is not bulk[%zd] (with %zd handles live)", k, k, n);
        else if ((r->claims & FZ_CLAIM_UNIQUE) && y && x != y)
            bad = fz_diverge(r, "unique", "adds[%zd].a read twice gives two wrappers (with %zd handles live)", k, n);
        Py_XDECREF(x), Py_XDECREF(y);
    }
    Py_DECREF(var);
    return bad;
}

static void end_bulk(run *r)
{
    bulk *b = r->op_state[ID_BULK];
    r->op_state[ID_BULK] = NULL;
    if (!b)
        return;
    Py_XDECREF(b->adds);
    Py_XDECREF(b->vars);
    free(b->handles);
    free(b);
}

static int run_bulk(run *r, const fz_step *s)
{
    bulk *b = r->op_state[ID_BULK];
    if (s->b == 0) {
        end_bulk(r);
        return 0;
    }
    if (s->b == 2) {
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(b->vars); k += 2)
            PyList_SetItem(b->vars, k, Py_NewRef(Py_None));
        return bulk_check(r, b, 1);
    }
    end_bulk(r);
    if (!(r->op_state[ID_BULK] = b = calloc(1, sizeof *b)))
        return fz_python_error(r, "the bulk");
    b->vars = PyList_New(s->value);
    b->adds = PyList_New(s->value);
    b->handles = calloc((size_t)s->value, sizeof *b->handles);
    if (!b->vars || !b->adds || !b->handles)
        return fz_python_error(r, "the bulk's lists");
    for (int k = 0; k < s->value; k++) {
        char name[16];
        snprintf(name, sizeof name, "b%d", k);
        PyObject *v = cf_new(r->ns, "Var", "(s)", name);
        PyObject *a = v ? cf_new(r->ns, "Add", "(OO)", v, v) : NULL;
        if (!a || fz_handle_of(r, v, &b->handles[k]) < 0) {
            Py_XDECREF(v), Py_XDECREF(a);
            return fz_python_error(r, "bulk: ns.Add(ns.Var(...))");
        }
        PyList_SET_ITEM(b->vars, k, v);
        PyList_SET_ITEM(b->adds, k, a);
    }
    return bulk_check(r, b, 0);
}

static const fz_op_def op_bulk = {
    .name = "bulk", .id = ID_BULK, .weight = 1,
    .resolve = resolve_bulk, .describe = describe_bulk, .run = run_bulk, .end = end_bulk,
};
FZ_OP(op_bulk);

/* churn: two threads re-read s[a]'s field b (x = f; y = f: x is y) while
 * the wrappers they read die */
static int resolve_churn(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    int na = rs->held[st->a];
    return na >= 0 && (st->native = fz_field_native(rs->plan, na, rs->plan->natives[na].kind == FZ_OUTER ? 0 : raw->b,
                                                    &st->field)) >= 0;
}

static void describe_churn(const fz_step *s, char *out, size_t n)
{
    snprintf(out, n, "churn(lambda: s%d%s)", s->a, fz_field_expr(s->field));
}

static void print_churn(FILE *out, const char *prefix, int adapter)
{
    fprintf(out, "%sdef churn(read):   # two threads: x = read(); y = read(); x is y, while wrappers die\n", prefix);
    fprintf(out, "%s    import sys, threading, time; sys.setswitchinterval(1e-6)\n", prefix);
    fprintf(out, "%s    def body():\n", prefix);
    fprintf(out, "%s        for _ in range(%d): x = read(); time.sleep(0); y = read(); assert x is y; del x, y\n",
            prefix, CHURN_ITERS);
    fprintf(out, "%s    ts = [threading.Thread(target=body) for _ in range(2)]; [t.start() for t in ts]; "
                 "[t.join() for t in ts]\n", prefix);
}
static const fz_python_def py_churn = {NULL, print_churn};

/* churn: two threads re-read one field; each keeps the first read
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

static int run_churn(run *r, const fz_step *s)
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
    PyObject *rd = fz_field_reader(r->slot[s->a], s->field);
    PyObject *handle = rd ? PyObject_GetAttrString(r->ns, "handle") : NULL;
    fz_race_window(1);   /* builtins: threads switch inside wrapper creation */
    PyObject *res = handle ? PyObject_CallFunction(fn, "OOLii", rd, handle, h, unique, CHURN_ITERS) : NULL;
    fz_race_window(0);
    Py_XDECREF(rd), Py_XDECREF(handle);
    if (!res)
        return fz_python_error(r, "the churn threads");
    if (res != Py_None)
        bad = fz_diverge(r, "churn", "two threads re-reading %s while its wrappers die: %s", read,
                      PyUnicode_AsUTF8(res));
    Py_DECREF(res);
    return bad;
}

static const fz_op_def op_churn = {
    .name = "churn", .id = 17, .weight = 2, .needs = FFI_FEATURE_THREADS,
    .resolve = resolve_churn, .describe = describe_churn, .run = run_churn,
    .python = (const fz_python_def *const[]){&py_churn, NULL},
};
FZ_OP(op_churn);
