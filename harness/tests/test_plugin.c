/* Out-of-tree strategies: the template loads and works; a wrong ABI and a
 * missing entry point are refused with messages that say what is wrong. */
#include <string.h>

#include "../embed.h"
#include "plugin_test.h"
#include "tap.h"

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_plan(6);
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = ffi ? PyObject_CallMethod(ffi, "load_strategy", "s", plugin_path("my_strategy.so")) : NULL;
    if (!names)
        PyErr_Print();
    tap_ok(plugin_names_are(names, "direct-mapped"), "the template loads as direct-mapped+node and direct-mapped+graph");
    tap_ok(names && plugin_identity_holds(ffi, "direct-mapped+node"),
           "through it, Add(v, v).a is v and is stable (I1, I3)");
    PyObject *again = names ? PyObject_CallMethod(ffi, "load_strategy", "s", plugin_path("my_strategy.so")) : NULL;
    tap_ok(again && names && PyObject_RichCompareBool(again, names, Py_EQ) == 1,
           "loading it again is harmless: the same implementations come back");
    PyErr_Clear();
    Py_XDECREF(again);
    char msg[512];
    plugin_load_error(ffi, "bad_abi.so", msg, sizeof msg);
    tap_ok(strstr(msg, "ABI 99") && strstr(msg, "bad_abi.so"), "a wrong ABI version is refused: %s", msg);
    plugin_load_error(ffi, "no_entry.so", msg, sizeof msg);
    tap_ok(strstr(msg, "ffi_strategy_entry") && strstr(msg, "no_entry.so"),
           "a missing entry point is refused: %s", msg);
    char undefined[512];
    int nm = plugin_harness_symbols(plugin_path("my_strategy.so"), undefined, sizeof undefined);
    tap_ok(nm == 0 && !undefined[0], "the template needs no harness symbol at link time (nm: %s)",
           nm < 0 ? "could not run" : undefined[0] ? undefined : "no ffi_* undefined");
    Py_XDECREF(names);
    Py_XDECREF(ffi);
    int rc = tap_done();
    ffi_embed_stop();
    return rc;
}
