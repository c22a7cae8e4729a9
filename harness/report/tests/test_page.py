#!/usr/bin/env python3
"""The results page in a real browser (TAP).

  test_page.py [CONFORMANCE.json BENCH.json OUTDIR]

Writes OUTDIR/index.html with harness/report/page.py, renders it with headless
Chromium, and checks the DOM Chromium built against the JSON: every
(subject, property) of the conformance run has exactly one matrix cell whose
data-status is the status aggregated here from the raw results (an
independent re-implementation of the rule, not matrix.py's), the columns come
in the order real tools, models, controls, each column's score matches its
cells, failures and skips carry their reason on hover, every benchmarked
subject has a cost row, and the page loads nothing from elsewhere. Keeps
OUTDIR/index.png (a screenshot) as an artifact.

Defaults: results/conformance.json results/bench.json build/page. Skips when
chromium is not installed (apt-get install chromium). CHROMIUM=path picks
another binary.
"""
import collections
import html.parser
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
n_test = 0
failures = 0


def ok(cond, name, diag=()):
    global n_test, failures
    n_test += 1
    print(f"{'ok' if cond else 'not ok'} {n_test} - {name}")
    if not cond:
        failures += 1
        for line in list(diag)[:15]:
            print(f"# {line}")
    return cond


def aggregate(results):
    """skip when nothing ran; pass when nothing failed; unexpected when a
    failure is not an expected one; unsupported when every failure is in a
    use the tool declares unsupported; fail otherwise."""
    ran = [r for r in results if r["status"] != "skip"]
    failed = [r for r in ran if r["status"] in ("fail", "unsupported")]
    if not ran:
        return "skip"
    if not failed:
        return "pass"
    if not all(r["expected_fail"] for r in failed):
        return "unexpected"
    return "unsupported" if all(r["status"] == "unsupported" for r in failed) else "fail"


class Dom(html.parser.HTMLParser):
    """The matrix cells, column headers and scores, and the cost rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.headers, self.scores, self.cost_rows = [], [], [], []
        self.external = []
        self.table = None
        self.in_score = False
        self.text_target = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id")
        if tag == "tr":
            self.in_score = "score" in (a.get("class") or "").split()
            if self.table == "cost" and "data-subject" in a:
                self.cost_rows.append(a["data-subject"])
        if tag in ("script", "img", "iframe", "link", "object", "embed") and (a.get("src") or a.get("href")):
            self.external.append(f"<{tag} {a.get('src') or a.get('href')}>")
        if self.table != "matrix":
            return
        if tag == "td" and "data-property" in a:
            self.cells.append(a)
        elif tag == "th" and "data-subject" in a:
            self.headers.append(a)
        elif tag == "td" and self.in_score and "data-subject" in a:
            a = dict(a, text="")
            self.scores.append(a)
            self.text_target = a

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        if tag == "td":
            self.text_target = None

    def handle_data(self, data):
        if self.text_target is not None:
            self.text_target["text"] += data


def chromium(browser, profile, *args):
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def main(argv):
    conf_path = argv[0] if len(argv) > 0 else os.path.join(ROOT, "results", "conformance.json")
    bench_path = argv[1] if len(argv) > 1 else os.path.join(ROOT, "results", "bench.json")
    out_dir = os.path.abspath(argv[2] if len(argv) > 2 else os.path.join(ROOT, "build", "page"))
    print("TAP version 13")
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not browser:
        print("1..0 # SKIP chromium not installed (apt-get install chromium)")
        return 0
    for p in (conf_path, bench_path):
        if not os.path.exists(p):
            print(f"1..0 # SKIP {p} not found")
            return 0
    print("1..10")
    # Names in today's form, records keyed "subject", whatever the files' age
    # (the page reads them so; harness/report/conformance_results.py, report.canonical_names).
    sys.path[:0] = [os.path.join(ROOT, "report"), os.path.join(ROOT, "subjects", "loader")]
    import bench_results as report
    import conformance_results as results
    conf = results.load(conf_path)
    bench = report.load_results(bench_path)
    os.makedirs(out_dir, exist_ok=True)
    page = os.path.join(out_dir, "index.html")
    shot = os.path.join(out_dir, "index.png")

    r = subprocess.run([sys.executable, os.path.join(ROOT, "report"), "page", conf_path, bench_path, page],
                       capture_output=True, text=True)
    if not ok(r.returncode == 0 and os.path.getsize(page) > 0, "page.py writes the page",
              r.stderr.splitlines()):
        return 1
    text = open(page, encoding="utf-8").read()
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//[^"' >]+|@import|url\(""", text)
    ok(not remote and len(text) < 2_000_000, f"self-contained, {len(text) // 1024} KiB (no external assets)",
       remote)

    with tempfile.TemporaryDirectory() as profile:
        r = chromium(browser, profile, "--dump-dom", "file://" + page)
    dom = Dom()
    dom.feed(r.stdout)
    if not ok(r.returncode == 0 and dom.cells, "chromium renders the page and the matrix has cells",
              [f"exit {r.returncode}"] + r.stderr.splitlines()[-5:]):
        return 1
    for e in dom.external:
        print(f"# loads {e}")

    # Expected statuses, aggregated here from the raw results.
    by = collections.defaultdict(list)
    for res in conf["results"]:
        by[(res["subject"], res["property"])].append(res)
    props = [p["id"] for p in conf["properties"]]
    subjects = list(dict.fromkeys(res["subject"] for res in conf["results"]))
    want = {(i, p): aggregate(by[(i, p)]) for i in subjects for p in props}
    seen = collections.Counter((c.get("data-subject"), c.get("data-property")) for c in dom.cells)
    got = {(c.get("data-subject"), c.get("data-property")): c.get("data-status") for c in dom.cells}
    wrong = [f"{i} {p}: page says {got.get((i, p), 'nothing')}, JSON says {s}"
             for (i, p), s in want.items() if got.get((i, p)) != s]
    ok(not wrong, f"all {len(want)} cells' data-status equal the JSON's aggregated status", wrong)
    extra = [f"{k}: {n} cells" for k, n in seen.items() if n != 1 or k not in want]
    ok(not extra and len(dom.cells) == len(want), "one cell per (subject, property), none extra", extra)

    # Columns: real tools (named in "subjects"), then models, then controls.
    tools = {s["name"] for s in conf.get("subjects", [])}
    controls = set(conf.get("controls", []))
    order = [h["data-subject"] for h in dom.headers]
    group = [0 if i in tools else 2 if i in controls else 1 for i in order]
    ok(sorted(order) == sorted(subjects) and group == sorted(group),
       "columns: every subject once, real tools first, then models, then controls",
       [f"order: {' '.join(order)}"])

    # Scores: passed/counted per column agree with the cells and with the
    # JSON; a use the tool declares unsupported is not counted, as a skip.
    bad = []
    for s in dom.scores:
        i = s["data-subject"]
        cells = [c["data-status"] for c in dom.cells if c["data-subject"] == i]
        passed, ran = cells.count("pass"), len(cells) - cells.count("skip") - cells.count("unsupported")
        want_p = sum(want[(i, p)] == "pass" for p in props)
        want_r = sum(want[(i, p)] not in ("skip", "unsupported") for p in props)
        shown = s["text"].strip()
        if (int(s["data-passed"]), int(s["data-ran"])) != (passed, ran) or (passed, ran) != (want_p, want_r) \
                or shown != (f"{passed}/{ran}" if ran else "–"):
            bad.append(f"{i}: shows {shown!r} ({s['data-passed']}/{s['data-ran']}), cells {passed}/{ran}, "
                       f"JSON {want_p}/{want_r}")
    ok(not bad and len(dom.scores) == len(subjects), f"{len(dom.scores)} column scores add up", bad)

    # Reasons on hover for every failure and skip.
    bare = [f"{c['data-subject']} {c['data-property']} ({c['data-status']})" for c in dom.cells
            if c["data-status"] != "pass" and len((c.get("title") or "").strip().splitlines()) < 2]
    ok(not bare, "every fail, skip and unexpected cell has its reason in the title", bare)

    # Cost rows: every benchmarked subject, real tools first.
    names = {b["run_name"].split("/")[1] for b in bench["benchmarks"]
             if b.get("run_type") == "iteration" and b["run_name"].split("/")[0] in ("hot", "cold", "churn", "footprint")}
    rows = [x for x in dom.cost_rows if not x.startswith("floor")]
    real = [1 if "@" in x else 0 for x in rows]
    ok(set(rows) == names and len(rows) == len(names) and real == sorted(real, reverse=True)
       and "floor_slots" in dom.cost_rows,
       f"cost table: the floor and one row per benchmarked subject ({len(names)}), real tools first",
       [f"missing: {sorted(names - set(rows))}", f"extra: {sorted(set(rows) - names)}"])

    # The screenshot: tall enough for the whole page (an estimate from its parts).
    height = 1100 + 26 * len(props) + 48 * (len(names) + 2) + 28 * len(tools) + 900
    height = max(2000, min(10000, int(math.ceil(height / 100.0) * 100)))
    if os.path.exists(shot):
        os.remove(shot)
    with tempfile.TemporaryDirectory() as profile:
        r = chromium(browser, profile, f"--window-size=1440,{height}", f"--screenshot={shot}", "file://" + page)
    good = os.path.exists(shot) and open(shot, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    ok(good, f"screenshot {shot} (1440x{height})", r.stderr.splitlines()[-5:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
