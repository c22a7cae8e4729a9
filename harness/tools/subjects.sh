#!/bin/sh
# Installs the real binding tools the registries list (harness/subjects/
# subjects.txt and each $FFI_ADAPTERS directory's), pinned; exits 1 with
# pip's or apt's own message when one cannot be installed.
#
# usage: subjects.sh [--heavy] [SUBJECT...]
#   SUBJECT  only these: a tool, a family or a name (default: every one
#            listed); a name not listed is installed by its tool's rule
#            (tvm-ffi@0.1.14.post1, tvm-ffi@path/to.whl, tvm-ffi@DIR)
#   --heavy  also the subjects flagged heavy (torch)
# Honours PYTHON (default /usr/bin/python3) and FFI_SUBJECTS_DIR (default
# build/subjects). harness/subjects/loader/subject_install.py does the work.
cd "$(dirname "$0")/../.." || exit 2
exec "${PYTHON:-/usr/bin/python3}" harness/subjects/loader/subject_install.py "$@"
