"""What multiprocessing pool workers run for F2 and the fork_pool benchmark.

A spawn or forkserver worker is a new interpreter. Its initializer loads the
subject by name first (a binding such as tvm-ffi must have registered its
types before anything of it can be unpickled), and the payload travels as
pickled bytes that the task itself unpickles: whatever goes wrong in the
worker (an import, the unpickling) comes back as that task's exception at
once, instead of a worker that dies and a Pool that waits forever.
"""
import pickle

_ns = None
_load_error = None


def init(subject):
    """Pool initializer: load `subject` (a built-in subject or a real
    binding); never raise, or the Pool would restart the worker forever."""
    global _ns, _load_error
    try:
        # A real tool's subject is named tool@version, a built-in never is:
        # the name decides without reading the tools' registry (which asks
        # dpkg for versions, a cost on every worker start).
        if "@" in subject:
            import ffi_adapters
            _ns = ffi_adapters.load(subject)
        else:
            import ffi_identity
            _ns = ffi_identity.load(subject)
    except BaseException as e:   # reported by the first task
        _load_error = f"{type(e).__name__}: {e}"


def same_var(data):
    """For pickled (axes, offset): is axes[0] one native object with offset.a?"""
    if _load_error is not None:
        raise RuntimeError(f"the worker could not load the subject: {_load_error}")
    try:
        axes, offset = pickle.loads(data)
    except Exception as e:
        raise RuntimeError(f"the worker could not unpickle the payload: {type(e).__name__}: {e}") from None
    first, a = axes[0], offset.a
    return {"same_handle": _ns.handle(first) == _ns.handle(a), "same_object": first is a}
