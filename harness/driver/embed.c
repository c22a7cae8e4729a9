/* Embedded interpreter start-up; see embed.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "embed.h"

#ifndef FFI_DEFAULT_PYTHON
#define FFI_DEFAULT_PYTHON "/usr/bin/python3"
#endif

PyMODINIT_FUNC PyInit_ffi_identity(void);

int ffi_embed_env_path_add(const char *var, const char *entry, int first)
{
    const char *old = getenv(var);
    int has_old = old && *old;
    size_t len = strlen(entry) + (has_old ? strlen(old) + 1 : 0) + 1;
    char *joined = malloc(len);
    if (!joined)
        return -1;
    if (!has_old)
        snprintf(joined, len, "%s", entry);
    else if (first)
        snprintf(joined, len, "%s:%s", entry, old);
    else
        snprintf(joined, len, "%s:%s", old, entry);
    int rc = setenv(var, joined, 1);
    free(joined);
    return rc;
}

/* The directory of this executable, where the extension module is built;
 * 0, or -1 when it cannot be read. */
static int own_dir(char *dir, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    if (len <= 0)
        return -1;
    dir[len] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

static void add_own_dir_to_pythonpath(void)
{
    char dir[PATH_MAX];
    if (own_dir(dir, sizeof dir) == 0)
        ffi_embed_env_path_add("PYTHONPATH", dir, 1);
}

/* A counted process (FFI_COUNTING, set by harness/report/instructions.py)
 * runs its benchmarks in a heap that must not depend on how many files the
 * directories on sys.path hold. The import system lists each directory it
 * searches and keeps every name it read; so, counting, each directory's
 * finder looks up the candidate files of a module instead, and our own
 * directory joins sys.path only once that finder is in place (on
 * PYTHONPATH, the interpreter's start would list it). The site module
 * would list the site directories for .pth files, and run what a machine's
 * .pth files say: the process starts without it and adds the site
 * directories itself. */
static const char unlisted_finder[] =
    "import sys, importlib.machinery as m, importlib._bootstrap_external as b\n"
    "class AnyName:\n"
    "    def __contains__(self, name): return True\n"
    "class UnlistedFinder(m.FileFinder):\n"
    "    def _fill_cache(self):\n"
    "        self._path_cache = self._relaxed_path_cache = AnyName()\n"
    "sys.path_hooks[-1] = UnlistedFinder.path_hook(*b._get_supported_file_loaders())\n"
    "sys.path_importer_cache.clear()\n"
    "import os, site\n"
    "sys.path += [d for d in site.getsitepackages() if os.path.isdir(d)]\n";

static int counting(void)
{
    const char *v = getenv("FFI_COUNTING");
    return v && *v;
}

/* pymalloc's free asks whether a block is its own by comparing the
 * block's offset with where its arena starts within an arena-sized span:
 * one comparison when the arena starts on such a boundary, one or two by
 * the block's place otherwise. Where each arena's mapping starts follows
 * everything mapped before it, so a counted process takes its arenas
 * aligned to their size: every free then costs the same. */
static void *aligned_arena(void *ctx, size_t size)
{
    (void)ctx;
    char *p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    char *start = (char *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
    if (start > p)
        munmap(p, (size_t)(start - p));
    munmap(start + size, (size_t)(p + 2 * size - (start + size)));
    return start;
}

static void free_arena(void *ctx, void *p, size_t size)
{
    (void)ctx;
    munmap(p, size);
}

int ffi_embed_start(const char *argv0)
{
    const char *python = getenv("FFI_PYTHON");
    if (!python || !*python)
        python = FFI_DEFAULT_PYTHON;
    if (!counting())
        add_own_dir_to_pythonpath();
    if (PyImport_AppendInittab("ffi_identity", PyInit_ffi_identity) < 0) {
        fprintf(stderr, "%s: cannot register the ffi_identity module\n", argv0);
        return -1;
    }
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;   /* the harness owns SIGALRM/SIGINT */
    if (counting()) {
        config.site_import = 0;
        PyObjectArenaAllocator arenas = {NULL, aligned_arena, free_arena};
        PyObject_SetArenaAllocator(&arenas);
    }
    PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, python);
    if (!PyStatus_Exception(st))
        st = PyConfig_SetBytesString(&config, &config.executable, python);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        fprintf(stderr, "%s: cannot start Python (%s): %s\n", argv0, python,
                st.err_msg ? st.err_msg : "unknown error");
        return -1;
    }
    if (counting()) {
        add_own_dir_to_pythonpath();   /* for the processes it starts */
        char dir[PATH_MAX];
        PyObject *path = PySys_GetObject("path");
        PyObject *entry = own_dir(dir, sizeof dir) == 0 ? PyUnicode_FromString(dir) : NULL;
        int failed = !path || !entry || PyRun_SimpleString(unlisted_finder) < 0 || PyList_Insert(path, 0, entry) < 0;
        Py_XDECREF(entry);
        if (failed) {
            fprintf(stderr, "%s: cannot set up the imports of a counted process\n", argv0);
            return -1;
        }
    }
    return 0;
}

int ffi_embed_stop(void) { return Py_FinalizeEx(); }

PyObject *ffi_embed_adapter_names(void)
{
    /* Importing ffi_identity is what puts harness/subjects on sys.path. */
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *registry = ffi ? PyImport_ImportModule("ffi_adapters") : NULL;
    PyObject *names = registry ? PyObject_CallMethod(registry, "names", NULL) : NULL;
    Py_XDECREF(registry), Py_XDECREF(ffi);
    return names;
}

int ffi_embed_has_name(PyObject *names, const char *name)
{
    PyObject *s = names ? PyUnicode_FromString(name) : NULL;
    int yes = s && PySequence_Contains(names, s) == 1;
    Py_XDECREF(s);
    PyErr_Clear();
    return yes;
}

int ffi_embed_unavailable(PyObject *ns, char *why, size_t n)
{
    PyObject *r = PyObject_HasAttrString(ns, "available") ? PyObject_CallMethod(ns, "available", NULL) : NULL;
    int missing = 0;
    if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2 && PyObject_IsTrue(PyTuple_GET_ITEM(r, 0)) == 0) {
        PyObject *reason = PyObject_Str(PyTuple_GET_ITEM(r, 1));
        snprintf(why, n, "%s", reason ? PyUnicode_AsUTF8(reason) : "not available");
        Py_XDECREF(reason);
        missing = 1;
    }
    Py_XDECREF(r);
    PyErr_Clear();
    return missing;
}
