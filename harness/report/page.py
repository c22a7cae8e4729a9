"""One static results page: which binding keeps one wrapper per handle across
pickle and fork, and what it costs.

  harness/report page [CONFORMANCE.json] BENCH.json OUT.html

Without CONFORMANCE.json (a benchmark run alone, such as `make bench`) the
page has the costs and the run context, and says where the matrix comes from.

Writes a single self-contained HTML file (inline CSS, no script, no external
assets): the conformance matrix (rows are properties, columns are subjects:
real binding tools, then models, then controls), a "what to choose" summary
computed from it, the per-access cost table with the spread over
repetitions, and the run context. When release timelines (history-TOOL.json,
`make history`) lie beside CONFORMANCE.json, a section below the matrix
says per tool which properties' verdicts changed and at which release. Every matrix cell carries data-subject,
data-property and data-status (pass, fail, unsupported, skip, unexpected)
for tests; a real tool's failing cell names its class and citation on hover,
and links to its repro (harness/repros: `make repros` writes them to
build/repros/SUBJECT/PROPERTY/, or $REPROS); harness/report/tests/test_page.py
checks them against the JSON in a real browser.

Standard library only. The cell verdicts come from harness/report/matrix.py and
the benchmark entries are read with harness/report/bench_results.py, so this page, the
matrix and the benchmark report agree.
"""
import collections
import html
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "subjects", "loader"), os.path.join(HERE, "..", "repros")]
import matrix   # noqa: E402  verdict(), without_addresses()
import behaves_like  # noqa: E402  the model a real tool behaves like, as the matrix says it
import choose as choice  # noqa: E402  what to choose: key properties, conditions, tools and subjects counted
import failure_classes  # noqa: E402  a failure's class and citation
import bench_results as report   # noqa: E402  runs(), ns(), split(), stats(), FLOOR
import instructions  # noqa: E402  instruction counts (make bench MODE=instructions)
import conformance_results as results  # noqa: E402  conformance records of either generation, today's names
from formats import fmt_num, fmt_ns  # noqa: E402
import subject_origin  # noqa: E402  origin and yanked mark (results put harness/subjects on the path)
import history  # noqa: E402  release timelines (make history): what changed, where
import compose as repros  # noqa: E402  which failing cells of real tools have a repro (harness/repros)

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# Where `make repros` writes the repros the matrix links to.
REPROS = os.environ.get("REPROS") or os.path.join(ROOT, "build", "repros")

# The question the page answers: one wrapper per handle that survives
# pickle and fork (harness/report/choose.py). Each must be in the JSON to count.
KEY = choice.KEY
WORKLOADS = ("hot", "cold", "churn")
SYMBOL = {"pass": "✓", "fail": "✗", "skip": "–", "unexpected": "!", "unsupported": "n/s"}
WORD = {"pass": "passed", "fail": "failed", "skip": "skipped", "unexpected": "failed unexpectedly",
        "unsupported": "failed in a use the tool declares unsupported (not counted against it)"}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1f24;background:#fff;margin:0 auto;padding:1rem 1.5rem 3rem;max-width:1500px}
h1{font-size:1.5rem;margin:.2rem 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .4rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
p.lead{margin:.2rem 0 1rem;color:#424a53;max-width:62rem}
code,.mono{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.86em}
.choose{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1.1rem;max-width:70rem}
.choose li{margin:.25rem 0}.choose ul{padding-left:1.2rem;margin:.3rem 0}
table{border-collapse:collapse}caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.4rem 0 .6rem;padding:0;list-style:none;font-size:.9rem}
.legend li{display:flex;align-items:center;gap:.35rem}
.sw{display:inline-block;width:1.3rem;height:1.3rem;line-height:1.3rem;text-align:center;border:1px solid #8c959f;font-weight:700;font-size:.8rem}
.matrix{font-size:.82rem}
.matrix th,.matrix td{border:1px solid #d8dee4}
.matrix thead th.group{font-weight:600;background:#f6f8fa;padding:.2rem .4rem;text-align:left}
.matrix thead th.col{vertical-align:bottom;padding:.3rem 0;height:10.5rem;font-weight:500;background:#fff}
.matrix thead th.col span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block}
.matrix thead th.real span{font-weight:650}
.matrix th.prop{text-align:left;white-space:nowrap;padding:.1rem .5rem;font-weight:400;background:#fff}
.matrix th.prop b{display:inline-block;width:2.1rem;font-family:"DejaVu Sans Mono",monospace}
.matrix tr.family th,.matrix tr.family td{border-top:2px solid #8c959f}
.matrix tr.key th.prop{background:#fff8c5}
.matrix td.c{width:2rem;min-width:2rem;height:1.55rem;text-align:center;padding:0;font-weight:700;line-height:1}
.matrix td.c small{display:block;font-size:.62rem;font-weight:600}
.matrix td.c a{color:inherit;text-decoration:none;display:block}
.matrix tr.score th,.matrix tr.score td{background:#f6f8fa;font-size:.66rem;white-space:nowrap;text-align:center;font-weight:600;padding:.15rem 0}
.matrix tr.score th{text-align:left;padding-left:.5rem}
.matrix .g0{border-left:3px solid #57606a}
.matrix tbody tr:hover th.prop{background:#ddf4ff}
.pass{background:#aceebb;color:#0f5323}.fail{background:#ffcecb;color:#82071e}
.skip{background:#eaeef2;color:#57606a}.unexpected{background:#ffb000;color:#3b2300}
.unsupported{background:repeating-linear-gradient(135deg,#eaeef2 0 4px,#d0d7de 4px 8px);color:#424a53;font-size:.6rem}
.cost th,.cost td{border:1px solid #d8dee4;padding:.25rem .55rem;text-align:right;vertical-align:top}
.cost th[scope=row]{text-align:left;white-space:nowrap}
.cost thead th{background:#f6f8fa;text-align:center}
.cost td small,.cost th small{display:block;color:#57606a;font-size:.74rem;font-weight:400}
.cost tbody.floors th,.cost tbody.floors td{background:#f6f8fa}
.cost tbody.models tr:first-child>*{border-top:2px solid #8c959f}
.cost td.k{text-align:center;white-space:nowrap;padding:.25rem .3rem}
.cost td.k span{display:inline-block;width:1.25rem;margin:0 1px;font-weight:700;font-size:.8rem}
.ctx th,.ctx td{border:1px solid #d8dee4;padding:.2rem .55rem;text-align:left;vertical-align:top}
.ctx thead th,.ctx tbody th{background:#f6f8fa}
.choose ul.defs{font-size:.88rem;color:#424a53;margin-top:0}
.choose .cond{color:#82071e}
.note{color:#57606a;font-size:.88rem;max-width:70rem}
.hist{font-size:.86rem;margin:.3rem 0 .4rem}.hist th,.hist td{border:1px solid #d8dee4;padding:.2rem .5rem;text-align:left;vertical-align:top}
.hist thead th{background:#f6f8fa}.hist td.props b{font-family:"DejaVu Sans Mono",monospace;font-weight:600}
ul.gaps{margin:.2rem 0 .6rem;padding-left:1.2rem}ul.gaps code{font-size:.8em;word-break:break-word}
.hist td.when{white-space:nowrap}.hist .v{display:inline-block;min-width:1.1rem;text-align:center;font-weight:700;border-radius:2px;padding:0 .15rem}h3.tool{font-size:1.02rem;margin:1.2rem 0 .2rem}h3.tool small{font-weight:400;color:#57606a}
abbr.yanked{display:inline-block;font-size:.7rem;font-weight:700;text-decoration:none;color:#82071e;background:#ffebe9;border:1px solid #ff8182;border-radius:3px;padding:0 .25rem;margin:0 .25rem;cursor:help}
"""


def esc(s):
    return html.escape(str(s), quote=True)


# ---------------------------------------------------------------- conformance

class Conformance:
    def __init__(self, data, repro_href=None):
        self.data = data = results.normalise(data, "conformance results")
        self.props = data["properties"]
        self.pid = [p["id"] for p in self.props]
        self.tools = {s["name"]: s for s in data.get("subjects", [])}
        controls = set(data.get("controls", []))
        seen = results.subjects(data)
        self.by = collections.defaultdict(list)
        for r in data["results"]:
            self.by[(r["subject"], r["property"])].append(r)
        listed = [s["name"] for s in data.get("subjects", [])]
        self.real = [i for i in listed if i in seen] + [i for i in seen if i in self.tools and i not in listed]
        self.models = [i for i in seen if i not in self.tools and i not in controls]
        self.controls = [i for i in seen if i in controls]
        self.subjects = self.real + self.models + self.controls
        self.verdict = {(i, p): matrix.verdict(self.by[(i, p)]) for i in self.subjects for p in self.pid}
        self.status = {k: v[0] for k, v in self.verdict.items()}
        self.not_run = {i: next((r["reason"] for r in data["results"] if r["subject"] == i), "")
                        for i in self.subjects if all(self.status[(i, p)] == "skip" for p in self.pid)}
        self.key = [p for p in KEY if p in self.pid]
        self.names = {p["id"]: p["name"] for p in self.props}
        # (subject, property) -> its repro's directory under REPROS, for a real tool's failing cell
        self.repro = {(c.subject, c.prop): c.dirname() for c in repros.plan(data) if not c.why}
        self.repro_href = repro_href   # REPROS relative to the page, or None: no links

    def score(self, subject):
        """(passed, counted): a use the tool declares unsupported is not held against it."""
        ran = [p for p in self.pid if self.status[(subject, p)] not in ("skip", "unsupported")]
        return sum(self.status[(subject, p)] == "pass" for p in ran), len(ran)

    def unsupported(self, subject):
        return [p for p in self.pid if self.status[(subject, p)] == "unsupported"]

    def row(self, subject):
        return {p: self.status[(subject, p)] for p in self.pid}

    def behaves_like(self, subject):
        return behaves_like.behaves_like(subject, {i: self.row(i) for i in [subject] + self.models}, self.models)

    def failed(self, subject):
        return [p for p in self.pid if self.status[(subject, p)] in ("fail", "unexpected")]

    def label(self, subject):
        s = self.tools.get(subject)
        return tool_label(s) if s else subject

    def tooltip(self, subject, prop):
        status, count = self.verdict[(subject, prop)]
        rs = self.by[(subject, prop)]
        head = f"{self.label(subject)} · {prop} {self.names[prop]}: {WORD[status]}{count}"
        if status == "pass":
            params = [r["param"] for r in rs if r["param"]]
            return head + (f" ({', '.join(params)})" if params else "")
        lines = []
        want = ("skip",) if status == "skip" else failure_classes.FAILED
        for reason, params in group_reasons(r for r in rs if r["status"] in want):
            lines.append((f"[{', '.join(params)}] " if params else "") + reason)
        if subject in self.tools and status != "skip":   # what kind of failure, and who says so
            classes = list(dict.fromkeys(failure_classes.label(r) for r in rs if r["status"] in want))
            lines += [f"class {c}" if c else "class: none given (make conformance refuses this)" for c in classes]
        if status == "unexpected":
            lines.append("not listed in conformance/expectations/ as an expected failure")
        if (subject, prop) in self.repro:
            lines.append(f"repro: {os.path.join(os.path.relpath(REPROS, ROOT), self.repro[(subject, prop)])}/ "
                         "(make repros; click the cell)")
        return head + "\n" + "\n".join(lines)

    def link(self, subject, prop, content):
        """content, as a link to the cell's repro where it has one."""
        # Only a repro that is there (make repros wrote it): no dead links.
        if (self.repro_href is None or (subject, prop) not in self.repro
                or not os.path.exists(os.path.join(REPROS, self.repro[(subject, prop)], "README.md"))):
            return content
        return f'<a href="{esc(self.repro_href + "/" + self.repro[(subject, prop)] + "/README.md")}">{content}</a>'


def group_reasons(results):
    """(reason without addresses, [params]) in first-seen order."""
    out = collections.OrderedDict()
    for r in results:
        out.setdefault(matrix.without_addresses(r["reason"]) or "(no reason given)", []).append(r["param"])
    return [(k, [p for p in v if p]) for k, v in out.items()]


def tool_label(s):
    return f"{s['tool']} {s['version']}" + (f" +{s['variant']}" if s.get("variant") else "")


def yanked_mark(s):
    """A visible "yanked" on a release withdrawn from PyPI, the maintainers' reason on hover."""
    if not s or not subject_origin.is_yanked(s):
        return ""
    return f'<abbr class="yanked" title="{esc(subject_origin.yanked_reason(s))}">yanked</abbr>'


def provenance_lines(s):
    """Where a real tool came from, as tooltip lines."""
    lines = [f"installed from {s['source']}"]
    if subject_origin.origin(s):
        lines.append(f"origin: {subject_origin.origin(s)}")
    if subject_origin.is_yanked(s):
        lines.append(f"yanked: {subject_origin.yanked_reason(s)}")
    return lines


# ---------------------------------------------------------------- benchmarks

class Bench:
    def __init__(self, data):
        self.data = data = report.canonical_names(data)
        self.ctx = data.get("context", {})
        self.tools = {s["name"]: s for s in self.ctx.get("subjects", [])}
        all_runs = report.runs(data)
        floor = all_runs.get(report.FLOOR, {})
        self.fig = {}   # (workload, subject) -> {"ns": stat, "ratio": stat}
        self.fp = {}    # subject -> (N, stat of bytes per live handle)
        self.reps = max((len(r) for r in all_runs.values()), default=0)
        for name, reps in all_runs.items():
            w, subject, size = report.split(name)
            if name in (report.FLOOR, "floor_pointer"):
                w, subject = "floor", name
            times = [report.ns(b) for b in reps.values()]
            ratios = [b["floor_ratio"] if "floor_ratio" in b else
                      (report.ns(b) / report.ns(floor[k]) if k in floor else None)
                      for k, b in reps.items()]
            if w in WORKLOADS or w == "floor":
                self.fig[(w, subject)] = {"ns": report.stats(times), "ratio": report.stats(ratios)}
            elif w == "footprint":
                if subject not in self.fp or (size or 0) > self.fp[subject][0]:
                    self.fp[subject] = (size, report.stats([b.get("bytes_per_handle") for b in reps.values()]))
        subjects = {i for (w, i) in self.fig if w in WORKLOADS} | set(self.fp)
        self.real = sorted((i for i in subjects if i in self.tools or "@" in i),
                           key=lambda i: (list(self.tools).index(i) if i in self.tools else 999, i))
        self.models = sorted(i for i in subjects if i not in self.real)

    def label(self, subject):
        s = self.tools.get(subject)
        return tool_label(s) if s else subject

    def hot(self, subject):
        return self.fig.get(("hot", subject))


# ---------------------------------------------------------------- page parts

def matrix_table(c):
    # Real tools by binding style (subjects.txt): compare columns within a group.
    styles = {"cpp": "C++ model", "clib": "C library", "native": "own objects", "": "real tools"}
    by_style = [(f"Real: {styles[st]}", [i for i in c.real if (c.tools[i].get("style") or "") == st], "real")
                for st in styles]
    groups = by_style + [("Models (built-in strategies)", c.models, "model"),
                         ("Controls (broken on purpose)", c.controls, "control")]
    groups = [g for g in groups if g[1]]
    first = {g[1][0] for g in groups}

    def gcls(i):
        return ' g0' if i in first else ''

    out = ['<table class="matrix" id="matrix">',
           '<caption>Conformance matrix: one row per property, one column per subject '
           '(hover a cell for the reason, a property for what it checks)</caption>',
           '<colgroup><col></colgroup>']
    out += [f'<colgroup span="{len(m)}" class="{k}"></colgroup>' for _, m, k in groups]
    out.append('<thead><tr><td></td>' + "".join(
        f'<th scope="colgroup" colspan="{len(m)}" class="group g0">{esc(t)} ({len(m)})</th>'
        for t, m, _ in groups) + '</tr>')
    cells = []
    for t, members, kind in groups:
        for i in members:
            tip = [i]
            if i in c.tools:
                tip += provenance_lines(c.tools[i])
                if c.tools[i].get("style"):
                    tip.append(f"binding style {c.tools[i]['style']}, natives made in "
                               f"{c.tools[i].get('made') or '?'} (subjects.txt)")
                names, agree = c.behaves_like(i)
                if names:
                    tip.append(f"behaves like model {', '.join(names)} ({agree:.0%} agreement)")
            if i in c.not_run:
                tip.append(f"not run here: {c.not_run[i]}")
            cells.append(f'<th scope="col" class="col {kind}{gcls(i)}" data-subject="{esc(i)}" '
                         f'title="{esc(chr(10).join(tip))}"><span>{esc(c.label(i))}'
                         f'{" (not run)" if i in c.not_run else ""}{yanked_mark(c.tools.get(i))}</span></th>')
    out.append('<tr><th scope="col" class="prop">property</th>' + "".join(cells) + '</tr>')
    scores = []
    for i in c.subjects:
        passed, ran = c.score(i)
        scores.append(f'<td class="{gcls(i).strip()}" data-subject="{esc(i)}" data-passed="{passed}" '
                      f'data-ran="{ran}" title="{esc(c.label(i))}: {passed} of {ran} properties that ran passed">'
                      f'{passed}/{ran}</td>' if ran else
                      f'<td class="{gcls(i).strip()}" data-subject="{esc(i)}" data-passed="0" data-ran="0" '
                      f'title="{esc(c.label(i))}: nothing ran">–</td>')
    out.append('<tr class="score"><th scope="row" title="a use the tool declares unsupported (n/s) is not counted">'
               'passed / ran</th>' + "".join(scores) + '</tr></thead><tbody>')
    family = None
    for p in c.props:
        cls = []
        if p["id"][:1] != family and family is not None:
            cls.append("family")
        family = p["id"][:1]
        if p["id"] in c.key:
            cls.append("key")
        row = [f'<tr class="{" ".join(cls)}"><th scope="row" class="prop" title="{esc(p["checks"])}'
               f'{esc(chr(10) + "Why: " + p["why"]) if p.get("why") else ""}">'
               f'<b>{esc(p["id"])}</b>{esc(p["name"])}</th>']
        for i in c.subjects:
            status, count = c.verdict[(i, p["id"])]
            small = f"<small>{esc(count.strip())}</small>" if count else ""
            row.append(f'<td class="c {status}{gcls(i)}" data-subject="{esc(i)}" data-property="{esc(p["id"])}" '
                       f'data-status="{status}" title="{esc(c.tooltip(i, p["id"]))}">'
                       f'{c.link(i, p["id"], SYMBOL[status] + small)}</td>')
        out.append("".join(row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def legend():
    items = [("pass", "passed (every parameter)"),
             ("fail", "failed, as the subject's expectations say it does; a count such as 2/4 means "
                      "two of four parameters (pickle protocols, start methods) failed"),
             ("skip", "skipped: the subject lacks what the test needs (reason on hover)"),
             ("unsupported", "failed in a use the tool declares unsupported: not counted against it"),
             ("unexpected", "failed where the expectations do not say it should")]
    return ('<ul class="legend" aria-label="legend">' + "".join(
        f'<li><span class="sw {k}" aria-hidden="true">{SYMBOL[k]}</span>{esc(t)}</li>' for k, t in items)
        + '<li><span class="sw" style="background:#fff8c5" aria-hidden="true"></span>'
          'highlighted rows: the properties the summary is about</li></ul>')


def cost_phrase(b, subject):
    if not b:
        return ""
    h, fp = b.hot(subject), b.fp.get(subject)
    bits = []
    if h and h["ratio"]:
        bits.append(f"hot access {h['ratio']['median']:.2f}× the floor ({fmt_ns(h['ns']['median'])})")
    elif h:
        bits.append(f"hot access {fmt_ns(h['ns']['median'])}")
    if fp and fp[1]:
        bits.append(f"{fp[1]['median']:.0f} B per live handle")
    return ", ".join(bits)


def choose(c, b):
    """The summary, computed: which real tools and models hold the key properties."""
    key = c.key
    checks = {p["id"]: p["checks"] for p in c.props}
    keyname = ", ".join(f'<b title="{esc(checks[p])}">{p}</b> {esc(c.names[p])}' for p in key)
    real = [i for i in c.real if i not in c.not_run]
    full = [i for i in real if all(c.status[(i, p)] == "pass" for p in key)]

    def hot_ratio(i):
        h = b.hot(i) if b else None
        return h["ratio"]["median"] if h and h["ratio"] else float("inf")

    full.sort(key=lambda i: (len(c.failed(i)), hot_ratio(i)))

    def only_where(i):
        """The conditions its record carries (conditions.txt, a yanked release), as a clause."""
        conds = choice.conditions(c.tools.get(i))
        return (f' <span class="cond" data-conditions="{len(conds)}">(only where: '
                f'{esc("; ".join(conds))})</span>') if conds else ""

    def item(i, name):
        other = c.failed(i)
        also = (f'; also fails {", ".join(f"{p} {esc(c.names[p])}" for p in other)}' if other
                else "; passes every other property that ran")
        if c.unsupported(i):
            also += f'; declares unsupported {", ".join(f"{p} {esc(c.names[p])}" for p in c.unsupported(i))}'
        cost = cost_phrase(b, i)
        return f'<li data-choice="{esc(i)}">{name}{only_where(i)}{" — " + cost if cost else ""}{also}.</li>'

    if not key:
        return ('<div class="choose" id="choose"><p>This catalogue has none of '
                f'{", ".join(KEY)}; see the matrix.</p></div>')
    L = ['<div class="choose" id="choose">',
         f'<p><b>Stable identity across pickle and fork</b> needs {len(key)} properties to hold: {keyname} '
         '(highlighted in the matrix):</p>']
    L.append('<ul class="defs">' + "".join(f"<li><b>{p}</b>: {esc(checks[p])}</li>" for p in key)
             + "</ul><p>")
    if full:
        L[-1] += (f'Real tools tested here: {choice.counted(real, c.tools)}. Of these, '
                  f'{choice.counted(full, c.tools)} pass all {len(key)}:</p><ul>')
        L += [item(i, f"<b>{esc(c.label(i))}</b>") for i in full]
        L.append("</ul>")
        priced = [i for i in full if hot_ratio(i) != float("inf")]
        if len(priced) > 1:
            cheapest = min(priced, key=hot_ratio)
            L.append(f'<p>Cheapest of these on hot access: <b>{esc(c.label(cheapest))}</b>{only_where(cheapest)}. '
                     'Listed by fewest other failures, then hot cost.</p>')
    elif real:
        L[-1] += f'None of the real tools tested here ({choice.counted(real, c.tools)}) passes all {len(key)}.</p>'
    else:
        L[-1] += ('This conformance run has no real binding tools ("subjects" is empty or missing: '
                  'none installed, or a file from before the real tools were added).</p>')
    rest = collections.defaultdict(list)
    for i in real:
        if i not in full:
            rest[tuple(p for p in key if c.status[(i, p)] != "pass")].append(i)
    if rest:
        L.append("<p>The others, by what they lose:</p><ul>")
        for miss, names in sorted(rest.items(), key=lambda kv: (len(kv[0]), kv[0])):
            what = ", ".join(f"{p} {esc(c.names[p])}"
                             + (" (skipped)" if all(c.status[(i, p)] == "skip" for i in names) else "")
                             for p in miss)
            L.append(f'<li>not {what}: ' + ", ".join(f"{esc(c.label(i))}{yanked_mark(c.tools.get(i))}"
                                                    for i in names) + "</li>")
        L.append("</ul>")
    models = [m for m in c.models if all(c.status[(m, p)] == "pass" for p in key)]
    if models:
        L.append(f'<p>Built-in models that pass all {len(key)} (the strategies to compare a binding '
                 'with; their other failures matter too):</p><ul>')
        L += [item(m, f"<code>{esc(m)}</code>") for m in sorted(models, key=lambda m: (len(c.failed(m)), hot_ratio(m)))]
        L.append("</ul>")
    if c.not_run:
        L.append('<p class="note">Not run here (not installed): '
                 + ", ".join(esc(c.label(i)) for i in c.not_run) + ".</p>")
    unexpected = [(i, p) for i in c.subjects for p in c.pid if c.status[(i, p)] == "unexpected"]
    if unexpected:
        L.append(f'<p><b>{len(unexpected)} unexpected failure(s)</b> in this run: '
                 + ", ".join(f"{esc(p)} {esc(c.label(i))}" for i, p in unexpected) + ".</p>")
    L.append("</div>")
    return "\n".join(L)


def fig_cell(f, kind):
    if not f or not f[kind]:
        return '<td>–</td>'
    s = f[kind]
    if kind == "ns":
        unit = fmt_ns(s["median"]).split()[1]
        main, lo, hi = fmt_ns(s["median"]), fmt_num_like(s["min"], s["median"]), f'{fmt_num_like(s["max"], s["median"])} {unit}'
    else:
        main, lo, hi = f"{s['median']:.2f}×", f"{s['min']:.2f}", f"{s['max']:.2f}×"
    spread = f"{lo}–{hi}" if s["n"] > 1 else "1 repetition"
    return f'<td>{main}<small>{spread}</small></td>'


def fmt_num_like(v, ref):
    """v in the unit fmt_ns would choose for ref, without the unit."""
    for scale in (1e6, 1e3):
        if ref >= scale:
            return fmt_num(v / scale)
    return fmt_num(v)


def cost_table(b, c):
    key = c.key if c else []
    head = ['<table class="cost" id="cost"><caption>Cost per access: median over repetitions, the range '
            '(min–max over repetitions) below each figure</caption><thead><tr>'
            '<th scope="col" rowspan="2">subject</th>']
    if key:
        head.append(f'<th scope="col" rowspan="2" title="conformance of this subject on the key properties">'
                    f'{" ".join(key)}<small>conformance</small></th>')
    head += [f'<th scope="colgroup" colspan="2">{w}</th>' for w in WORKLOADS]
    head.append('<th scope="col" rowspan="2">bytes per<br>live handle</th></tr><tr>')
    head += ['<th scope="col">time</th><th scope="col">× floor</th>' for _ in WORKLOADS]
    head.append("</tr></thead>")
    rows = list(head)

    def row(subject, label):
        r = [f'<tr data-subject="{esc(subject)}"><th scope="row">{label}</th>']
        if key:
            if subject in (c.subjects if c else []):
                r.append('<td class="k">' + "".join(
                    f'<span class="{c.status[(subject, p)]}" title="{p} {esc(c.names[p])}: '
                    f'{WORD[c.status[(subject, p)]]}">{SYMBOL[c.status[(subject, p)]]}</span>' for p in key) + "</td>")
            else:
                r.append('<td class="k">–</td>')
        for w in WORKLOADS:
            f = b.fig.get((w, subject))
            r += [fig_cell(f, "ns"), fig_cell(f, "ratio")]
        fp = b.fp.get(subject)
        if fp and fp[1]:
            s = fp[1]
            spread = (f'{s["min"]:.0f}–{s["max"]:.0f}' if f'{s["min"]:.0f}' != f'{s["max"]:.0f}'
                      else f"same in all {s['n']}" if s["n"] > 1 else "1 repetition")
            r.append(f'<td>{s["median"]:.0f}<small>{spread}</small></td>')
        else:
            r.append("<td>–</td>")
        return "".join(r) + "</tr>"

    floors = [n for n in (report.FLOOR, "floor_pointer") if ("floor", n) in b.fig]
    if floors:
        rows.append('<tbody class="floors">')
        what = {report.FLOOR: "floor: <code>__slots__</code> member read",
                "floor_pointer": "floor: raw C pointer chase"}
        for n in floors:
            f = b.fig[("floor", n)]
            cells = [f'<tr data-subject="{esc(n)}"><th scope="row">{what[n]}<small>{esc(n)}</small></th>']
            if key:
                cells.append('<td class="k"></td>')
            cells += [fig_cell(f, "ns"), fig_cell(f, "ratio")] + ['<td></td>'] * (2 * len(WORKLOADS) - 2 + 1)
            rows.append("".join(cells) + "</tr>")
        rows.append("</tbody>")
    rows.append('<tbody class="real">')
    rows += [row(i, f'{esc(b.label(i))}{yanked_mark(b.tools.get(i))}<small>{esc(i)}</small>') for i in b.real]
    rows.append('</tbody><tbody class="models">')
    rows += [row(i, f'<code>{esc(i)}</code><small>model</small>') for i in b.models]
    rows.append("</tbody></table>")
    return "\n".join(rows)


def context_section(c, b):
    conf = c.data if c else {}
    ctx = b.ctx if b else {}
    items = [
        ("conformance run", f"commit {conf.get('commit', '?')}, Python {str(conf.get('python', '?')).split()[0]}"
                            if c else "none in this directory (the costs alone)"),
        ("benchmark run", f"commit {ctx.get('commit', '?')}, {ctx.get('date', '?')}, Python {ctx.get('python', '?')}"),
        ("compiler", ctx.get("compiler", "?")),
        ("CPU", f"{ctx.get('cpu', '?')}, {ctx.get('num_cpus', '?')} cores at {ctx.get('mhz_per_cpu', '?')} MHz, "
                f"{ctx.get('machine', '?')}; CPU scaling {'on' if ctx.get('cpu_scaling_enabled') else 'off'}"),
        ("Google Benchmark", f"{b.reps if b else '?'} repetitions per benchmark; library built as "
                             f"{ctx.get('library_build_type', '?')}"),
    ]
    out = ['<table class="ctx" id="context"><caption>Run context</caption><tbody>']
    out += [f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in items]
    out.append("</tbody></table>")
    known = [x for x in (conf.get("commit"), ctx.get("commit")) if x and x != "unknown"]
    if len(known) == 2 and known[0] != known[1]:
        out.append(f'<p class="note">The two runs are from different commits '
                   f'({esc(conf["commit"])} and {esc(ctx["commit"])}).</p>')
    tools = collections.OrderedDict()
    for src, lst in (("conformance", conf.get("subjects", [])), ("benchmarks", ctx.get("subjects", []))):
        for s in lst:
            tools.setdefault(s["name"], {})[src] = s
    if not tools:
        return "\n".join(out)
    out.append('<table class="ctx" id="tools"><caption>The real binding tools</caption><thead><tr>'
               '<th scope="col">subject</th><th scope="col">tool</th><th scope="col">version</th>'
               '<th scope="col">variant</th><th scope="col">installed from</th>'
               '<th scope="col">origin</th><th scope="col">in</th></tr></thead><tbody>')
    for name, by in tools.items():
        s = next(iter(by.values()))
        srcs = sorted({v["source"] for v in by.values()})
        runs = " and ".join(by)
        if c and name in c.not_run:
            runs += " (conformance: not run here)"
        origins = sorted({subject_origin.origin(v) for v in by.values()} - {""})
        yanked = next((v for v in by.values() if subject_origin.is_yanked(v)), None)
        out.append(f'<tr><th scope="row"><code>{esc(name)}</code>{yanked_mark(yanked)}</th>'
                   f'<td>{esc(s["tool"])}</td><td>{esc(s["version"])}</td><td>{esc(s.get("variant") or "")}</td>'
                   f'<td>{"<br>".join(esc(x) for x in srcs)}</td><td>{"<br>".join(esc(x) for x in origins) or "–"}</td>'
                   f'<td>{esc(runs)}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def no_matrix():
    """What stands in for the summary and the matrix on a page of a benchmark run alone."""
    return ('<p class="note" id="no-conformance">This directory has no conformance run, so this page has '
            'the costs alone. <code>make conformance RESULTS=</code><i>this directory</i> adds the matrix '
            'and what to choose from it; the published ones are in <code>results/index.html</code>.</p>')


def pythons_section(data):
    """Where a verdict depends on the interpreter (harness/report/pythons.py's merge)."""
    import pythons
    pys, diff = data["pythons"], pythons.differing(data)
    out = ['<h2 id="pythons">Across Python versions</h2>',
           f'<p class="note">The catalogue on CPython {", ".join(pys)}, one run each (<code>make pythons</code>). '
           + (f'{len(diff)} verdicts depend on the version:' if diff else
              'Every subject that ran on several versions got the same verdict on each.') + '</p>']
    if diff:
        out.append('<table class="cost" id="pythons-diff"><thead><tr><th scope="col">subject</th>'
                   '<th scope="col">property</th>' + "".join(f'<th scope="col">{esc(p)}</th>' for p in pys)
                   + '</tr></thead><tbody>')
        for subject, prop, cells in diff:
            out.append(f'<tr><th scope="row">{esc(subject)}</th><td>{esc(prop)}</td>' + "".join(
                f'<td class="k"><span class="{cells[p]}">{SYMBOL[cells[p]]}</span></td>' if p in cells
                else "<td></td>" for p in pys) + "</tr>")
        out.append("</tbody></table>")
    missing = sorted({(s, why) for s, by in data["not_run"].items() for why in by.values()})
    if missing:
        out.append('<p class="note">Not run on every version: ' + "; ".join(
            f"<code>{esc(s)}</code> ({esc(matrix.without_addresses(why))})" for s, why in missing) + ".</p>")
    return "\n".join(out)


def history_section(timelines):
    """Release timelines (history-TOOL.json of make history): per tool, the
    properties whose verdict changed and at which release, and the releases
    that did not install, build or run."""
    out = ['<p class="note">One conformance run per release of a tool (<code>make history '
           'TOOL=...</code>, published by <code>make publish-history</code>); each tool\'s '
           '<code>history-TOOL.md</code> beside this page has every property\'s verdict at every release. '
           'A change is named at the first release with the new verdict; the expectation files '
           'play no part (a failure they do not list, or class as unsupported, is a failure here).</p>']
    for data in timelines:
        tool, rel = data["tool"], data["releases"]
        yanked = {e["version"] for e in rel if e["yanked"]}
        sel = data.get("selection") or {}
        span = f"{rel[0]['version']} to {rel[-1]['version']}" if rel else "none"
        ran = sum(any(v.get("status") == "ran" for v in e["variants"].values()) for e in rel)
        out.append(f'<section class="timeline" id="history-{esc(tool)}" data-tool="{esc(tool)}">'
                   f'<h3 class="tool">{esc(tool)} <small>{len(rel)} releases, {esc(span)}'
                   + (f' ({len(yanked)} yanked)' if yanked else "") + f', {ran} ran'
                   + (f'; {esc(sel["rule"])}' if sel.get("rule") else "")
                   + f'; <a href="history-{esc(tool)}.md">every verdict</a></small></h3>')
        names = {p["id"]: p["name"] for p in data["properties"]}

        why_yanked = {e["version"]: e.get("yanked_reason") or "yanked on PyPI" for e in rel if e["yanked"]}

        def verdict(v):
            return f'<span class="v {esc(v.split()[0])}">{esc(history.symbol(v))}</span>'

        def when(c):
            mark = (f'<abbr class="yanked" title="{esc(why_yanked[c["release"]])}">yanked</abbr>'
                    if c["release"] in yanked else "")
            return (f'<span data-release="{esc(c["release"])}" data-from="{esc(c["from"])}" data-to="{esc(c["to"])}">'
                    f'{verdict(c["from"])} → {verdict(c["to"])} at <b>{esc(c["release"])}</b>{mark}</span>')
        moved = history.changed_together(data)
        if moved:
            out.append('<table class="hist"><thead><tr><th scope="col">variant</th><th scope="col">changed at</th>'
                       '<th scope="col">properties</th></tr></thead><tbody>')
            for fam, changes, props in moved:
                out.append(f'<tr data-variant="{esc(fam)}"><td><code>{esc(fam)}</code></td>'
                           f'<td class="when">{", then ".join(when(c) for c in changes)}</td><td class="props">'
                           + ", ".join(f'<b title="{esc(names[p])}">{esc(p)}</b>' for p in props) + '</td></tr>')
            out.append('</tbody></table>')
        else:
            out.append('<p class="note">No verdict changed across the releases that ran.</p>')
        gaps = {}
        for fam in data["variants_order"]:
            for first, last, n, word, why in history.grouped_failures(data, fam):
                gaps.setdefault((first, last, n, word, why), []).append(fam)
        if gaps:
            out.append('<ul class="note gaps">' + "".join(
                f'<li><b>{esc(history.span(first, last, n))}</b> '
                + ("" if len(fams) == len(data["variants_order"]) else f'({esc(", ".join(fams))}) ')
                + f'{esc(history.WORDS.get(word, word))}: <code>{esc(why)}</code></li>'
                for (first, last, n, word, why), fams in gaps.items()) + '</ul>')
        out.append('</section>')
    return "\n".join(out)


def load_timelines(directory):
    """The history-TOOL.json files of a results directory: the tools whose
    verdicts changed first, then by name."""
    found = []
    for name in sorted(os.listdir(directory or ".")):
        if name.startswith("history-") and name.endswith(".json"):
            with open(os.path.join(directory or ".", name)) as f:
                found.append(json.load(f))
    return sorted(found, key=lambda data: (not history.changed(data), data["tool"]))


def page(conf, bench, instr=None, timelines=(), pythons=None, repro_href=None):
    c, b = (Conformance(conf, repro_href) if conf else None), Bench(bench)
    floor = b.fig.get(("floor", report.FLOOR))
    floor_txt = (f"A <code>__slots__</code> member read through the same C call path takes "
                 f"{fmt_ns(floor['ns']['median'])} here; every ratio is to that floor, taken per repetition "
                 "(repetition k over repetition k of the floor), so machine-wide slowdowns cancel.") if floor else ""
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ffi-identity results: one wrapper per handle, and its cost</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>ffi-identity: does a native handle map to exactly one Python wrapper?</h1>",
        '<p class="lead">Per binding tool and version: which identity guarantees hold (the matrix) and '
        'what they cost per access (the table below it). Generated from '
        '<code>conformance.json</code> and <code>bench.json</code> by <code>harness/report/page.py</code>; '
        'do not edit by hand.</p>',
    ]
    if c:
        parts += [
            "<h2 id=\"what-to-choose\">What to choose</h2>", choose(c, b),
            "<h2 id=\"conformance\">Which guarantees hold</h2>",
            f'<p class="note">{len(c.pid)} properties × {len(c.subjects)} subjects. Real tools are driven '
            'through adapters written the way each tool\'s users write bindings; models are the suite\'s '
            'own strategies (<code>STRATEGY+STYLE</code>: node- or graph-style pickling); controls are broken on '
            'purpose to prove each test can fail. Hover a property for what it checks, a cell for the '
            'failure or skip reason, a column header for where the tool came from. A real tool\'s failing '
            'cell links to its repro, a script to paste into the tool\'s tracker (<code>make repros</code> '
            'writes them).</p>',
            legend(), '<div style="overflow-x:auto">', matrix_table(c), "</div>",
            pythons_section(pythons) if pythons else "",
        ]
        if timelines:
            parts += ["<h2 id=\"history\">Across releases</h2>", history_section(timelines)]
    else:
        parts.append(no_matrix())
    parts += [
        "<h2 id=\"cost\">What it costs</h2>",
        f'<p class="note">{floor_txt} <b>Hot</b>: the wrapper already exists (a reference is held). '
        '<b>Cold</b>: first access, no wrapper yet. <b>Churn</b>: access and drop, nothing else holds '
        'the wrapper. <b>Bytes per live handle</b>: Python and native memory per handle with '
        f'{", ".join(sorted({str(n) for n, _ in b.fp.values() if n})) or "many"} handles alive.</p>',
        '<div style="overflow-x:auto">', cost_table(b, c), "</div>",
        instructions.page_section(instr, b.fig, b.label) if instr else "",
        "<h2 id=\"run\">Run context</h2>", context_section(c, b),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    *conf_path, bench_path, out = argv
    conf = None
    if conf_path:
        with open(conf_path[0]) as f:
            conf = json.load(f)
    with open(bench_path) as f:
        bench = json.load(f)
    # Instruction counts beside the timings, when the same run directory has them.
    instr_path = os.path.join(os.path.dirname(bench_path), "instructions.json")
    # The matrix across interpreters, when the conformance run's directory has it.
    pythons_path = os.path.join(os.path.dirname(conf_path[0]), "pythons.json") if conf_path else ""
    pythons = None
    if pythons_path and os.path.exists(pythons_path):
        with open(pythons_path) as f:
            pythons = json.load(f)
    # Release timelines (make history) beside the conformance run.
    timelines = load_timelines(os.path.dirname(conf_path[0])) if conf_path else []
    # Links to the repros, relative to the page (they exist once `make repros` has run).
    href = os.path.relpath(REPROS, os.path.dirname(os.path.abspath(out))).replace(os.sep, "/")
    text = page(conf, bench, instructions.load(instr_path) if os.path.exists(instr_path) else None, timelines,
                pythons, href)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
    print(f"report page: wrote {out} ({len(text.encode()) // 1024} KiB)" + ("" if conf else ", the costs alone")
          + (f", {len(timelines)} release timeline(s)" if timelines else ""))


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
