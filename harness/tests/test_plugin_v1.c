/* Plug-ins built against strategy ABI v1 (harness/tests/plugins/v1, with
 * their own frozen copy of the v1 header): the previous template loads
 * unchanged and works. Its own process, as its strategy has the name the
 * current template has. */
#include "../embed.h"
#include "plugin_test.h"
#include "tap.h"

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_plan(2);
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = ffi ? PyObject_CallMethod(ffi, "load_strategy", "s", plugin_path("v1/my_strategy.so")) : NULL;
    if (!names)
        PyErr_Print();
    tap_ok(plugin_names_are(names, "direct-mapped"),
           "the ABI v1 template, built against the frozen v1 header, loads as direct-mapped+node and +graph");
    tap_ok(names && plugin_identity_holds(ffi, "direct-mapped+node"),
           "through it, Add(v, v).a is v and is stable (I1, I3)");
    Py_XDECREF(names);
    Py_XDECREF(ffi);
    int rc = tap_done();
    ffi_embed_stop();
    return rc;
}
