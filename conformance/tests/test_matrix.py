"""conformance/matrix.py on made-up runs, as TAP: a file of records keyed
"impl" with old names and one keyed "subject" render the same rows; a
yanked release is marked with its reason, and origins are shown. Well
under a second."""
import contextlib
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import matrix  # noqa: E402

results = []


def ok(cond, what, out=""):
    results.append((bool(cond), what, out))


PROPS = [{"id": i, "name": i, "checks": "c", "why": "w"} for i in ("I1", "I5")]


def run(key, tool_names, subjects):
    # Each property fails somewhere (matrix.py refuses a property nothing fails).
    fails = lambda name, p: p == "I5" or name == "fresh+node"
    recs = [{key: name, "property": p, "param": "", "status": "fail" if fails(name, p) else "pass",
             "expected_fail": True, "reason": "r" if fails(name, p) else ""}
            for name in tool_names + ["fresh+node"] for p in ("I1", "I5")]
    return {"python": "3.11.2", "commit": "x", "properties": PROPS, "subjects": subjects, "controls": [],
            "results": recs}


def render(data):
    d = tempfile.mkdtemp()
    src, out = os.path.join(d, "c.json"), os.path.join(d, "c.md")
    with open(src, "w") as f:
        json.dump(data, f)
    with contextlib.redirect_stderr(io.StringIO()):
        matrix.main(src, out)
    return open(out).read()


old = render(run("impl", ["tool@1.0+slots"], [{"name": "tool@1.0+slots", "source": "PyPI tool==1.0"}]))
new = render(run("subject", ["tool+slots@1.0"], [{"name": "tool+slots@1.0", "source": "PyPI tool==1.0"}]))
ok("| `tool+slots@1.0` | 1/2 |" in old and old == new,
   "records keyed impl (old names) and keyed subject render the same matrix", old + "\n----\n" + new)
ok("yanked" not in new.split("## What each")[0].replace("| yanked |", ""), "no provenance, no mark", new)

marked = render(run("subject", ["tool@1.0", "tool@2.0", "tool@3.0"], [
    {"name": "tool@1.0", "source": "PyPI tool==1.0", "origin": "pypi", "yanked": True,
     "yanked_reason": "a use after free"},
    {"name": "tool@2.0", "source": "a wheel", "origin": "wheel", "sha256": "ab" * 32},
    {"name": "tool@3.0", "source": "a tree", "origin": "directory", "commit": "0123456789abcdef"}]))
ok("| `tool@1.0` **yanked** | 1/2 |" in marked, "a yanked release is marked in the matrix", marked)
ok("| `tool@1.0` | PyPI tool==1.0 | PyPI | **yanked**: a use after free |" in marked,
   "and in the installed-from table, with the reason", marked)
ok("| wheel sha256 abababababab | – |" in marked and "| directory at 0123456789ab | – |" in marked,
   "a wheel's sha256 and a directory's commit are its origin", marked)
ok("`tool@2.0` **yanked**" not in marked, "a release not yanked is not marked", marked)

print(f"1..{len(results)}")
for k, (good, what, out) in enumerate(results, 1):
    print(f"{'ok' if good else 'not ok'} {k} - {what}")
    if not good:
        print("".join(f"# {line}\n" for line in str(out).splitlines()[:30]), end="")
sys.exit(0 if all(g for g, _, _ in results) else 1)
