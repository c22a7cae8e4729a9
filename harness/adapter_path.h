/* Makes the adapters for real bindings (harness/adapters) importable by
 * name wherever ffi_identity is: on sys.path, and on PYTHONPATH for the
 * multiprocessing workers (spawn, forkserver) the runners start. */
#ifndef FFI_ADAPTER_PATH_H
#define FFI_ADAPTER_PATH_H

/* Called when ffi_identity is imported: 0, or -1 with an exception. A build
 * without FFI_ADAPTERS_DIR (no adapters) does nothing. */
int ffi_adapter_path_add(void);

#endif
