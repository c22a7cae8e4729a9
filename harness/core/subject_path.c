/* The subject loader's directory on the import paths; see subject_path.h.
 * FFI_SUBJECTS_SOURCE_DIR is set by subjects.mk. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "subject_path.h"

#ifdef FFI_SUBJECTS_SOURCE_DIR
static int in_path_list(const char *list, const char *dir)
{
    size_t n = strlen(dir);
    for (const char *p = list; p && *p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL)
        if (strncmp(p, dir, n) == 0 && (p[n] == ':' || p[n] == '\0'))
            return 1;
    return 0;
}

int ffi_subject_path_add(void)
{
    PyObject *sys_path = PySys_GetObject("path");   /* borrowed */
    PyObject *dir = PyUnicode_FromString(FFI_SUBJECTS_SOURCE_DIR);
    int has = sys_path && dir ? PySequence_Contains(sys_path, dir) : -1;
    int rc = has < 0 ? -1 : has ? 0 : PyList_Append(sys_path, dir);
    Py_XDECREF(dir);
    const char *old = getenv("PYTHONPATH");
    if (rc < 0 || in_path_list(old, FFI_SUBJECTS_SOURCE_DIR))
        return rc;
    /* Through os.environ, so Python's view and the C environment agree. */
    PyObject *value = PyUnicode_FromFormat("%s%s%s", old && *old ? old : "", old && *old ? ":" : "",
                                           FFI_SUBJECTS_SOURCE_DIR);
    PyObject *os = value ? PyImport_ImportModule("os") : NULL;
    PyObject *environ = os ? PyObject_GetAttrString(os, "environ") : NULL;
    rc = environ ? PyMapping_SetItemString(environ, "PYTHONPATH", value) : -1;
    Py_XDECREF(environ), Py_XDECREF(os), Py_XDECREF(value);
    return rc;
}
#else
int ffi_subject_path_add(void) { return 0; }
#endif
