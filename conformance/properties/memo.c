/* Memo properties M1, M2: the rewriter patterns of compiler IRs. */
#include "model/dag.h"
#include "../cf.h"

typedef struct memo_walk {
    PyObject *ns, *memo, *seen_handles;
    long revisits, hits, false_hits, not_self;
} memo_walk;

/* M1: memo keyed by the wrapper; an identity rewrite memoizes node -> node. */
static int wrapper_keyed(memo_walk *m, PyObject *node)
{
    PyObject *prior = PyDict_GetItemWithError(m->memo, node);
    if (prior) {
        m->hits++;
        if (prior != node)
            m->not_self++;
        return 0;
    }
    if (PyErr_Occurred() || PyDict_SetItem(m->memo, node, node) < 0)
        return -1;
    PyObject *kids = ffi_children(node);
    for (Py_ssize_t k = 0; kids && k < PySequence_Fast_GET_SIZE(kids); k++) {
        m->revisits++;   /* counts every edge; first visits are subtracted below */
        if (wrapper_keyed(m, PySequence_Fast_GET_ITEM(kids, k)) < 0)
            Py_CLEAR(kids);
    }
    if (!kids)
        return -1;
    Py_DECREF(kids);
    return 0;
}

static cf_status m1_run(cf_ctx *ctx)
{
    enum { N = 120 };
    PyObject *dag = ffi_dag_build(ctx->ns, N, 3, 3, 3);
    memo_walk m = {ctx->ns, PyDict_New()};
    if (!dag || !m.memo || wrapper_keyed(&m, dag) < 0) {
        Py_XDECREF(m.memo), Py_XDECREF(dag);
        return cf_error(ctx, "a wrapper-keyed memo walk");
    }
    long distinct = (long)PyDict_GET_SIZE(m.memo);
    long revisits = m.revisits + 1 - distinct;   /* edges + root visit - first visits */
    Py_DECREF(m.memo), Py_DECREF(dag);
    if (distinct != N || m.hits != revisits)
        return cf_fail(ctx, "%ld distinct keys for %d nodes, %ld hits for %ld revisits", distinct, N,
                       m.hits, revisits);
    if (m.not_self)
        return cf_fail(ctx, "%ld of %ld memo hits returned a different wrapper than the node visited "
                            "(a no-op rewrite is not `is` the input)", m.not_self, m.hits);
    return CF_PASS;
}

/* M2: memo keyed by id(node), the node not kept alive by the memo. */
static int id_keyed(memo_walk *m, PyObject *node)
{
    PyObject *id = PyLong_FromVoidPtr(node), *h = PyObject_CallMethod(m->ns, "handle", "O", node);
    int rc = -1, revisit = h ? PySet_Contains(m->seen_handles, h) : -1;
    if (revisit < 0 || !id)
        goto out;
    m->revisits += revisit;
    PyObject *prior = PyDict_GetItemWithError(m->memo, id);
    if (prior) {
        int same = PyObject_RichCompareBool(prior, h, Py_EQ);
        if (same < 0)
            goto out;
        m->hits += same;
        m->false_hits += !same;
    }
    if (PyErr_Occurred() || PyDict_SetItem(m->memo, id, h) < 0 || PySet_Add(m->seen_handles, h) < 0)
        goto out;
    rc = 0;
    if (!revisit) {
        PyObject *kids = ffi_children(node);
        for (Py_ssize_t k = 0; kids && k < PySequence_Fast_GET_SIZE(kids); k++)
            if (id_keyed(m, PySequence_Fast_GET_ITEM(kids, k)) < 0)
                Py_CLEAR(kids);
        rc = kids ? 0 : -1;
        Py_XDECREF(kids);   /* drops the children's wrappers: nothing keeps them */
    }
out:
    Py_XDECREF(id), Py_XDECREF(h);
    return rc;
}

static cf_status m2_run(cf_ctx *ctx)
{
    enum { N = 120 };
    PyObject *dag = ffi_dag_build(ctx->ns, N, 3, 3, 3);
    memo_walk m = {ctx->ns, PyDict_New(), PySet_New(NULL)};
    int rc = dag && m.memo && m.seen_handles ? id_keyed(&m, dag) : -1;
    Py_XDECREF(m.memo), Py_XDECREF(m.seen_handles), Py_XDECREF(dag);
    if (rc < 0)
        return cf_error(ctx, "an id-keyed memo walk");
    long misses = m.revisits - m.hits;
    if (m.false_hits || misses)
        return cf_fail(ctx, "id-keyed memo: %ld false hits (another node's id), %ld of %ld revisits missed",
                       m.false_hits, misses, m.revisits);
    return CF_PASS;
}

const cf_property cf_M1 = {"M1", "wrapper-keyed-memo",
    "a dict memo keyed by wrapper hits exactly once per revisit, and hands back the node itself",
    "rewriters short-circuit no-op rewrites with `is`", FFI_FEATURE_NODE, CF_PARAM_NONE, m1_run};
CF_REGISTER(cf_M1);
const cf_property cf_M2 = {"M2", "id-keyed-memo",
    "memo[id(node)] with nodes not kept alive: no false hit for another handle, no missed revisit",
    "id()-keyed memos are common and silently wrong when wrappers are transient",
    FFI_FEATURE_NODE, CF_PARAM_NONE, m2_run};
CF_REGISTER(cf_M2);
