/* weakdict: a Python dict from handle to a weak reference, as a pure-Python
 * cache built on weakref.WeakValueDictionary would be. The entry goes when
 * the wrapper dies (here from the dealloc hook rather than a weakref
 * callback: same lifetime, one fewer Python call). Costs a dict slot, an int
 * key and a weakref object per live handle. */
#include "core/builtin.h"

/* Addresses are 16-byte aligned, so the kind fits in the low bits. */
static PyObject *key_of(ffi_handle h)
{
    return PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)h.addr | h.kind);
}

static int weakdict_init(ffi_cache *c)
{
    c->state = PyDict_New();
    return c->state ? 0 : -1;
}

/* The live wrapper the dict holds for key, borrowed, or NULL. */
static PyObject *lookup(PyObject *dict, PyObject *key)
{
    PyObject *ref = PyDict_GetItemWithError(dict, key);
    if (!ref)
        return NULL;
    PyObject *w = PyWeakref_GET_OBJECT(ref);
    return w == Py_None ? NULL : w;
}

static PyObject *weakdict_wrap(ffi_cache *c, ffi_handle h)
{
    PyObject *key = key_of(h);
    if (!key)
        return NULL;
    PyObject *w = lookup(c->state, key);
    if (w || PyErr_Occurred()) {
        Py_DECREF(key);
        return Py_XNewRef(w);
    }
    w = ffi_cache_new_wrapper(c, h);
    PyObject *raced = w ? lookup(c->state, key) : NULL;
    if (raced) {
        Py_DECREF(w);
        Py_DECREF(key);
        return Py_NewRef(raced);
    }
    PyObject *ref = w ? PyWeakref_NewRef(w, NULL) : NULL;
    if (!ref || PyDict_SetItem(c->state, key, ref) < 0) {
        Py_XDECREF(w);
        w = NULL;
    }
    Py_XDECREF(ref);
    Py_DECREF(key);
    return w;
}

static void weakdict_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);   /* dealloc may run while an error is set */
    PyObject *key = key_of(h);
    /* The referent's refcount is 0 here, so PyWeakref_GET_OBJECT would say
     * None: compare the raw referent. The cycle GC clears weakrefs before it
     * deallocates, so a dead entry is this wrapper's too: drop it as well. */
    PyObject *ref = key ? PyDict_GetItemWithError(c->state, key) : NULL;
    PyObject *referent = ref ? ((PyWeakReference *)ref)->wr_object : NULL;
    if (ref && (referent == w || referent == Py_None))
        PyDict_DelItem(c->state, key);
    Py_XDECREF(key);
    PyErr_Restore(type, value, tb);
}

static size_t weakdict_entries(ffi_cache *c) { return (size_t)PyDict_GET_SIZE(c->state); }

static size_t weakdict_bytes(ffi_cache *c)
{
    PyObject *size = PyObject_CallMethod(c->state, "__sizeof__", NULL);
    size_t dict = size ? PyLong_AsSize_t(size) : 0;
    Py_XDECREF(size);
    PyErr_Clear();
    /* Per entry: the weakref object and the int key (a one-digit int is
     * 32 bytes in CPython 3.11's layout, a two-digit one 32 too). */
    size_t per = sizeof(PyWeakReference) + 32;
    return dict + weakdict_entries(c) * per;
}

const ffi_strategy ffi_strategy_weakdict = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "weakdict",
    .summary = "dict handle->weakref, like a WeakValueDictionary cache in Python",
    .init = weakdict_init,
    /* No fini: it runs after the interpreter is finalized, when the dict,
     * a Python object, is no longer ours to release. */
    .wrap = weakdict_wrap,
    .wrapper_dealloc = weakdict_wrapper_dealloc,
    .bytes_used = weakdict_bytes,
    .entries_live = weakdict_entries,
};

FFI_BUILTIN(ffi_strategy_weakdict, FFI_BUILTIN_BOTH, 0, 20);
