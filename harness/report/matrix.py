"""Renders the conformance matrix (results/conformance.md) from the JSON the
runner writes, and checks that every property failed on at least one
subject (a property nothing fails is a test nobody has seen fail) and
that every failure of a real tool names its class and citation
(harness/report/failure_classes.py).

One row per subject, one column per property, in three tables: the real
binding tools (each named TOOL[+VARIANT]@VERSION, with where it came from,
its origin, a **yanked** mark on a release withdrawn from PyPI, and the
model whose row it matches best), the models (strategy+reduce style), and
the deliberately broken controls. Reads results of either generation
(records keyed "impl" or "subject"; harness/report/conformance_results.py).

usage: harness/report matrix RESULTS.json OUT.md [README.md]
           README.md: also rewrite its generated "what to choose" block
       harness/report matrix --merge OUT.json RUN.json RUN.json...   runs from several
           machines or Python versions as one results file: each subject
           becomes SUBJECT (LABEL), LABEL naming the run's Python and
           Debian release (as wpt.fyi shows one column per browser build)
"""
import collections
import json
import os
import re
import sys

import conformance_results as results          # records of either generation ("impl" or "subject"), today's names
import behaves_like     # the model a real tool behaves like, as the page and README say it
import choose           # what to choose: the key properties, conditions, counts
import failure_classes  # bug, limit, unsupported: every real failure carries one
import subject_origin   # noqa: E402  (results put harness/subjects on the path)


def without_addresses(reason):
    """Addresses change with every run (ASLR): keep them out of a file meant to be diffed."""
    return re.sub(r"0x[0-9a-f]{6,}", "0x...", reason)


def verdict(results):
    """pass, fail (with a count when some parameters passed), unsupported
    (every failure a use the tool declares unsupported), skip, or
    unexpected."""
    ran = [r for r in results if r["status"] != "skip"]
    failing = [r for r in ran if r["status"] in failure_classes.FAILED]
    if not ran:
        return "skip", ""
    if not failing:
        return "pass", ""
    count = "" if len(failing) == len(ran) else f" {len(failing)}/{len(ran)}"
    if not all(r["expected_fail"] for r in failing):
        return "unexpected", count
    return ("unsupported" if all(r["status"] == "unsupported" for r in failing) else "fail"), count


def cell(results):
    kind, count = verdict(results)
    return {"pass": "ok", "skip": "–", "fail": f"**✗**{count}", "unsupported": f"n/s{count}",
            "unexpected": f"**✗!**{count}"}[kind]


def score(row):
    """"passed/ran" over the properties that ran; a use the tool declares
    unsupported is not held against it."""
    counted = [p for p, v in row.items() if v not in ("skip", "unsupported")]
    return f"{sum(row[p] == 'pass' for p in counted)}/{len(counted)}"


def run_label(data):
    """What tells one run from another: Python version and Debian release."""
    python = data["python"].split()[0]
    debian = data.get("machine", {}).get("debian", "")
    return f"py{python}" + (f", debian {debian}" if debian else "")


def merge(out, srcs):
    """One results file from several runs, the subjects labelled by run."""
    runs = [results.load(s) for s in srcs]
    labels = [run_label(d) for d in runs]
    if len(set(labels)) < len(labels):
        labels = [f"{label}, {src}" for label, src in zip(labels, srcs)]
    merged = {"python": " + ".join(d["python"].split()[0] for d in runs),
              "commit": " + ".join(dict.fromkeys(d["commit"] for d in runs)),
              "properties": runs[0]["properties"], "subjects": [], "controls": [], "results": []}
    for d, label in zip(runs, labels):
        rename = lambda name: f"{name} ({label})"
        merged["subjects"] += [dict(s, name=rename(s["name"])) for s in d.get("subjects", [])]
        merged["controls"] += [rename(c) for c in d.get("controls", [])]
        merged["results"] += [dict(r, subject=rename(r["subject"])) for r in d["results"]]
    with open(out, "w") as f:
        json.dump(merged, f, indent=1)


# The binding styles of subjects.txt, as section headings.
STYLES = {"cpp": "C++ object model, children held by the tool's smart pointer (style cpp)",
          "clib": "C library with its own reference counts, bound as C (style clib)",
          "native": "The tool's own object system (style native)",
          "-": "Style not declared"}
MADE = {"python": "Python", "native": "native code"}


def main(src, out, readme=None):
    data = results.load(src)
    props = [p["id"] for p in data["properties"]]
    subjects = results.subjects(data)
    by = collections.defaultdict(list)
    for r in data["results"]:
        by[(r["property"], r["subject"])].append(r)
    tools = {s["name"]: s for s in data.get("subjects", [])}
    controls = set(data.get("controls", []))
    # A subject that ran nothing (its tool is not installed here) gets a
    # line, not a row of skips.
    not_run = {i: next(r["reason"] for r in data["results"] if r["subject"] == i)
               for i in subjects if all(r["status"] == "skip" for r in data["results"] if r["subject"] == i)}
    ran = [i for i in subjects if i not in not_run]
    real = [i for i in ran if i in tools]
    models = [i for i in ran if i not in tools and i not in controls]
    broken = [i for i in ran if i in controls]
    verdicts = {i: {p: verdict(by[(p, i)])[0] for p in props} for i in ran}
    never_failed = [p for p in props
                    if not any(v[p] in ("fail", "unsupported", "unexpected") for v in verdicts.values())]
    unexpected = [(p, i) for i in ran for p in props if verdicts[i][p] == "unexpected"]
    unclassified = failure_classes.unclassified(data, set(real))

    def table(names, extra_header="", extra=lambda i: ""):
        head = "| subject | passed |" + extra_header + " " + " | ".join(props) + " |"
        rule = "|---|---|" + ("---|" if extra_header else "") + "---|" * len(props)
        rows = [f"| `{i}`{yanked(i)} | {score(verdicts[i])} |{extra(i)} " + " | ".join(cell(by[(p, i)]) for p in props) + " |"
                for i in names]
        return [head, rule] + rows

    def yanked(i):
        """A real tool whose release was withdrawn from PyPI is marked wherever it is named."""
        return " **yanked**" if i in tools and subject_origin.is_yanked(tools[i]) else ""

    def like(i):
        names, agree = behaves_like.behaves_like(i, verdicts, models)
        return f" {', '.join(f'`{n}`' for n in names)} ({agree:.0%}) |" if names else " – |"

    python = data["python"].split()[0]
    lines = [
        "# Conformance matrix", "",
        f"Python {python}, commit {data['commit']}. Generated by `make conformance` (published by `make publish`) from one run; "
        "do not edit by hand. Rows are subjects, columns the properties of the catalogue "
        "(what each checks is below). `ok` passed, `✗` failed (`✗ 2/4`: for two of four "
        "parameters, pickle protocols 2..5 or multiprocessing contexts), `–` skipped "
        "(the subject lacks what the test needs; the reason is in `results/conformance.json`), "
        "`✗!` failed where `conformance/expectations/<subject>.txt` does not say it should, "
        "`n/s` failed in a use the tool declares unsupported (not held against it). "
        "*Passed* counts the properties that ran, less those. Every failure of a real tool is "
        "classified (bug, limit or unsupported) with its citation: see the failure reasons below.", "",
        "## What to choose", "",
        *choose.markdown(real, models, tools, verdicts, {p["id"]: p["name"] for p in data["properties"]}), "",
        "## Real binding tools", "",
        "Each driven through an adapter written the way that tool's users write bindings "
        "(harness/subjects/README.md), pinned as named. *Behaves like*: the model whose row "
        "agrees with the tool's on the most properties both ran (the share in brackets). Grouped by "
        "binding style (subjects.txt): compare tools within a group. *Made in*: where the natives the "
        "suite reads are made, which decides some tools' identity.",
    ]
    # Within a style, rows compare tools; across styles, they compare bindings.
    for style in STYLES:
        members = [i for i in real if (tools[i].get("style") or "-") == style]
        if members:
            lines += ["", f"### {STYLES[style]}", ""] + table(members, " made in | behaves like |",
                                                             lambda i: f" {MADE.get(tools[i].get('made'), '–')} |" + like(i))
    lines += ["", "| subject | installed from | origin | yanked |", "|---|---|---|---|"]
    lines += [f"| `{i}` | {tools[i]['source']} | {subject_origin.origin(tools[i]) or '–'} | "
              + (f"**yanked**: {subject_origin.yanked_reason(tools[i])}" if subject_origin.is_yanked(tools[i]) else "–")
              + " |" for i in real]
    lines += ["", "## Models", "",
              "The built-in strategies (docs/design.md: fresh, weakdict, hashmap, intrusive, toggle, revive, "
              "leaky), each with node-style or graph-style pickling (`+none`: no pickling).", ""]
    lines += table(models)
    lines += ["", "## Controls", "",
              "Deliberately broken strategies, kept to prove that each property can fail.", ""]
    lines += table(broken)
    if not_run:
        lines += ["", "## Not run here", ""] + [f"- `{i}`: {why}" for i, why in not_run.items()]
    lines += ["", "## What each property checks", ""]
    lines += [f"- **{p['id']}** {p['name']}: {p['checks']}. *Why:* {p['why']}." for p in data["properties"]]
    lines += ["", "## Failure reasons measured in this run", ""]
    for i in real + models + broken:
        for p in props:
            failing = [r for r in by[(p, i)] if r["status"] in failure_classes.FAILED]
            reasons = list(dict.fromkeys(without_addresses(r["reason"]) for r in failing))
            classes = [c for c in dict.fromkeys(failure_classes.label(r) for r in failing) if c]
            if reasons:
                lines.append(f"- **{p}** `{i}`" + (f" ({'; '.join(classes)})" if classes else "")
                             + ": " + "; ".join(reasons))
    open(out, "w").write("\n".join(lines) + "\n")
    if readme:
        with open(readme + ".tmp", "w") as f:
            f.write(choose.replace_block(readme, choose.markdown(
                real, models, tools, verdicts, {p["id"]: p["name"] for p in data["properties"]},
                every_subject=True)))
        os.replace(readme + ".tmp", readme)
    refusals = []
    if never_failed:
        refusals.append("matrix.py: these properties failed on no subject, so nothing shows they can "
                        "fail: " + ", ".join(never_failed) + ". Add a broken control that fails each.")
    if unclassified:
        refusals.append("matrix.py: these failures of real tools carry no class or citation, so a reader "
                        "cannot tell a bug from a limitation or an unsupported use:\n"
                        + "\n".join(f"  {i} {p}: {why}" for i, p, why in dict.fromkeys(
                            (i, p, why) for i, p, _, why in unclassified))
                        + "\nClassify each line of conformance/expectations/<subject>.txt as "
                          "`ID  [CLASS: CITATION]  reason` (harness/driver/expect.h).")
    if refusals:
        sys.exit("\n".join(refusals))
    if unexpected:
        print("matrix.py: unexpected failures: " + ", ".join(f"{p} {i}" for p, i in unexpected),
              file=sys.stderr)


def cli(argv):
    if len(argv) >= 4 and argv[0] == "--merge":
        merge(argv[1], argv[2:])
    elif len(argv) in (2, 3):
        main(*argv)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
