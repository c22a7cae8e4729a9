"""The reported scenario, against any subject: a built-in subject
(hashmap+node) or a real binding tool at a version (tvm-ffi@0.1.13).

A Layout holds Vars i and j twice: once in `axes`, once inside `offset`
(Add(i, j)). We send it to a fork-context multiprocessing worker in two
shapes and ask, on each side, whether the Vars reached through `axes` and
through `offset` are one native object (same handle) and one Python object
(same id):

  parent   the layout itself, read in this process
  worker   payload (layout.axes, layout.offset): two field reads
  worker1  payload ((i, j), (i, j)): the same wrapper objects twice

The last line is the verdict on the reported bug, read from the worker:
"reproduced: the worker sees two Vars where the parent sent one" or "not
reproduced: the worker sees one Var".

Run:  build/ffi-identity --subject SUBJECT --run harness/examples/seed_aliasing.py [--gate]
      make seed          (every subject; writes $RESULTS/seed.md)
Options after the script (or after the subject, run as a plain script):
  --gate         exit 1 unless the worker sees one Var (the bug reproduced, or
                 the payload could not be sent): a tool's CI can require the
                 reported bug fixed. Without it the exit status is 0 either way.
  --record FILE  append this run's verdicts to FILE (JSON lines)
  --table FILE OUT.md [PAGE.md]
                 turn such a file into a Markdown table, and put its rows into
                 PAGE.md (make publish: docs/reported-scenario.md) between the
                 lines <!-- seed table --> and <!-- end seed table --> too
  --help         this text
"""
import json
import multiprocessing
import os
import pickle
import sys


def die(message, status=2):
    """Says why on stderr, then exits: the embedding runner takes sys.exit's
    status but does not print a message given in its place."""
    print(f"seed_aliasing.py: {message}", file=sys.stderr)
    sys.exit(status)


def load(name):
    """The namespace of a built-in subject or of a real tool.
    Imported here, not at the top: --table runs in a plain interpreter."""
    import ffi_identity   # puts harness/subjects (ffi_adapters) on sys.path
    import ffi_adapters
    return ffi_adapters.load(name) if name in ffi_adapters.names() else ffi_identity.load(name)


_ns = None


def init(name):
    """Pool initializer: the worker loads the subject before any payload
    is unpickled (a tool such as tvm-ffi must register its types first)."""
    global _ns
    _ns = load(name)


def vars_in(expr, ns):
    """The Vars of an expression tree, left to right."""
    if isinstance(expr, ns.Var):
        return [expr]
    return vars_in(expr.a, ns) + vars_in(expr.b, ns)


def alignment(axes, offset_vars, ns):
    """(aligned_handle, aligned_pyid, rows) for two lists of Vars."""
    rows = [[(v.name, hex(ns.handle(v)), id(v)) for v in group] for group in (axes, offset_vars)]
    handles = [{h for _, h, _ in group} for group in rows]
    ids = [{i for _, _, i in group} for group in rows]
    return handles[0] <= handles[1], ids[0] <= ids[1], rows


def worker(payload):
    axes, offset = payload
    return alignment(list(axes), vars_in(offset, _ns), _ns)


def worker1(payload):
    axes, offset_vars = payload
    return alignment(list(axes), list(offset_vars), _ns)


def show(label, same_handle, same_id, rows):
    ax_rows, off_rows = rows
    print(f"[{label}] aligned_handle={same_handle} aligned_pyid={same_id}")
    print(f"    axes        (name, handle, id): {ax_rows}")
    print(f"    offset vars (name, handle, id): {off_rows}")


def run(name):
    """Runs the scenario; returns {label: (aligned_handle, aligned_pyid) or why not}."""
    try:
        ns = load(name)
    except (ImportError, ValueError) as e:
        die(e)
    ok, why = ns.available() if hasattr(ns, "available") else (True, "")
    if not ok:
        die(f"{name} is not available here: {why}")
    i, j = ns.Var("i"), ns.Var("j")
    layout = ns.Layout((i, j), ns.Add(i, j))
    print(f"== {name}")
    verdicts = {}
    same_handle, same_id, rows = alignment(list(layout.axes), vars_in(layout.offset, ns), ns)
    show("parent", same_handle, same_id, rows)
    verdicts["parent"] = (same_handle, same_id)
    pool_ctx = multiprocessing.get_context("fork")
    for label, fn, payload in (("worker", worker, (layout.axes, layout.offset)),
                               ("worker1", worker1, ((i, j), (i, j)))):
        with pool_ctx.Pool(1, initializer=init, initargs=(name,)) as pool:
            try:
                (same_handle, same_id, rows), = pool.map(fn, [payload])
            except (TypeError, AttributeError, pickle.PicklingError, RuntimeError) as e:
                print(f"[{label}] cannot send the payload: {type(e).__name__}: {e}")
                verdicts[label] = f"cannot send: {type(e).__name__}"
                continue
        show(label, same_handle, same_id, rows)
        verdicts[label] = (same_handle, same_id)
    return verdicts


def verdict(worker):
    """(reproduced, the one-line verdict) from the worker's (aligned_handle,
    aligned_pyid), or from why the payload could not be sent. The report is
    about natives: i reached through axes and through offset must be one Var."""
    if isinstance(worker, str):
        return True, f"not decided: the worker never got the payload ({worker})"
    same_handle, same_id = worker
    if not same_handle:
        return True, "reproduced: the worker sees two Vars where the parent sent one"
    if not same_id:
        return False, "not reproduced: the worker sees one Var (though through two Python objects)"
    return False, "not reproduced: the worker sees one Var"


def cell(v):
    if isinstance(v, str):
        return v
    handle, pyid = v
    return ("one native" if handle else "**two natives**") + (", one object" if pyid else ", two objects")


def splice(page, rows):
    """Replaces the seed table of a page (between its two marker lines)."""
    begin, end = "<!-- seed table -->", "<!-- end seed table -->"
    text = open(page).read()
    if begin not in text or end not in text:
        die(f"{page} has no '{begin}' ... '{end}' lines", 1)
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(page, "w") as f:
        f.write(head + begin + "\n" + "\n".join(rows) + "\n" + end + tail)


def table(records_path, out_path, page=None):
    """Markdown table of --record lines, one row per subject."""
    with open(records_path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    rows = ["| subject | parent | worker (the reported bug) | worker1 |", "|---|---|---|---|"]
    for r in records:
        v = r["verdicts"]
        rows.append(f"| `{r['subject']}` | {cell(v['parent'])} | {cell(v['worker'])} | {cell(v['worker1'])} |")
    lines = ["# The reported scenario, per subject", "",
             "Generated by `make seed` (harness/examples/seed_aliasing.py); do not edit by hand. "
             "A Layout whose `axes` are Vars i, j and whose `offset` is Add(i, j); *parent* reads it "
             "in this process, *worker* sends `(layout.axes, layout.offset)` to a fork-context "
             "`multiprocessing` worker, *worker1* sends `((i, j), (i, j))` (the same wrappers twice). "
             "Each cell: are the Vars reached through `axes` and through `offset` one native object, "
             "and one Python object?", ""] + rows
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    if page:
        splice(page, rows)


USAGE = "usage: seed_aliasing.py [SUBJECT] [--gate] [--record FILE] | --table FILE OUT.md [PAGE.md] | --help"


def main(argv):
    if "--help" in argv or "-h" in argv:
        print(__doc__.strip())
        return 0
    if argv[:1] == ["--table"] and len(argv) in (3, 4):
        return table(*argv[1:])
    name = argv[0] if argv and not argv[0].startswith("--") else os.environ.get("FFI_IDENTITY_SUBJECT")
    options = argv[1:] if argv and argv[0] == name else argv
    gate, record = "--gate" in options, None
    if "--record" in options:
        k = options.index("--record")
        record = options[k + 1] if k + 1 < len(options) else die(f"--record needs FILE\n{USAGE}")
    unknown = [a for a in options if a not in ("--gate", "--record", record)]
    if unknown:
        die(f"unknown argument {unknown[0]!r}\n{USAGE}")
    if not name:
        import ffi_identity
        import ffi_adapters
        die(f"no subject\n{USAGE}\nsubjects: " + ", ".join(ffi_identity.subjects() + ffi_adapters.names()))
    verdicts = run(name)
    if record:
        with open(record, "a") as f:
            f.write(json.dumps({"subject": name, "verdicts": verdicts}) + "\n")
    reproduced, line = verdict(verdicts["worker"])
    print(f"{name}: {line}")
    return 1 if gate and reproduced else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
