/* Starting an embedded interpreter that has ffi_identity built in and can
 * start multiprocessing children (spawn, forkserver) that find it too. */
#ifndef FFI_EMBED_H
#define FFI_EMBED_H

/* Initializes Python with ffi_identity as a built-in module. sys.executable
 * is the real interpreter ($FFI_PYTHON, else the one we were built against)
 * and PYTHONPATH gains the directory of this executable, where the
 * extension module is built, so spawned workers import the same code.
 * Returns 0, or -1 after printing why. */
int ffi_embed_start(const char *argv0);

/* Finalizes; returns Py_FinalizeEx's result. */
int ffi_embed_stop(void);

#endif
