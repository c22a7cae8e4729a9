/* Sub-interpreters, catalogue v2: X1. Through what Python 3.11 offers:
 * _xxsubinterpreters, a legacy (not isolated) sub-interpreter sharing the
 * GIL, which allows fork and subprocess as the adapters need. The subject
 * is loaded again inside it by name; a subject that cannot be loaded there
 * (an extension module that refuses a second interpreter) is a skip with
 * its own words. The checks are Python, run as module cf_interpreters;
 * the sub-interpreter's part reports by raising, which run_string turns
 * into RunFailedError("<class 'T'>: message"). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../cf.h"
#include "driver/child.h"
#include "driver/subject.h"

/* A tool that deadlocks in a sub-interpreter (PyGILState_* assume one
 * interpreter) would hold the runner's watchdog for 20 s: the check runs in
 * a child of its own, bounded more tightly, and says what it was doing. */
enum { X1_SECONDS = 2, STAGE_BYTES = 256 };

static const char interpreters_src[] =
    "import gc, re, sys\n"
    "\n"
    "SHARED = 'x1-shared'   # an interned name both interpreters reach: one native\n"
    "\n"
    "SUB = '''\n"
    "import gc, os, sys\n"
    "def stage(what):\n"
    "    os.pwrite({fd}, ('in the sub-interpreter, ' + what).encode()[:{size} - 1].ljust({size}, bytes(1)), 0)\n"
    "sys.path[:] = {paths!r}\n"
    "stage('importing ffi_identity')\n"
    "import ffi_identity\n"
    "stage('loading {name}')\n"
    "try:\n"
    "    if {adapter!r}:\n"
    "        import ffi_adapters\n"
    "        ns = ffi_adapters.load({name!r})\n"
    "        ok, why = ns.available()\n"
    "    else:\n"
    "        ns, ok = ffi_identity.load({name!r}), True\n"
    "except ImportError as e:   # a refusal: the subject cannot live here\n"
    "    raise ImportError(f'loading {name} raised {{type(e).__name__}}: {{e}}')\n"
    "except Exception as e:     # anything else is breakage\n"
    "    raise RuntimeError(f'loading {name} raised {{type(e).__name__}}: {{e}}')\n"
    "if not ok:\n"
    "    raise ImportError(f'{name} is not available there: {{why}}')\n"
    "Var = ns.Var\n"
    "if id(Var) == {main_var}:\n"
    "    raise AssertionError(\"its ns.Var is the main interpreter's class object: the interpreters share \"\n"
    "                         'classes, and so wrappers')\n"
    "stage('making a Var and an Add')\n"
    "v = ns.Var('x1-sub')\n"
    "add = ns.Add(v, v)\n"
    "if type(v) is not ns.Var or type(add.a) is not ns.Var:\n"
    "    raise AssertionError(f'its Var(...) and Add(v, v).a are {{type(v)}} and {{type(add.a)}}, not its ns.Var')\n"
    "if {shared!r}:\n"
    "    stage('interning the shared name')\n"
    "    kept = ns.intern({shared!r})   # alive until the interpreter ends\n"
    "    if type(kept) is not ns.Var:\n"
    "        raise AssertionError(f'the native both interpreters interned reads here as a {{type(kept)}} of '\n"
    "                             \"the main interpreter's, not a wrapper of this interpreter's class\")\n"
    "stage('dropping its objects')\n"
    "del v, add\n"
    "gc.collect()\n"
    "'''\n"
    "\n"
    "def x1(ns, adapter, fd, size):\n"
    "    import os\n"
    "    def stage(what):\n"
    "        os.pwrite(fd, what.encode()[:size - 1].ljust(size, bytes(1)), 0)\n"
    "    try:\n"
    "        import _xxsubinterpreters as interpreters\n"
    "    except ImportError as e:\n"
    "        return ('skip', f'this Python offers no sub-interpreters to Python code: {e}')\n"
    "    shared = SHARED if 'intern' in ns.features else ''\n"
    "    v = ns.Var('x1-main')\n"
    "    add = ns.Add(v, v)\n"
    "    k = ns.intern(SHARED) if shared else None\n"
    "    code = SUB.format(paths=sys.path, adapter=adapter, name=ns.name, main_var=id(ns.Var), shared=shared,\n"
    "                      fd=fd, size=size)\n"
    "    stage('creating a sub-interpreter')\n"
    "    interp = interpreters.create(isolated=False)\n"
    "    failed = None\n"
    "    try:\n"
    "        stage('running code in the sub-interpreter')\n"
    "        interpreters.run_string(interp, code)\n"
    "    except interpreters.RunFailedError as e:\n"
    "        failed = str(e)\n"
    "    finally:\n"
    "        stage('ending the sub-interpreter')\n"
    "        interpreters.destroy(interp)\n"
    "    if failed:\n"
    "        m = re.match(r\"<class '([\\w.]+)'>: (.*)\", failed, re.S)\n"
    "        kind, msg = m.groups() if m else ('?', failed)\n"
    "        msg = ''.join(c if c.isprintable() else '?' for c in msg)   # a broken tool's message may be garbage\n"
    "        if kind == 'ImportError':\n"
    "            return ('skip', f'cannot run in a sub-interpreter: {msg}')\n"
    "        return ('fail', f'in a sub-interpreter: {msg}' if kind in ('AssertionError', 'RuntimeError') else\n"
    "                        f'in a sub-interpreter, {kind}: {msg}')\n"
    "    # the sub-interpreter ended: the main one's wrappers and classes must still work\n"
    "    stage(\"using the main interpreter's wrappers after the sub-interpreter ended\")\n"
    "    gc.collect()\n"
    "    try:\n"
    "        name, x, made = v.name, add.a, ns.Var('x1-after')\n"
    "    except Exception as e:\n"
    "        return ('fail', f'after a sub-interpreter that loaded the subject ended, using the main '\n"
    "                        f\"interpreter's wrappers raised {type(e).__name__}: {e}\")\n"
    "    for what, got in (('Add(v, v).a', x), ('a new Var', made)):\n"
    "        if type(got) is not ns.Var:\n"
    "            return ('fail', f'after a sub-interpreter that loaded the subject ended, {what} in the main '\n"
    "                            f\"interpreter is a {type(got)} (id {id(type(got)):#x}), not the main \"\n"
    "                            f\"interpreter's ns.Var (id {id(ns.Var):#x})\")\n"
    "    if name != 'x1-main' or not ns.same_as(x, v):\n"
    "        return ('fail', \"after a sub-interpreter that loaded the subject ended, the main interpreter's \"\n"
    "                        'v.name or Add(v, v).a is no longer what it was')\n"
    "    if shared:\n"
    "        again = ns.intern(SHARED)\n"
    "        if type(again) is not ns.Var or not ns.same_as(again, k):\n"
    "            return ('fail', f'after the sub-interpreter ended, the native both interned reads in the main '\n"
    "                            f\"interpreter as a {type(again)}, not the main interpreter's Var of it\")\n"
    "    return None\n";

/* A page shared with the child and with its sub-interpreter (through a
 * memfd both write with os.pwrite): what the check is doing. */
static int stage_fd = -1;

typedef struct x1_report { cf_status status; char reason[sizeof ((cf_ctx *)0)->reason]; } x1_report;

static void x1_child(void *arg, int fd)
{
    cf_ctx *ctx = arg;
    x1_report r = {CF_FAIL, ""};
    PyObject *args = Py_BuildValue("(Oii)", ctx->builtin ? Py_False : Py_True, stage_fd,
                                   (int)STAGE_BYTES);
    r.status = args ? cf_python_check(ctx, "cf_interpreters", interpreters_src, "x1", args)
                    : cf_error(ctx, "building the arguments");
    Py_XDECREF(args);
    memcpy(r.reason, ctx->reason, sizeof r.reason);
    _exit(write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 3);
}

static cf_status x1_run(cf_ctx *ctx)
{
    stage_fd = memfd_create("x1-stage", MFD_CLOEXEC);
    char *stage = stage_fd >= 0 && ftruncate(stage_fd, STAGE_BYTES) == 0
                      ? mmap(NULL, STAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, stage_fd, 0) : MAP_FAILED;
    if (stage == MAP_FAILED) {
        if (stage_fd >= 0)
            close(stage_fd);
        return cf_fail(ctx, "a memfd for the check's stage: %s", strerror(errno));
    }
    snprintf(stage, STAGE_BYTES, "starting");
    ffi_child c;
    if (ffi_child_start(&c, x1_child, ctx) < 0) {
        munmap(stage, STAGE_BYTES);
        close(stage_fd);
        return cf_fail(ctx, "fork: %s", strerror(errno));
    }
    x1_report r;
    int timed_out;
    size_t got = ffi_child_read(&c, &r, sizeof r, X1_SECONDS, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    cf_status st;
    if (got == sizeof r) {
        memcpy(ctx->reason, r.reason, sizeof ctx->reason);
        st = r.status;
    } else {
        char why[200];
        ffi_child_describe(status, timed_out, X1_SECONDS, why, sizeof why);
        stage[STAGE_BYTES - 1] = '\0';
        st = cf_fail(ctx, "%s, %s", why, stage);
    }
    munmap(stage, STAGE_BYTES);
    close(stage_fd);
    return st;
}

const cf_property cf_X1 = {"X1", "sub-interpreters",
    "a sub-interpreter (_xxsubinterpreters) loads the subject: its classes are not the main "
    "interpreter's and its wrappers are of its classes, also of a native both reach (a Var both "
    "intern, where the subject interns); after it ends, the main interpreter's wrappers and classes "
    "work and that native reads back as the main interpreter's Var",
    "a type registry or instance map kept per process hands one interpreter's objects to another, "
    "and ending that interpreter leaves the other dangling ones (pybind11 PR 5564: per-interpreter "
    "internals); skipped, with the subject's words, where it cannot be loaded in a sub-interpreter",
    0, CF_PARAM_NONE, x1_run};
CF_REGISTER(cf_X1);
