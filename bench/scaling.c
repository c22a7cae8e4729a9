/* Hot access with N live handles (1e2..1e6): add.a over N Adds whose Var
 * wrappers all exist, in a random order, so map-based caches pay for
 * their size in cache misses. */
#include <stdlib.h>

#include "bench.h"

static void scaling(gb_state *s, const bench_impl *b, long count)
{
    size_t n = (size_t)count;
    PyObject **adds = malloc(n * sizeof *adds), **vars = malloc(n * sizeof *vars);
    uint32_t *order = malloc(n * sizeof *order);
    PyObject *name = bench_name("a");
    if (!adds || !vars || !order) {
        gb_error(s, "out of memory");
        free(adds), free(vars), free(order);
        return;
    }
    uint64_t seed = 12345;
    for (size_t k = 0; k < n; k++) {
        ffi_obj *v = ffi_var_new("s", 1), *add = ffi_add_new(v, v);
        ffi_decref(v);
        adds[k] = ffi_impl_wrap_new(b->impl, add);
        vars[k] = PyObject_GetAttr(adds[k], name);   /* every handle live and cached */
        order[k] = (uint32_t)k;
    }
    for (size_t k = n - 1; k > 0; k--) {   /* Fisher-Yates with an LCG */
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)(seed >> 33) % (k + 1);
        uint32_t t = order[k];
        order[k] = order[j], order[j] = t;
    }
    size_t at = 0;
    int64_t batch;
    while ((batch = gb_keep_running_batch(s, 1000)) > 0)
        for (int64_t k = 0; k < batch; k++) {
            Py_DECREF(PyObject_GetAttr(adds[order[at]], name));
            if (++at == n)
                at = 0;
        }
    gb_counter(s, "live_handles", (double)n, GB_COUNTER_PLAIN);
    for (size_t k = 0; k < n; k++) {
        Py_DECREF(vars[k]);
        Py_DECREF(adds[k]);
    }
    free(adds), free(vars), free(order);
}

void bench_register_scaling(const bench_impl *b)
{
    static const long full[] = {100, 1000, 10000, 100000, 1000000, 0};
    static const long quick[] = {100, 10000, 0};
    /* A fixed count: letting the library search for one would repeat the
     * set-up of up to a million handles for every trial. */
    for (const long *n = bench_cfg.quick ? quick : full; *n; n++)
        bench_add("scaling", b, *n, scaling, bench_cfg.quick ? 200000 : 2000000);
}
