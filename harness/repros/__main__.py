"""Upstream-ready repros of the failing cells of real tools:

    python3 harness/repros write [CONFORMANCE.json] [OUT_DIR]
        a directory per failing (real subject, property) of the run (default
        results/conformance.json) under OUT_DIR (default build/repros)
    python3 harness/repros check [--quick] [--only SUBJECT[/PROPERTY]]... [CONFORMANCE.json] [OUT_DIR]
        build and run each repro against its subject's install: it must fail
        there, and pass where another version or variant of the tool passes
        (as TAP); --quick: a few per installed subject (what make test runs)
    python3 harness/repros list [CONFORMANCE.json]
        the failing cells and their repros, or why none

Kits (the tools' bindings) are in harness/repros/kits/, scenarios (the
properties) in harness/repros/scenarios/; harness/repros/README.md says
how they compose."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path[:0] = [HERE, os.path.join(ROOT, "harness", "report"), os.path.join(ROOT, "harness", "subjects", "loader")]

DEFAULT_JSON = os.path.join(ROOT, "results", "conformance.json")
DEFAULT_OUT = os.path.join(ROOT, "build", "repros")


def args(argv):
    flags = [a for a in argv if a.startswith("--")]
    pos = [a for a in argv if not a.startswith("--")]
    return flags, (pos + [None, None])[:2]


def main(argv):
    if not argv or argv[0] not in ("write", "check", "list"):
        print(__doc__, file=sys.stderr)
        return 2
    import conformance_results
    import compose
    command, rest = argv[0], argv[1:]
    if command == "check":
        import check
        return check.main(rest, DEFAULT_JSON, DEFAULT_OUT)
    _, (json_path, out) = args(rest)
    json_path = json_path or DEFAULT_JSON
    data = conformance_results.load(json_path)
    if command == "list":
        for c in compose.plan(data):
            print(f"{c.subject:32} {c.prop:4} {c.dirname() if not c.why else 'none: ' + c.why}")
        return 0
    out = out or DEFAULT_OUT
    cells = compose.write_all(data, out, os.path.relpath(json_path, ROOT))
    made = [c for c in cells if not c.why]
    print(f"repros: {len(made)} of {len(cells)} failing cells of real tools written to {out}/ "
          f"(index: {os.path.join(out, 'README.md')})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
