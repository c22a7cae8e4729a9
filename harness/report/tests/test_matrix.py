"""harness/report/matrix.py on made-up runs, as TAP: a file of records keyed
"impl" with old names and one keyed "subject" render the same rows; a
yanked release is marked with its reason, and origins are shown; a real
tool's failure without a class is refused, an unsupported one is shown
apart and not scored; what to choose counts tools and subjects apart and
shows each subject's conditions. Well under a second."""
import contextlib
import io
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests"))
from tap import finish, ok  # noqa: E402
import matrix  # noqa: E402

PROPS = [{"id": i, "name": i, "checks": "c", "why": "w"} for i in ("I1", "I5")]


def run(key, tool_names, subjects, classified=True):
    # Each property fails somewhere (matrix.py refuses a property nothing fails),
    # each real failure with its class (and a refusal when not).
    fails = lambda name, p: p == "I5" or name == "fresh+node"
    tag = {"class": "limit", "citation": "docs/design.md"} if classified else {}
    recs = [dict({key: name, "property": p, "param": "", "status": "fail" if fails(name, p) else "pass",
                  "expected_fail": True, "reason": "r" if fails(name, p) else ""},
                 **(tag if name in tool_names and fails(name, p) else {}))
            for name in tool_names + ["fresh+node"] for p in ("I1", "I5")]
    return {"python": "3.11.2", "commit": "x", "properties": PROPS, "subjects": subjects, "controls": [],
            "results": recs}


def render(data, readme=None):
    d = tempfile.mkdtemp()
    src, out = os.path.join(d, "c.json"), os.path.join(d, "c.md")
    with open(src, "w") as f:
        json.dump(data, f)
    with contextlib.redirect_stderr(io.StringIO()):
        matrix.main(src, out, readme)
    return open(out).read()


def refusal(data):
    """matrix.py's refusal of data (the text it exits with), or None."""
    try:
        render(data)
    except SystemExit as e:
        return str(e.code)
    return None


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

# Failure classes: a real tool's failure must say what kind it is, and who says so.
TOOL = [{"name": "tool@1.0", "tool": "tool", "source": "PyPI tool==1.0"}]
why = refusal(run("subject", ["tool@1.0"], TOOL, classified=False))
ok(why and "tool@1.0 I5: no [CLASS: CITATION]" in why, "a real tool's failure without a class is refused", why)
ok(why and "fresh+node" not in why, "a model's failure needs no class", why)
ok(refusal(run("subject", ["tool@1.0"], TOOL)) is None, "the same run with every failure classified is not", "")
bad = run("subject", ["tool@1.0"], TOOL)
for r in bad["results"]:
    if r.get("class"):
        r["class"] = "flaw"
why = refusal(bad)
ok(why and "class 'flaw' is not one of bug, limit, unsupported" in why, "an unknown class is refused", why)
for r in bad["results"]:
    if r.get("class"):
        r["class"], r["citation"] = "bug", ""
why = refusal(bad)
ok(why and "class bug without a citation" in why, "a class without a citation is refused", why)
why = refusal(dict(run("subject", [], []), properties=PROPS + [{"id": "X1", "name": "X1", "checks": "c", "why": "w"}]))
ok(why and "failed on no subject" in why and "X1" in why, "a property that failed nowhere is still refused", why)

ns = run("subject", ["tool@1.0"], TOOL)
for r in ns["results"]:
    if r["subject"] == "tool@1.0" and r["property"] == "I5":
        r.update(status="unsupported", **{"class": "unsupported", "citation": "src/module.c, no sub-interpreters"})
shown = render(ns)
ok("| `tool@1.0` | 1/1 |" in shown and " n/s |" in shown,
   "an unsupported use is its own cell (n/s) and not held against the score", shown)
ok("- **I5** `tool@1.0` (unsupported: src/module.c, no sub-interpreters): r" in shown,
   "the failure reasons name each failure's class and citation", shown)

# What to choose: tools and subjects counted apart, conditions from the records.
many = run("subject", ["tool@1.0", "tool+fast@1.0", "other@2.0"], [
    {"name": "tool@1.0", "tool": "tool", "source": "s", "conditions": ["only for objects made in Python"]},
    {"name": "tool+fast@1.0", "tool": "tool", "source": "s"},
    {"name": "other@2.0", "tool": "other", "source": "s", "yanked": True, "yanked_reason": "broken wheel"}])
for r in many["results"]:
    if r["property"] == "I5" and r["subject"] != "fresh+node":
        r.update(status="pass", reason="")
        r.pop("class"), r.pop("citation")
many["properties"] = PROPS + [{"id": "I2", "name": "converge", "checks": "c", "why": "w"}]
many["results"] += [{"subject": s, "property": "I2", "param": "", "status": "fail", "expected_fail": True,
                     "reason": "r", "class": "bug", "citation": "repro"} for s in ("fresh+node",)]
import choose  # noqa: E402
choose.KEY = ("I5",)   # the made-up catalogue's key property
readme = os.path.join(tempfile.mkdtemp(), "README.md")
with open(readme, "w") as f:
    f.write(f"intro\n{choose.README_BEGIN}\nstale\n{choose.README_END}\nrest\n")
shown = render(many, readme)
block = open(readme).read()
ok("2 tools, 3 subjects" in shown, "tools and subjects are counted apart", shown)
ok("- `tool@1.0`: behaves like `fresh+node` (0%); only where: only for objects made in Python" in shown,
   "a subject's conditions come from its record", shown)
ok("only where: a yanked release (broken wheel)" in shown, "a yanked release is a condition too", shown)
ok(block.startswith("intro\n" + choose.README_BEGIN) and block.endswith(choose.README_END + "\nrest\n")
   and "stale" not in block and "2 tools, 3 subjects" in block,
   "the README's block is replaced, and only it", block)

# The conditions come from harness/subjects/conditions.txt through describe().
import ffi_adapters  # noqa: E402  (results put harness/subjects on the path)
described = {d["name"].split("@")[0]: d["conditions"] for d in ffi_adapters.describe()}
ok(any("nb::intrusive_base" in c for c in described.get("nanobind+intrusive", []))
   and any("passed in from Python" in c for c in described.get("boost-python", []))
   and described.get("nanobind") == [],
   "describe() gives each subject its family's conditions, and none to a family without", described)

finish()
