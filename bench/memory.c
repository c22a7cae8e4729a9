/* Allocation counting: hooks over CPython's MEM and OBJ allocator domains
 * that count calls and requested bytes and forward to the original
 * allocator (so they can be installed and removed at any time), plus the
 * native allocator's own counters. They run only around an untimed pass of
 * their own (bench_count_allocs), never under Google Benchmark's
 * MemoryManager, whose figures 1.7.1 corrupts with repetitions. */
#include "bench.h"

static PyMemAllocatorEx original[2];
static PyMemAllocatorEx hooked[2];
static int64_t py_allocs, py_bytes;
static int counting;

static void *hook_malloc(void *ctx, size_t n)
{
    PyMemAllocatorEx *o = ctx;
    py_allocs++, py_bytes += (int64_t)n;
    return o->malloc(o->ctx, n);
}

static void *hook_calloc(void *ctx, size_t k, size_t n)
{
    PyMemAllocatorEx *o = ctx;
    py_allocs++, py_bytes += (int64_t)(k * n);
    return o->calloc(o->ctx, k, n);
}

static void *hook_realloc(void *ctx, void *p, size_t n)
{
    PyMemAllocatorEx *o = ctx;
    py_allocs++, py_bytes += (int64_t)n;
    return o->realloc(o->ctx, p, n);
}

static void hook_free(void *ctx, void *p)
{
    PyMemAllocatorEx *o = ctx;
    o->free(o->ctx, p);
}

void bench_alloc_counting(int on)
{
    static const PyMemAllocatorDomain domains[2] = {PYMEM_DOMAIN_MEM, PYMEM_DOMAIN_OBJ};
    if (on == counting)
        return;
    counting = on;
    for (int d = 0; d < 2; d++) {
        if (on) {
            PyMem_GetAllocator(domains[d], &original[d]);
            hooked[d] = (PyMemAllocatorEx){&original[d], hook_malloc, hook_calloc, hook_realloc, hook_free};
            PyMem_SetAllocator(domains[d], &hooked[d]);
        } else {
            PyMem_SetAllocator(domains[d], &original[d]);
        }
    }
}

alloc_count bench_alloc_now(void)
{
    ffi_native_heap n = ffi_native_heap_now();
    return (alloc_count){py_allocs + n.total_allocs, py_bytes + n.total_bytes};
}

void bench_count_allocs(gb_state *s, void (*body)(void *), void *arg, int n)
{
    bench_alloc_counting(1);
    alloc_count a = bench_alloc_now();
    for (int k = 0; k < n; k++)
        body(arg);
    alloc_count b = bench_alloc_now();
    bench_alloc_counting(0);
    gb_counter(s, "allocs_per_access", (double)(b.allocs - a.allocs) / n, GB_COUNTER_PLAIN);
    gb_counter(s, "bytes_per_access", (double)(b.bytes - a.bytes) / n, GB_COUNTER_PLAIN);
}

PyObject *bench_name(const char *s) { return PyUnicode_InternFromString(s); }
