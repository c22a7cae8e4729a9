"""Worker functions multiprocessing pools import by name (F2).

A spawn or forkserver worker is a new interpreter: it finds these by module
name, and finds the subject's classes through the module named by the
payload's own classes, so built-in implementations and adapters work alike.
"""
import sys


def same_var(payload):
    """For payload (axes, offset): is axes[0] one native object with offset.a?"""
    axes, offset = payload
    ns = sys.modules[type(offset).__module__]
    first, a = axes[0], offset.a
    return {"same_handle": ns.handle(first) == ns.handle(a), "same_object": first is a}
