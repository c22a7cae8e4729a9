/* Whole-graph workloads over a generated DAG (harness/model/dag.h): a memo
 * rewriter (ns per node visit, hit rate) and pickle dumps+loads (time,
 * bytes per node, whether aliasing survived). */
#include "model/dag.h"
#include "../bench.h"

/* An identity rewrite with a dict memo keyed by wrapper. */
static long rewrite(PyObject *node, PyObject *memo, PyObject *children, long *hits, long *visits)
{
    ++*visits;
    if (PyDict_GetItemWithError(memo, node)) {
        ++*hits;
        return 0;
    }
    if (PyErr_Occurred() || PyDict_SetItem(memo, node, node) < 0)
        return -1;
    PyObject *attr = PyObject_GetAttr(node, children);
    /* Any sequence: bindings return their own (tvm-ffi's List). */
    PyObject *kids = attr ? PySequence_Fast(attr, "Node.children is not a sequence") : NULL;
    Py_XDECREF(attr);
    if (!kids)
        return -1;
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(kids); k++)
        if (rewrite(PySequence_Fast_GET_ITEM(kids, k), memo, children, hits, visits) < 0) {
            Py_DECREF(kids);
            return -1;
        }
    Py_DECREF(kids);
    return 0;
}

static void memo(gb_state *s, const ffi_subject *sub, long n)
{
    PyObject *dag = ffi_dag_build(sub->ns, n, 3, FFI_DAG_DEFAULT_LAYERS, 7);
    PyObject *children = bench_name("children");
    if (!dag) {
        gb_error(s, "cannot build the DAG");
        return;
    }
    long hits = 0, visits = 0;
    int64_t batch;
    while ((batch = gb_keep_running_batch(s, 1)) > 0) {
        PyObject *memo_dict = PyDict_New();
        if (rewrite(dag, memo_dict, children, &hits, &visits) < 0) {
            PyErr_Print();
            gb_error(s, "rewrite failed");
        }
        Py_DECREF(memo_dict);
    }
    gb_counter(s, "visits", (double)visits, GB_COUNTER_PER_ITERATION);
    gb_counter(s, "hit_rate", visits ? (double)hits / (double)visits : 0, GB_COUNTER_PLAIN);
    gb_counter(s, "nodes", (double)n, GB_COUNTER_PLAIN);
    Py_DECREF(dag);
}

static void pickle_dag(gb_state *s, const ffi_subject *sub, long n)
{
    /* 4 layers: a pickler that cannot share still finishes (see dag.h). */
    PyObject *dag = ffi_dag_build(sub->ns, n, 3, 4, 7);
    PyObject *pickle = PyImport_ImportModule("pickle");
    if (!dag || !pickle) {
        gb_error(s, "cannot build the DAG");
        Py_XDECREF(dag), Py_XDECREF(pickle);
        return;
    }
    Py_ssize_t size = 0;
    long nodes_back = 0;
    int64_t batch;
    while ((batch = gb_keep_running_batch(s, 1)) > 0) {
        PyObject *data = PyObject_CallMethod(pickle, "dumps", "Oi", dag, 4);
        PyObject *back = data ? PyObject_CallMethod(pickle, "loads", "O", data) : NULL;
        if (!back) {
            PyErr_Clear();
            gb_error(s, "this subject cannot pickle");
            Py_XDECREF(data);
            break;
        }
        size = PyBytes_GET_SIZE(data);
        if (!nodes_back)
            nodes_back = ffi_dag_distinct_handles(sub->ns, back);
        Py_DECREF(back);
        Py_DECREF(data);
    }
    gb_counter(s, "bytes_per_node", (double)size / (double)n, GB_COUNTER_PLAIN);
    gb_counter(s, "nodes_back", (double)nodes_back, GB_COUNTER_PLAIN);
    gb_counter(s, "aliasing_kept", nodes_back == n ? 1 : 0, GB_COUNTER_PLAIN);
    Py_DECREF(pickle);
    Py_DECREF(dag);
}

static void add_graphs(const ffi_subject *sub)
{
    long n = bench_cfg.quick ? 200 : 1000;
    bench_add("memo", sub, n, memo, 0);
    bench_add("pickle", sub, n, pickle_dag, 0);
}

/* The reduce style matters for pickling: every style runs it. */
static const bench_workload graphs_workload = {"memo, pickle", add_graphs, BENCH_EVERY_STYLE};
BENCH_WORKLOAD(graphs_workload);
