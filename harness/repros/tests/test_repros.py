"""The repros' own checks (prove --exec python3), on a made-up run: the
@if sections, which failing cells get a repro (and why not), what a repro
directory holds, and the results page's link to it. No tool is built or
run; under a second."""
import ast
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path[:0] = [os.path.join(ROOT, "harness", "tests"), os.path.join(HERE, ".."),
                os.path.join(ROOT, "harness", "report"), os.path.join(ROOT, "harness", "subjects", "loader")]
from tap import finish, ok  # noqa: E402
import compose  # noqa: E402
import kits  # noqa: E402
import sections  # noqa: E402

# ---- sections
text = "a\n# @if x\nb\n  # @if !y\nc\n  # @else\nd\n  # @end\n# @end\n/* @if x y */\ne\n/* @end */\nf\n"
ok(sections.select(text, {"x"}) == "a\nb\nc\nf\n", "@if keeps a section whose words hold, @else the other side")
ok(sections.select(text, {"x", "y"}) == "a\nb\nd\ne\nf\n", "@if A B needs both; comment leaders of C and Python")
ok(sections.select(text, set()) == "a\nf\n", "a failing section drops what it encloses")
for bad, what in (("# @end\n", "@end outside a section"), ("# @if x\n", "a section never closed")):
    try:
        sections.select(bad, set())
        ok(False, f"refused: {what}")
    except sections.Error:
        ok(True, f"refused: {what}")

# ---- every kit and scenario file: sections balanced, Python parts parse with every feature on or off
words = set()
for d, _, files in os.walk(kits.KITS_DIR):
    for f in files:
        with open(os.path.join(d, f)) as fh:
            words |= sections.words(fh.read())
bad = []
for kit in kits.KITS.values():
    for have in (set(), kit.has | kit.flags):
        for rel in [kit.python] + list(kit.files.values()) + ([kit.build] if kit.build else []):
            try:
                out = sections.select(open(kit.path(rel)).read(), have, rel)
                if rel.endswith(".py"):
                    ast.parse(out)
            except (sections.Error, SyntaxError) as e:
                bad.append(f"{kit.family} {rel} with {sorted(have)}: {e}")
ok(not bad, f"{len(kits.KITS)} kits: every file's sections close, and its Python parses either way", "\n".join(bad))
scen = [f[:-3] for f in os.listdir(compose.SCENARIOS) if not f.startswith("_") and f.endswith(".py")]
known = words | kits.EVERY_KIT
unknown = [f"{p}: {sorted(compose.scenario(p).needs - known)}" for p in scen if compose.scenario(p).needs - known]
ok(not unknown, f"{len(scen)} scenarios need only features some kit file knows, or every kit has",
   "\n".join(unknown))

# ---- a made-up run
props = [{"id": p, "name": p.lower(), "checks": f"{p} holds", "why": "it matters"} for p in ("I1", "L2", "X1", "O1")]
subjects = [dict(name=f"{t}@{v}", tool=t, version=v, variant="", origin=o, source=f"PyPI {t}=={v}", conditions=[])
            for t, v, o in (("tvm-ffi", "0.1.15.post2", "pypi"), ("tvm-ffi", "0.1.13", "pypi"),
                            ("pybind11", "3.1.0", "build"), ("newtool", "1.0", "pypi"))]


def rec(subject, prop, status, **kw):
    return dict(subject=subject, property=prop, param="", status=status, expected_fail=status == "fail",
                reason=f"{prop} went wrong at 0x7f00" if status != "pass" else "", **kw)


results = [rec("tvm-ffi@0.1.15.post2", "I1", "fail", **{"class": "limit", "citation": "tvm-ffi docs"}),
           rec("tvm-ffi@0.1.13", "I1", "pass"),
           rec("tvm-ffi@0.1.15.post2", "L2", "fail", **{"class": "bug", "citation": "repro"}),
           rec("pybind11@3.1.0", "O1", "fail", **{"class": "limit", "citation": "pybind11#947"}),
           rec("pybind11@3.1.0", "X1", "unsupported", **{"class": "unsupported", "citation": "pybind11#5564"}),
           rec("newtool@1.0", "I1", "fail"), rec("broken-racy+node", "I1", "fail")]
data = {"subjects": subjects, "controls": ["broken-racy+node"], "properties": props, "results": results}
cells = {(c.subject, c.prop): c for c in compose.plan(data)}
ok(set(cells) == {("tvm-ffi@0.1.15.post2", "I1"), ("tvm-ffi@0.1.15.post2", "L2"), ("pybind11@3.1.0", "O1"),
                  ("newtool@1.0", "I1")},
   "the failing cells of real tools, not a control's, not an unsupported use", sorted(cells))
i1 = cells[("tvm-ffi@0.1.15.post2", "I1")]
ok(not i1.why and i1.passes_on == ["tvm-ffi@0.1.13"], "a repro, and the version where the run says it passes",
   (i1.why, i1.passes_on))
ok("no live" in cells[("tvm-ffi@0.1.15.post2", "L2")].why and "live objects" in
   cells[("tvm-ffi@0.1.15.post2", "L2")].why, "a kit without a feature the scenario needs: no repro, and why",
   cells[("tvm-ffi@0.1.15.post2", "L2")].why)
ok("no repro kit" in cells[("newtool@1.0", "I1")].why, "a tool without a kit: no repro, and why")

with tempfile.TemporaryDirectory() as d:
    made = compose.write_all(data, os.path.join(d, "repros"), "made-up.json")
    where = os.path.join(d, "repros", "tvm-ffi@0.1.15.post2", "I1")
    ok(sorted(os.listdir(where)) == ["README.md", "repro.py"], "a pure-Python tool's repro: README.md, repro.py",
       os.listdir(where))
    script = open(os.path.join(where, "repro.py")).read()
    ast.parse(script)
    ok("import tvm_ffi" in script and "ffi_identity" not in script and "ffi_adapters" not in script
       and "layout.offset is layout.offset" in script and "Node" not in script,
       "repro.py: the tool's binding, cut to what I1 uses, and the checks; nothing of the suite")
    readme = open(os.path.join(where, "README.md")).read()
    ok("limit: tvm-ffi docs" in readme and "tvm-ffi@0.1.13" in readme and "0x…" in readme
       and "pip install apache-tvm-ffi==0.1.15.post2" in readme,
       "README.md: class and citation, where it passes, the reason without addresses, the install line", readme)
    o1 = os.path.join(d, "repros", "pybind11@3.1.0", "O1")
    files = sorted(os.listdir(o1))
    ok(files == [".sources", "README.md", "build.sh", "model.cpp", "model.hpp", "repro.py"],
       "a compiled tool's repro: its sources and build.sh", files)
    cpp = open(os.path.join(o1, "model.cpp")).read()
    ok("py::init([](const std::string &name, bool intern)" in cpp and 'def_static("interned"' in cpp
       and "Node" not in cpp and "@if" not in cpp, "pybind11's O1: both forms of the interning factory, no Node")
    ok('contrast("Var.interned' in open(os.path.join(o1, "repro.py")).read(),
       "pybind11's O1 shows the static factory beside the py::init one")
    index = json.load(open(os.path.join(d, "repros", "index.json")))
    ok(len(index["repros"]) == 4 and sum(r["repro"] is not None for r in index["repros"]) == 2,
       "index.json: every failing cell, with its repro or why none")

    # ---- the page links a failing cell to its repro
    run = os.path.join(d, "conformance.json")
    with open(run, "w") as f:
        json.dump(data, f)
    page = os.path.join(d, "page", "index.html")
    os.makedirs(os.path.dirname(page))
    env = dict(os.environ, REPROS=os.path.join(d, "repros"))
    r = subprocess.run([sys.executable, os.path.join(ROOT, "harness", "report"), "page", run,
                        os.path.join(ROOT, "results", "bench.json"), page], capture_output=True, text=True, env=env)
    text = open(page).read() if r.returncode == 0 else ""
    ok('<a href="../repros/tvm-ffi@0.1.15.post2/I1/README.md">' in text,
       "the page links the failing cell to its repro's README, relative to the page", r.stderr[-500:])
    ok(text.count('/README.md">') == 2, "only cells with a repro link", text.count('/README.md">'))
finish()
