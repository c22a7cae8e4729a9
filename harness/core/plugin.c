/* Out-of-tree strategies; see plugin.h. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "plugin.h"

const ffi_strategy *ffi_plugin_open(const char *path)
{
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!so)
        return PyErr_Format(PyExc_ImportError, "cannot load strategy %s: %s", path, dlerror()), NULL;
    ffi_strategy_entry_fn entry = (ffi_strategy_entry_fn)dlsym(so, "ffi_strategy_entry");
    if (!entry)
        return PyErr_Format(PyExc_ImportError,
                            "%s is not a strategy: it does not export ffi_strategy_entry() "
                            "(see harness/strategies/template/README.md)", path), NULL;
    const ffi_strategy *s = entry();
    if (!s)
        return PyErr_Format(PyExc_ImportError, "%s: ffi_strategy_entry() returned NULL", path), NULL;
    char why[256];
    if (ffi_strategy_check(s, why, sizeof why) < 0)
        return PyErr_Format(PyExc_ImportError, "%s %s", path, why), NULL;
    /* The same file again is harmless (dlopen gives the same table); another
     * table under a name already taken would silently get the first one's
     * subjects. */
    static const ffi_style styles[] = {FFI_STYLE_NODE, FFI_STYLE_GRAPH};
    for (int k = 0; k < 2; k++) {
        char name[sizeof ((ffi_binding *)0)->name];
        snprintf(name, sizeof name, "%s+%s", s->name, ffi_style_name(styles[k]));
        ffi_binding *taken = ffi_binding_find(name);
        if (taken && taken->source != s)
            return PyErr_Format(PyExc_ImportError,
                                "%s: subject %s is already loaded from another strategy table "
                                "(a built-in one or another file): rename the strategy", path, name),
                   NULL;
    }
    return s;   /* the library stays loaded: its code runs until exit */
}
