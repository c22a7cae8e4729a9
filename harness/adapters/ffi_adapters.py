"""The adapters for real bindings, by subject name. An adapter is a module
exposing the subject surface (README.md in this directory); load(name)
imports it. Unavailable adapters still load: available() says why not."""
import importlib

# subject name -> module name
ADAPTERS = {
    "pybind11": "adapter_pybind11",
    "ctypes": "adapter_ctypes",
    "cffi": "adapter_cffi",
    "tvm-ffi": "adapter_tvm_ffi",
}


def names():
    return list(ADAPTERS)


def load(name):
    """The adapter module for `name`; ImportError listing the names if unknown."""
    if name not in ADAPTERS:
        raise ImportError(f"no adapter named {name!r}; adapters: {', '.join(ADAPTERS)}")
    return importlib.import_module(ADAPTERS[name])
