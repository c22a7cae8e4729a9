"""The end of `make bench` on the console: a few lines a person reads
instead of Google Benchmark's rows.

  harness/report summary BENCH.json RESULTS_DIR

Per subject, hot access and churn as ratios to the __slots__ floor (median
and range over repetitions) and bytes per live handle; how many figures are
unstable; each warning of the run once (bench_results.py stored them in the JSON,
over every process of the run); the benchmarks that failed; and, last, the
file to open. Reads what `harness/report bench context` wrote; standard library only.
"""
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_results as report   # noqa: E402  load(), runs(), split(), summary(), figure_stats(), CV_WARN, PROCESS, FLOOR

COLUMNS = ("hot", "churn")


def ratio_cell(summary, name):
    r = summary.get(name, {}).get("floor_ratio")
    if not r:
        return "-"
    return f"{r['median']:.2f}x" + (f" ({r['min']:.2f}-{r['max']:.2f})" if r["n"] > 1 else "")


def bytes_per_handle(data):
    """subject -> median bytes per live handle at the largest size run."""
    out = {}
    for name, reps in report.runs(data).items():
        w, subject, size = report.split(name)
        values = [b["bytes_per_handle"] for b in reps.values() if "bytes_per_handle" in b]
        if w == "footprint" and values and (subject not in out or (size or 0) > out[subject][0]):
            out[subject] = (size or 0, statistics.median(values))
    return {subject: v for subject, (_, v) in out.items()}


def subjects(data, stored):
    """Every subject with a hot or churn figure: real tools in the order
    ffi_adapters lists them, then the models by name."""
    listed = [s["name"] for s in data.get("context", {}).get("subjects", [])]
    found = {report.split(n)[1] for n in stored if report.split(n)[0] in COLUMNS}
    real = [i for i in listed if i in found] + sorted(i for i in found if "@" in i and i not in listed)
    return real + sorted(found - set(real))


def unstable(data):
    """(unstable, micro): the micro-benchmark figures whose CV is above
    report.CV_WARN, judged as bench_results.py judges them."""
    s = report.summary(data)
    micro = [n for n in s if report.workload(n) not in report.PROCESS]
    bad = [n for n in micro if (st := report.figure_stats(s, n)) and st["cv"] is not None and st["cv"] > report.CV_WARN]
    return bad, micro


def lines(data, results):
    stored = data.get("summary", {})
    floor = stored.get(report.FLOOR, {}).get("time_ns")
    reps = max((len(r) for r in report.runs(data).values()), default=0)
    fp = bytes_per_handle(data)
    out = [f"bench: per subject, the median ratio to the __slots__ floor"
           + (f" ({floor['median']:.1f} ns)" if floor else "") + f" over {reps} repetitions, min-max:"]
    names = subjects(data, stored)
    if names:
        rows = [[subject] + [ratio_cell(stored, f"{w}/{subject}") for w in COLUMNS] + [f"{fp[subject]:.0f}" if subject in fp else "-"]
                for subject in names]
        head = ["subject", *COLUMNS, "bytes per live handle"]
        widths = [max(len(r[k]) for r in rows + [head]) + 2 for k in range(len(head) - 1)]
        for r in [head] + rows:
            out.append("  " + "".join(f"{cell:{w}}" for cell, w in zip(r, widths)) + r[-1])
    else:
        out.append("  (no hot or churn figure in this run)")
    bad, micro = unstable(data)
    if micro:
        out.append(f"bench: {len(bad)} of {len(micro)} micro-benchmark figures unstable "
                   f"(CV above {report.CV_WARN:.0%} over repetitions; README.md has each one's spread)")
    for w in data.get("warnings", []):
        if "figures unstable" not in w:   # said just above, in one line
            out.append(f"bench: warning: {w}")
    failed = sorted({report.clean_name(b["name"]) for b in data.get("benchmarks", []) if b.get("error_occurred")})
    if failed:
        out.append(f"bench: {len(failed)} benchmark(s) failed (bench.json has why): {', '.join(failed)}")
    page = os.path.join(results, "index.html")
    report_md = os.path.join(results, "README.md")
    out.append(f"bench: open {page} (report: {report_md})" if os.path.exists(page) else
               f"bench: open {report_md}")
    return out


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    try:
        data = report.load(argv[0])
    except report.Error as e:
        sys.exit(f"report summary: {e}")
    print("\n".join(lines(data, argv[1])))


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
