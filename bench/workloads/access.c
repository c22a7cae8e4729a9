/* Per-access costs: hot (the wrapper exists), cold (first access), churn
 * (access and drop), converge (the reported layout's two paths), and
 * dispatch: a field returning a plain int through the same call path, so
 * hot minus dispatch is what the identity layer adds. */
#include "../bench.h"

#define BATCH 1000

typedef struct access_arg { PyObject *obj, *name; } access_arg;

static void access_and_drop(void *p)
{
    access_arg *a = p;
    Py_DECREF(PyObject_GetAttr(a->obj, a->name));
}

/* layout.offset, timed. With `hold`, a reference to the Add's wrapper is
 * kept (hot: the wrapper exists); without, nothing else holds it (churn:
 * strategies that forget the wrapper make and destroy one per access). */
static void offset_access(gb_state *s, const ffi_subject *sub, int hold)
{
    PyObject *layout = ffi_reported_layout(sub->ns), *name = bench_name("offset");
    PyObject *held = layout && hold ? PyObject_GetAttr(layout, name) : NULL;
    if (!layout || (hold && !held)) {
        gb_error(s, "cannot build the layout");
        Py_XDECREF(layout);
        return;
    }
    int64_t n;
    while ((n = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < n; k++)
            Py_DECREF(PyObject_GetAttr(layout, name));
    access_arg a = {layout, name};
    bench_count_allocs(s, access_and_drop, &a, 1000);
    Py_XDECREF(held);
    Py_DECREF(layout);
}

static void hot(gb_state *s, const ffi_subject *sub, long param) { (void)param, offset_access(s, sub, 1); }
static void churn(gb_state *s, const ffi_subject *sub, long param) { (void)param, offset_access(s, sub, 0); }

/* add.a where the Var has no wrapper yet: natives made with the timer
 * paused, wrapped Add by Add, then the timed first accesses. */
static void cold(gb_state *s, const ffi_subject *sub, long param)
{
    (void)param;
    enum { K = 256 };
    PyObject *adds[K], *got[K], *name = bench_name("a");
    int64_t n;
    while ((n = gb_keep_running_batch(s, K)) > 0) {
        gb_pause(s);
        for (int64_t k = 0; k < n; k++)
            adds[k] = sub->native->new_add(sub, "c");
        gb_resume(s);
        for (int64_t k = 0; k < n; k++)
            got[k] = PyObject_GetAttr(adds[k], name);
        gb_pause(s);
        for (int64_t k = 0; k < n; k++) {
            Py_DECREF(got[k]);
            Py_DECREF(adds[k]);
        }
        gb_resume(s);
    }
}

/* One iteration: layout.axes[0] and layout.offset.a, three accesses. */
static void converge(gb_state *s, const ffi_subject *sub, long param)
{
    (void)param;
    PyObject *layout = ffi_reported_layout(sub->ns);
    PyObject *axes_name = bench_name("axes"), *off_name = bench_name("offset"), *a_name = bench_name("a");
    if (!layout) {
        gb_error(s, "cannot build the layout");
        return;
    }
    int64_t n, same = 0, total = 0;
    while ((n = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < n; k++) {
            PyObject *axes = PyObject_GetAttr(layout, axes_name);
            PyObject *off = PyObject_GetAttr(layout, off_name);
            PyObject *a = PyObject_GetAttr(off, a_name);
            PyObject *first = PySequence_GetItem(axes, 0);   /* any sequence (tvm-ffi's List) */
            same += first == a;
            Py_XDECREF(first);
            total++;
            Py_DECREF(a);
            Py_DECREF(off);
            Py_DECREF(axes);
        }
    gb_counter(s, "converged", (double)same / (double)total, GB_COUNTER_PLAIN);
    Py_DECREF(layout);
}

/* The subject's int field and the object that has it: Node(7).tag with
 * `node`, else Outer(7).value with `outer` (7: a cached small int, so no
 * result is allocated). 0 without either; -1 with an exception. */
static int int_field(const ffi_subject *sub, PyObject **obj, PyObject **name)
{
    PyObject *features = PyObject_GetAttrString(sub->ns, "features");
    int node = features ? PySequence_Contains(features, bench_name("node")) : -1;
    int outer = node == 0 ? PySequence_Contains(features, bench_name("outer")) : 0;
    Py_XDECREF(features);
    if (node < 0 || outer < 0)
        return -1;
    if (!node && !outer)
        return 0;
    PyObject *cls = PyObject_GetAttrString(sub->ns, node ? "Node" : "Outer");
    *obj = cls ? PyObject_CallFunction(cls, "i", 7) : NULL;
    *name = bench_name(node ? "tag" : "value");
    Py_XDECREF(cls);
    return *obj ? 1 : -1;
}

/* node.tag (or outer.value) with the node held: the call path of a field
 * without the identity layer (no wrapper to find or make). */
static void dispatch(gb_state *s, const ffi_subject *sub, long param)
{
    (void)param;
    PyObject *obj = NULL, *name = NULL;
    if (int_field(sub, &obj, &name) <= 0) {
        PyErr_Clear();
        gb_error(s, "no int field (neither Node.tag nor Outer.value)");
        return;
    }
    /* An int, or the tool's subclass of one (JPype's JInt for a Java int):
     * making that is the tool's field path, not identity. */
    PyObject *v = PyObject_GetAttr(obj, name);
    int is_int = v && PyLong_Check(v);
    Py_XDECREF(v);
    if (!is_int) {
        PyErr_Clear();
        gb_error(s, "the int field does not return an int");
        Py_DECREF(obj);
        return;
    }
    int64_t n;
    while ((n = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < n; k++)
            Py_DECREF(PyObject_GetAttr(obj, name));
    access_arg a = {obj, name};
    bench_count_allocs(s, access_and_drop, &a, 1000);
    Py_DECREF(obj);
}

static void add_access(const ffi_subject *sub)
{
    PyObject *obj = NULL, *name = NULL;
    int has = int_field(sub, &obj, &name);
    Py_XDECREF(obj);
    PyErr_Clear();
    if (has > 0)
        bench_add("dispatch", sub, 0, dispatch, 0);
    bench_add("hot", sub, 0, hot, 0);
    /* A fixed count: the set-up per batch (timer paused) is what a search
     * would multiply. Counting sets its own, and an adapter's is timed
     * (bench_adapter_cold_iterations), which would make the counted
     * process's history, and its heap, depend on the clock. */
    bench_add("cold", sub, 0, sub->native ? cold : bench_adapter_cold,
              bench_cfg.quick ? 25600 : sub->native || bench_cfg.counting ? 256000
                                                                          : bench_adapter_cold_iterations(sub));
    bench_add("churn", sub, 0, churn, 0);
    bench_add("converge", sub, 0, converge, 0);
}

static const bench_workload access_workload = {"hot, cold, churn, converge, dispatch", add_access, 0};
BENCH_WORKLOAD(access_workload);
