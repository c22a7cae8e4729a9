/* Out-of-tree strategies of the current ABI: the template loads and works,
 * a table with only name and wrap gets the defaults, a longer table (from a
 * newer header) loads, init and fini run once per subject (fini at
 * the end of Py_FinalizeEx); a wrong or too new ABI, a too small table, a missing
 * wrap or entry point and a second table under a taken name are refused
 * with messages that say what is wrong. Plug-ins of ABI v1: test_plugin_v1. */
#include <string.h>

#include "driver/embed.h"
#include "strategy.h"
#include "plugin_test.h"
#include "tap.h"

static void refused(PyObject *ffi, const char *name, const char *says, const char *what)
{
    char msg[512];
    plugin_load_error(ffi, name, msg, sizeof msg);
    tap_ok(strstr(msg, says) && strstr(msg, name), "%s is refused: %s", what, msg[0] ? msg : "(it loaded)");
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_plan(16);
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = plugin_load(ffi, "my_strategy.so");
    tap_ok(plugin_names_are(names, "direct-mapped"), "the template loads as direct-mapped+node and direct-mapped+graph");
    tap_ok(names && plugin_identity_holds(ffi, "direct-mapped+node"),
           "through it, Add(v, v).a is v and is stable (I1, I3)");
    PyObject *again = names ? PyObject_CallMethod(ffi, "load_strategy", "s", plugin_path("my_strategy.so")) : NULL;
    tap_ok(again && names && PyObject_RichCompareBool(again, names, Py_EQ) == 1,
           "loading it again is harmless: the same subjects come back");
    PyErr_Clear();
    Py_XDECREF(again);
    Py_XDECREF(names);
    char undefined[512];
    int nm = plugin_harness_symbols(plugin_path("my_strategy.so"), undefined, sizeof undefined);
    tap_ok(nm == 0 && !undefined[0], "the template needs no harness symbol at link time (nm: %s)",
           nm < 0 ? "could not run" : undefined[0] ? undefined : "no ffi_* undefined");

    names = plugin_load(ffi, "case-minimal.so");
    tap_ok(plugin_names_are(names, "case-minimal"), "a table with only name and wrap (every optional hook NULL) loads");
    tap_ok(names && plugin_defaults_hold(ffi, "case-minimal+node"),
           "through it, wrapping works and the cache reports 0 entries and 0 bytes (the defaults)");
    Py_XDECREF(names);
    names = plugin_load(ffi, "case-longer.so");
    tap_ok(plugin_names_are(names, "case-longer"),
           "a table whose struct_size is longer than this harness knows (a newer header) loads");
    Py_XDECREF(names);
    names = plugin_load(ffi, "case-lifecycle.so");
    int *inits = plugin_symbol("case-lifecycle.so", "case_inits");
    uint32_t *version = plugin_symbol("case-lifecycle.so", "case_host_version");
    uint32_t *size = plugin_symbol("case-lifecycle.so", "case_host_size");
    tap_ok(names && inits && *inits == 2, "init runs once per subject (+node, +graph): %d",
           inits ? *inits : -1);
    tap_ok(version && size && *version == FFI_STRATEGY_ABI && *size == sizeof(ffi_host),
           "the host table a v%d strategy gets starts with the harness's version and size (%u, %u)",
           FFI_STRATEGY_ABI, version ? *version : 0, size ? *size : 0);
    Py_XDECREF(names);

    refused(ffi, "bad_abi.so", "was built for strategy ABI 99", "a wrong ABI version");
    char too_new[64];
    snprintf(too_new, sizeof too_new, "was built for strategy ABI %d", FFI_STRATEGY_ABI + 1);
    refused(ffi, "case-too-new.so", too_new, "an ABI version newer than the harness's");
    refused(ffi, "case-too-small.so", "has struct_size", "a struct_size short of the version's fields");
    refused(ffi, "case-no-wrap.so", "lacks wrap", "a table without wrap");
    refused(ffi, "no_entry.so", "ffi_strategy_entry", "a missing entry point");
    refused(ffi, "v1/my_strategy.so", "already loaded from another strategy table",
            "another table under a name already loaded (the v1 template is direct-mapped too)");
    Py_XDECREF(ffi);
    ffi_embed_stop();
    int *finis = plugin_symbol("case-lifecycle.so", "case_finis");
    tap_ok(finis && *finis == 2, "after Py_FinalizeEx, fini has run once per subject: %d",
           finis ? *finis : -1);
    return tap_done();
}
