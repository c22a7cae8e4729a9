/* Open-addressing handle map; see handle_map.h. */
#include "handle_map.h"

#include "strategy.h"

/* Tables come from PyMem_Raw*, which needs no GIL and which tracemalloc
 * sees, so a strategy's footprint shows up in Python's accounting. */

#define MIN_CAP 64

int ffi_map_init(ffi_map *m)
{
    m->slots = PyMem_RawCalloc(MIN_CAP, sizeof *m->slots);
    m->cap = MIN_CAP;
    m->len = 0;
    return m->slots ? 0 : -1;
}

void ffi_map_fini(ffi_map *m)
{
    PyMem_RawFree(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}

static size_t home(const ffi_map *m, ffi_handle h) { return ffi_handle_hash(h) & (m->cap - 1); }

static ffi_map_entry *find(const ffi_map *m, ffi_handle h)
{
    for (size_t i = home(m, h);; i = (i + 1) & (m->cap - 1)) {
        ffi_map_entry *e = &m->slots[i];
        if (!e->addr)
            return NULL;
        if (e->addr == h.addr && e->kind == h.kind)
            return e;
    }
}

void *ffi_map_get(const ffi_map *m, ffi_handle h)
{
    ffi_map_entry *e = find(m, h);
    return e ? e->value : NULL;
}

static void place(ffi_map *m, ffi_map_entry e)
{
    ffi_handle h = {e.addr, e.kind};
    size_t i = home(m, h);
    while (m->slots[i].addr)
        i = (i + 1) & (m->cap - 1);
    m->slots[i] = e;
}

static int resize(ffi_map *m, size_t cap)
{
    ffi_map old = *m;
    m->slots = PyMem_RawCalloc(cap, sizeof *m->slots);
    if (!m->slots) {
        *m = old;
        return -1;
    }
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].addr)
            place(m, old.slots[i]);
    PyMem_RawFree(old.slots);
    return 0;
}

int ffi_map_put(ffi_map *m, ffi_handle h, void *value)
{
    ffi_map_entry *e = find(m, h);
    if (e) {
        e->value = value;
        return 0;
    }
    if ((m->len + 1) * 10 > m->cap * 7 && resize(m, m->cap * 2) < 0)   /* load factor 0.7 */
        return -1;
    place(m, (ffi_map_entry){h.addr, h.kind, value});
    m->len++;
    return 0;
}

void *ffi_map_remove(ffi_map *m, ffi_handle h)
{
    ffi_map_entry *e = find(m, h);
    if (!e)
        return NULL;
    void *old = e->value;
    size_t mask = m->cap - 1, hole = (size_t)(e - m->slots);
    /* Backward shift: pull later entries of the run into the hole when
     * their home position allows it. */
    for (size_t i = (hole + 1) & mask; m->slots[i].addr; i = (i + 1) & mask) {
        ffi_handle hi = {m->slots[i].addr, m->slots[i].kind};
        size_t want = home(m, hi);
        if (((i - want) & mask) >= ((i - hole) & mask)) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    m->slots[hole] = (ffi_map_entry){0};
    m->len--;
    if (m->cap > MIN_CAP && m->len * 8 < m->cap)
        resize(m, m->cap / 2);   /* on failure keep the bigger table */
    return old;
}

size_t ffi_map_bytes(const ffi_map *m) { return m->cap * sizeof *m->slots; }

int ffi_map_strategy_init(ffi_cache *c)
{
    ffi_map *m = PyMem_RawMalloc(sizeof *m);
    if (!m || ffi_map_init(m) < 0) {
        PyMem_RawFree(m);
        PyErr_NoMemory();
        return -1;
    }
    c->state = m;
    return 0;
}

void ffi_map_strategy_fini(ffi_cache *c)
{
    if (c->state)
        ffi_map_fini(c->state);
    PyMem_RawFree(c->state);
    c->state = NULL;
}

size_t ffi_map_strategy_bytes(ffi_cache *c) { return sizeof(ffi_map) + ffi_map_bytes(c->state); }
size_t ffi_map_strategy_entries(ffi_cache *c) { return ((ffi_map *)c->state)->len; }

PyObject *ffi_map_find_or_new(ffi_cache *c, ffi_handle h, ffi_handle key, int recheck, int *fresh)
{
    ffi_map *m = c->state;
    PyObject *w = ffi_map_get(m, key);
    *fresh = 0;
    if (w)
        return Py_NewRef(w);
    w = ffi_cache_new_wrapper(c, h);
    if (!w)
        return NULL;
    PyObject *raced = recheck ? ffi_map_get(m, key) : NULL;
    if (raced) {
        Py_DECREF(w);
        return Py_NewRef(raced);
    }
    *fresh = 1;
    return w;
}

PyObject *ffi_map_lookup_or_wrap(ffi_cache *c, ffi_handle h, ffi_handle key, int recheck)
{
    int fresh;
    PyObject *w = ffi_map_find_or_new(c, h, key, recheck, &fresh);
    if (!w || !fresh)
        return w;
    if (ffi_map_put(c->state, key, w) < 0) {
        Py_DECREF(w);
        return PyErr_NoMemory();
    }
    return w;
}

void ffi_map_forget(ffi_cache *c, PyObject *w, ffi_handle key)
{
    ffi_map *m = c->state;
    if (ffi_map_get(m, key) == w)
        ffi_map_remove(m, key);
}
