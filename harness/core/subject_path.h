/* Makes the adapters for real bindings (harness/subjects) importable by
 * name wherever ffi_identity is: on sys.path, and on PYTHONPATH for the
 * multiprocessing workers (spawn, forkserver) the runners start. */
#ifndef FFI_SUBJECT_PATH_H
#define FFI_SUBJECT_PATH_H

/* Called when ffi_identity is imported: 0, or -1 with an exception. A build
 * without FFI_SUBJECTS_SOURCE_DIR (no adapters) does nothing. */
int ffi_subject_path_add(void);

#endif
