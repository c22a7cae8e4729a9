"""Where libffi_native.so (the C object model the ctypes and cffi adapters
load) lives: $FFI_NATIVE_LIB if set, else the first sys.path directory that
has it (the runners put their build directory on sys.path)."""
import os
import sys

LIBRARY = "libffi_native.so"


def find():
    """(path, None) when found, else (None, reason saying what to do)."""
    explicit = os.environ.get("FFI_NATIVE_LIB")
    if explicit:
        if os.path.isfile(explicit):
            return explicit, None
        return None, f"FFI_NATIVE_LIB={explicit} does not exist"
    for d in sys.path:
        path = os.path.join(d or ".", LIBRARY)
        if os.path.isfile(path):
            return os.path.abspath(path), None
    return None, (f"{LIBRARY} is not on sys.path: build it with `make adapters` and put the "
                  "build directory on PYTHONPATH (or set FFI_NATIVE_LIB)")
