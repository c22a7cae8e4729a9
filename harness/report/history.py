"""Release timelines: one tool's conformance runs over its releases, merged.

  harness/report history OUT_DIR RUN.json... [--tool TOOL]

Each RUN.json is one conformance run (build/conformance --json) of one
release of a tool, as `make history TOOL=...` makes them
(harness/tools/release_history.py): the run carries a "release" block with
the release's upload date, yanked mark, the selection it belongs to, and
its status when it has no results: "not installed" or "not built" (with
the first line of the error) or "run failed". A plain run without that
block counts too: its real subjects give the releases.

Writes OUT_DIR/history-TOOL.json and OUT_DIR/history-TOOL.md for each tool
the runs hold (--tool: that one only): per variant and property, the
verdict at each release in PEP 440 order, those verdicts compressed into
runs ("✗ 0.1.0–0.1.12, ✓ 0.1.13, ✗ 0.1.13.post1–0.1.15.post2"), the
releases where the verdict changed (the first with the new verdict, and
from what to what), and the releases where a variant did not install,
build or run, and why.

A verdict is the matrix's (matrix.verdict) with the expectation files left
out of it: a failure they do not list, or one they class as a use the tool
declares unsupported (n/s in the matrix), is a failure like any other here.
They describe the pinned releases, and a release without its own file
inherits an older one's (or none), so letting them in would show the
inheritance as a change of verdict."""
import collections
import json
import os
import sys

import conformance_results as results
import matrix
import subject_name

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SYMBOL = {"pass": "✓", "fail": "✗", "skip": "–"}
# A release's status when its run has no results.
NOT_RAN = ("not installed", "not built", "run failed")
WORDS = {"not installed": "does not install", "not built": "does not build", "run failed": "run failed"}


def verdict_of(records):
    """'pass', 'fail', 'fail 2/4' or 'skip': what the release did, whatever
    the expectation files say of it."""
    kind, count = matrix.verdict(records)
    kind = "fail" if kind in ("unexpected", "unsupported") else kind
    return kind + count


def symbol(verdict):
    """'✓', '✗', '✗ 2/4', '–'."""
    kind, _, count = verdict.partition(" ")
    return SYMBOL.get(kind, kind) + (f" {count}" if count else "")


def clean(reason, root=ROOT):
    """A reason fit for a published file: no addresses, no absolute path of this checkout."""
    reason = matrix.without_addresses(reason or "")
    return reason.replace(root + os.sep, "").replace(root, ".").strip()


def version_order(version):
    key = subject_name.version_key(version)
    return (0, key) if key is not None else (1, version)


# ---------------------------------------------------------------- merging

def releases_of(path, run):
    """[(tool, version, release block, {family: records})] of one run."""
    block = run.get("release") or {}
    by = collections.defaultdict(list)
    for r in run["results"]:
        by[r["subject"]].append(r)
    listed = {s["name"]: s for s in run.get("subjects", [])}
    found = collections.OrderedDict()
    for name, records in by.items():
        s = listed.get(name)
        if not s:   # a built-in model or a control
            continue
        tool, variant, version = s.get("tool"), s.get("variant", ""), s.get("version")
        if block and (tool, version) != (block.get("tool"), block.get("version")):
            continue   # run alongside, not the release this run is about
        found.setdefault((tool, version), {})[subject_name.join(tool, variant)] = records
    if block and not found:   # a release that did not install, build or run
        found[(block["tool"], block["version"])] = {}
    if not found:
        raise results.Error(f"{path}: no real tool ran in it and it has no \"release\" block")
    return [(tool, version, block if block.get("tool") == tool else {}, fams)
            for (tool, version), fams in found.items()]


def merge(paths, tool=None):
    """{tool: timeline} (see timeline()) from the runs."""
    per_tool = collections.defaultdict(dict)
    for path in paths:
        run = results.load(path)
        for t, version, block, fams in releases_of(path, run):
            if tool and t != tool:
                continue
            if version in per_tool[t]:
                raise SystemExit(f"history: two runs of {t} {version} ({per_tool[t][version]['path']} and {path}): "
                                 "give one run per release")
            per_tool[t][version] = {"path": path, "run": run, "block": block, "families": fams}
    if tool and tool not in per_tool:
        raise SystemExit(f"history: no run of {tool} among {len(paths)} file(s)")
    return {t: timeline(t, runs) for t, runs in per_tool.items()}


def timeline(tool, runs):
    """One tool's timeline from {version: {"run", "block", "families"}}."""
    versions = sorted(runs, key=version_order)
    props, names, selection, python, commits = [], {}, None, None, []
    for v in versions:
        run = runs[v]["run"]
        for p in run.get("properties", []):
            if p["id"] not in names:
                names[p["id"]] = p["name"]
                props.append(p["id"])
        selection = selection or runs[v]["block"].get("selection")
        if run.get("python"):
            python = python or run["python"].split()[0]
        if run.get("commit") and run["commit"] not in commits:
            commits.append(run["commit"])
    families = []
    for v in versions:
        families += [f for f in runs[v]["families"] if f not in families]
        families += [subject_name.join(tool, var) for var in runs[v]["block"].get("variants", [])
                     if subject_name.join(tool, var) not in families]
    families = families or [tool]
    families.sort(key=lambda f: (f != tool, f))

    releases, status = [], {}   # status[(family, version)] = ("ran", verdicts) or (word, why)
    for v in versions:
        r, block = runs[v], runs[v]["block"]
        entry = {"version": v, "uploaded": block.get("uploaded"), "yanked": bool(block.get("yanked")),
                 "status": block.get("status", "ran"), "variants": {}}
        if block.get("yanked_reason"):
            entry["yanked_reason"] = block["yanked_reason"]
        if block.get("seconds") is not None:
            entry["seconds"] = block["seconds"]
        if entry["status"] in NOT_RAN:
            entry["error"] = clean(block.get("error", ""))
        for fam in families:
            records = r["families"].get(fam)
            if entry["status"] in NOT_RAN:
                status[(fam, v)] = (entry["status"], entry["error"])
            elif not records:
                status[(fam, v)] = ("not run", "no results for this variant in the run")
            elif all(x["status"] == "skip" for x in records):
                status[(fam, v)] = ("not run", clean(records[0]["reason"]))
            else:
                by = collections.defaultdict(list)
                for x in records:
                    by[x["property"]].append(x)
                status[(fam, v)] = ("ran", {p: verdict_of(by[p]) for p in props})
            st = status[(fam, v)]
            if st[0] == "ran":
                ran = [x for x in st[1].values() if x != "skip"]
                entry["variants"][fam] = {"status": "ran", "passed": sum(x == "pass" for x in ran),
                                          "ran": len(ran)}
            else:
                entry["variants"][fam] = {"status": st[0], "why": st[1]}
        releases.append(entry)

    variants = {}
    for fam in families:
        ran = [v for v in versions if status[(fam, v)][0] == "ran"]
        rows = {}
        for p in props:
            seq = [(v, status[(fam, v)][1][p] if status[(fam, v)][0] == "ran" else None) for v in versions]
            rows[p] = {"verdicts": {v: x for v, x in seq if x is not None},
                       "runs": runs_of(seq), "changes": changes_of(seq)}
        variants[fam] = {"ran": ran, "properties": rows}
    return {"tool": tool, "selection": selection, "python": python, "commits": commits,
            "properties": [{"id": p, "name": names[p]} for p in props],
            "variants_order": families, "releases": releases, "variants": variants}


def runs_of(seq):
    """[(verdict or None, first, last, count)] over consecutive releases:
    None for a release where the variant did not run."""
    out = []
    for v, x in seq:
        if out and out[-1][0] == x:
            out[-1][2], out[-1][3] = v, out[-1][3] + 1
        else:
            out.append([x, v, v, 1])
    while out and out[0][0] is None:
        out.pop(0)
    while out and out[-1][0] is None:
        out.pop()
    return [{"verdict": x, "first": a, "last": b, "releases": n} for x, a, b, n in out]


def changes_of(seq):
    """[{release, from, to, after}]: each release whose verdict differs from
    that of the last release before it that ran (after)."""
    out, last = [], None
    for v, x in seq:
        if x is None:
            continue
        if last is not None and x != last[1]:
            out.append({"release": v, "from": last[1], "to": x, "after": last[0]})
        last = (v, x)
    return out


# ---------------------------------------------------------------- rendering

def span(first, last, n):
    return first if n == 1 else f"{first}–{last}"


def compressed(row):
    """'✗ 0.1.0–0.1.12, ✓ 0.1.13, not run 0.1.14, ✗ 0.1.15'."""
    return ", ".join((symbol(r["verdict"]) if r["verdict"] is not None else "not run")
                     + " " + span(r["first"], r["last"], r["releases"]) for r in row["runs"])


def change_text(c, yanked=()):
    mark = " (yanked)" if c["release"] in yanked else ""
    return f"{symbol(c['from'])} → {symbol(c['to'])} at {c['release']}{mark}"


def grouped_failures(data, fam):
    """[(first, last, count, word, why)]: consecutive releases where `fam`
    did not run for the same reason (the version written as <version>)."""
    out = []
    for e in data["releases"]:
        st = e["variants"].get(fam, {})
        if st.get("status", "ran") == "ran":
            out.append(None)
            continue
        why = st["why"].replace(e["version"], "<version>")
        if out and out[-1] and out[-1][3:] == [st["status"], why]:
            out[-1][1], out[-1][2] = e["version"], out[-1][2] + 1
        else:
            out.append([e["version"], e["version"], 1, st["status"], why])
    groups = [g for g in out if g]
    for g in groups:   # a reason of one release keeps its version
        if g[2] == 1:
            g[4] = g[4].replace("<version>", g[0])
    return [tuple(g) for g in groups]


def changed(data):
    """[(family, property id, changes)] where the verdict changed at least once."""
    return [(fam, p["id"], data["variants"][fam]["properties"][p["id"]]["changes"])
            for fam in data["variants_order"] for p in data["properties"]
            if data["variants"][fam]["properties"][p["id"]]["changes"]]


def changed_together(data):
    """[(family, changes, [property ids])]: the properties of a variant whose
    verdicts changed at the same releases in the same way, grouped (tying
    arriving moves a dozen properties at once)."""
    groups = {}
    for fam, p, changes in changed(data):
        key = (fam, tuple((c["release"], c["from"], c["to"]) for c in changes))
        groups.setdefault(key, (fam, changes, []))[2].append(p)
    return list(groups.values())


def render(data):
    tool, rel = data["tool"], data["releases"]
    names = {p["id"]: p["name"] for p in data["properties"]}
    fams = data["variants_order"]
    yanked = {e["version"] for e in rel if e["yanked"]}
    sel = data.get("selection") or {}
    L = [f"# Release timeline: {tool}", "",
         f"Generated by `make history TOOL={tool}` (published by `make publish-history`) from one "
         "conformance run per release; do not edit by hand. "
         f"Python {data.get('python') or '?'}, commit {', '.join(data.get('commits') or ['?'])}.", ""]
    if sel:
        L += [f"**Releases:** {sel.get('rule', '?')}: {len(rel)} release(s), "
              f"{sum(e['yanked'] for e in rel)} of them yanked; the list is PyPI's "
              f"(`{sel.get('source', '?')}`, fetched {sel.get('fetched', '?')})"
              + (f"; left out: {sel['left_out']}" if sel.get("left_out") else "") + ".", ""]
    L += ["Verdicts: `✓` passed, `✗` failed (`✗ 2/4`: for two of four parameters), `–` skipped "
          "(the release lacks what the test needs). The expectation files play no part: a failure they "
          "do not list, or class as a use the tool declares unsupported (the matrix's `n/s`), is `✗` "
          "like any other. A change is named at the first release with the new verdict; *not run* marks "
          "releases where the variant did not install, build or load (see below).", ""]

    L += ["## What changed", ""]
    moved = changed_together(data)
    if not moved:
        L += ["No verdict changed across the releases that ran.", ""]
    for fam, changes, props in moved:
        L.append(f"- `{fam}`: " + ", then ".join(change_text(c, yanked) for c in changes) + ": "
                 + ", ".join(f"**{p}** {names[p]}" for p in props))
    if moved:
        L.append("")

    L += ["## Releases", "",
          "| release | uploaded | " + " | ".join(f"`{f}`" for f in fams) + " |",
          "|---|---|" + "---|" * len(fams)]
    for e in rel:
        cells = []
        for f in fams:
            st = e["variants"].get(f, {})
            cells.append(f"{st['passed']}/{st['ran']}" if st.get("status") == "ran"
                         else WORDS.get(st.get("status"), st.get("status", "–")))
        L.append(f"| {e['version']}{' **yanked**' if e['yanked'] else ''} | {e.get('uploaded') or '?'} | "
                 + " | ".join(cells) + " |")
    L += ["", "A cell is properties passed / run in that release (skipped ones not counted).", ""]
    fails = {f: grouped_failures(data, f) for f in fams}
    if any(fails.values()):
        L += ["### Releases that did not install, build or run", ""]
        seen = {}
        for f in fams:
            for g in fails[f]:
                seen.setdefault(g, []).append(f)
        for (first, last, n, word, why), fs in seen.items():
            who = "every variant" if len(fs) == len(fams) and len(fams) > 1 else ", ".join(f"`{f}`" for f in fs)
            L.append(f"- {span(first, last, n)}" + (f" ({n} releases)" if n > 1 else "")
                     + f", {who}: {WORDS.get(word, word)}: {why}")
        L.append("")

    for f in fams:
        ran = data["variants"][f]["ran"]
        L += [f"## `{f}`", ""]
        if not ran:
            L += ["Ran on no release.", ""]
            continue
        L += [f"Ran on {len(ran)} of {len(rel)} releases"
              + (f" ({ran[0]} to {ran[-1]})." if len(ran) > 1 else f" ({ran[0]})."), "",
              "| property | changed at | verdicts by release |", "|---|---|---|"]
        for p in data["properties"]:
            row = data["variants"][f]["properties"][p["id"]]
            ch = "; ".join(change_text(c, yanked) for c in row["changes"]) or "–"
            L.append(f"| {p['id']} {p['name']} | {ch} | {compressed(row)} |")
        L.append("")
    return "\n".join(L) + "\n"


def to_json(data):
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write(out_dir, data):
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, f"history-{data['tool']}")
    for ext, text in (("json", to_json(data)), ("md", render(data))):
        with open(f"{base}.{ext}.tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(f"{base}.{ext}.tmp", f"{base}.{ext}")
    return base


def main(argv):
    tool = None
    if "--tool" in argv:
        k = argv.index("--tool")
        if k + 1 >= len(argv):
            sys.exit("history: --tool needs a tool name")
        tool = argv[k + 1]
        argv = argv[:k] + argv[k + 2:]
    if len(argv) < 2:
        sys.exit(__doc__)
    out_dir, paths = argv[0], argv[1:]
    try:
        timelines = merge(paths, tool)
    except results.Error as e:
        sys.exit(f"history: {e}")
    for t, data in sorted(timelines.items()):
        base = write(out_dir, data)
        ran = sum(any(v.get("status") == "ran" for v in e["variants"].values()) for e in data["releases"])
        print(f"report history: wrote {base}.md and .json ({len(data['releases'])} releases of {t}, "
              f"{ran} ran; {len(changed(data))} property timelines with a change)")
    return 0
