"""The reported scenario, against any ffi_identity implementation.

A Layout holds Vars i and j twice: once in `axes`, once inside `offset`
(Add(i, j)). We send it to a fork-context multiprocessing worker in two
shapes and ask, on each side, whether the Vars reached through `axes` and
through `offset` are one native object (same handle) and one Python object
(same id):

  parent   the layout itself, read in this process
  worker   payload (layout.axes, layout.offset): two field reads
  worker1  payload ((i, j), (i, j)): the same wrapper objects twice

Run:  PYTHONPATH=build /usr/bin/python3 harness/examples/seed_aliasing.py IMPL
  or: build/ffi-identity --impl IMPL --run harness/examples/seed_aliasing.py
"""
import multiprocessing
import os
import pickle
import sys

import ffi_identity


def vars_in(expr, ns):
    """The Vars of an expression tree, left to right."""
    if isinstance(expr, ns.Var):
        return [expr]
    return vars_in(expr.a, ns) + vars_in(expr.b, ns)


def alignment(axes, offset_vars):
    """(aligned_chandle, aligned_pyid, rows) for two lists of Vars."""
    rows = [[(v.name, hex(v.__chandle__()), id(v)) for v in group] for group in (axes, offset_vars)]
    handles = [{h for _, h, _ in group} for group in rows]
    ids = [{i for _, _, i in group} for group in rows]
    return handles[0] <= handles[1], ids[0] <= ids[1], rows


def report(label, axes, offset_vars):
    same_handle, same_id, (ax_rows, off_rows) = alignment(axes, offset_vars)
    print(f"[{label}] aligned_chandle={same_handle} aligned_pyid={same_id}")
    print(f"    axes        (name, handle, id): {ax_rows}")
    print(f"    offset vars (name, handle, id): {off_rows}")
    return same_handle


def worker(payload):
    axes, offset = payload
    ns = ffi_identity.load(os.environ["FFI_IDENTITY_IMPL"])
    return alignment(list(axes), vars_in(offset, ns))


def worker1(payload):
    axes, offset_vars = payload
    return alignment(list(axes), list(offset_vars))


def main():
    impl = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("FFI_IDENTITY_IMPL")
    if not impl:
        sys.exit("usage: seed_aliasing.py IMPL   (one of: " + ", ".join(ffi_identity.impls()) + ")")
    try:
        ns = ffi_identity.load(impl)
    except ValueError as e:
        sys.exit(f"seed_aliasing.py: {e}")
    os.environ["FFI_IDENTITY_IMPL"] = impl   # the workers read it after fork

    i, j = ns.Var("i"), ns.Var("j")
    layout = ns.Layout(axes=(i, j), offset=ns.Add(a=i, b=j))
    print(f"== {impl}")
    report("parent", list(layout.axes), vars_in(layout.offset, ns))

    pool_ctx = multiprocessing.get_context("fork")
    for label, fn, payload in (("worker", worker, (layout.axes, layout.offset)),
                               ("worker1", worker1, ((i, j), (i, j)))):
        with pool_ctx.Pool(1) as pool:
            try:
                (same_handle, same_id, (ax_rows, off_rows)), = pool.map(fn, [payload])
            except (TypeError, pickle.PicklingError) as e:
                print(f"[{label}] cannot send the payload: {e}")
                continue
        print(f"[{label}] aligned_chandle={same_handle} aligned_pyid={same_id}")
        print(f"    axes        (name, handle, id): {ax_rows}")
        print(f"    offset vars (name, handle, id): {off_rows}")


if __name__ == "__main__":
    main()
