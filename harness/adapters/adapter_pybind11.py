"""pybind11 adapter: the object model as a small C++ extension
(pybind11/adapter_pybind11.cpp, built by `make adapters` into the build
directory as _adapter_pybind11). Classes use std::shared_ptr holders and
fields return shared_ptr children, so pybind11's own registered-instances
map gives back the live wrapper of a C++ object while one exists; once the
last Python reference goes, the next access makes a new wrapper. Pickling
is node style (py::pickle returning child wrappers)."""

name = "pybind11"
summary = "pybind11 2.x, shared_ptr holders: one wrapper per C++ object while that wrapper lives"
features = frozenset({"pickle", "weakref", "dict", "outer", "node", "live"})

try:
    import _adapter_pybind11 as _ext
    _reason = ""
except ImportError as e:
    _ext, _reason = None, (f"the pybind11 extension is not built or not on sys.path ({e}): "
                           "run `make adapters` and put the build directory on PYTHONPATH")

if _ext is not None:
    Var, Add, Layout, Node = _ext.Var, _ext.Add, _ext.Layout, _ext.Node
    Outer, Inner = _ext.Outer, _ext.Inner
    handle = _ext.handle            # the C++ address (also what pool workers call)
    native_live = _ext.native_live


def available():
    return (_ext is not None, _reason)


def same_as(a, b):
    return type(a) is type(b) and handle(a) == handle(b)
