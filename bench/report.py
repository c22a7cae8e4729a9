"""Benchmark results: context, report and comparison.

  report.py context RAW.json OUT.json [CC=...] [MORE.json...]
                                                  add run context (Python, compiler, commit, CPU,
                                                  the subjects' versions); MORE are runs of other
                                                  processes (a second version of one tool), merged in
  report.py render RESULTS.json OUTDIR            OUTDIR/README.md tables + SVG plots (gnuplot)
  report.py compare OLD.json NEW.json [--threshold 1.25]
                                                  ratios between two runs; exit 1 on regressions

Every time is also given as a ratio to the in-run __slots__ floor, computed
per repetition (repetition k of a benchmark over repetition k of the floor)
and summarized by the median, so machine-wide slowdowns cancel out. Runs
merged from another process keep the ratio to their own process's floor
(stored per repetition as floor_ratio).
"""
import collections
import json
import os
import platform
import statistics
import subprocess
import sys

FLOOR = "floor_slots"
UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Accesses per iteration, where an iteration is not one access.
ACCESSES = {"converge": 3}
TARGETS = {"intrusive": 1.15, "toggle": 1.15, "hashmap": 1.5}


def load(path):
    with open(path) as f:
        return json.load(f)


def runs(data):
    """name -> {repetition index: benchmark entry} for plain iterations."""
    out = collections.defaultdict(dict)
    for b in data["benchmarks"]:
        if b.get("run_type") == "iteration" and "error_occurred" not in b:
            out[b["run_name"]][b.get("repetition_index", 0)] = b
    return out


def ns(b):
    return b["real_time"] * UNIT[b.get("time_unit", "ns")]


def summary(data):
    """name -> dict(ns=median ns per iteration, ratio=median per-repetition ratio, entry=first)."""
    all_runs = runs(data)
    floor = all_runs.get(FLOOR, {})
    out = {}
    for name, reps in all_runs.items():
        times = [ns(b) for b in reps.values()]
        ratios = [b["floor_ratio"] if "floor_ratio" in b else ns(b) / ns(floor[k])
                  for k, b in reps.items() if "floor_ratio" in b or k in floor]
        out[name] = {"ns": statistics.median(times),
                     "ratio": statistics.median(ratios) if ratios else None,
                     "entry": next(iter(reps.values())), "reps": len(reps)}
    return out


def store_floor_ratios(data):
    """Each iteration's ratio to the floor of the same repetition of the
    same process, kept in the entry (it survives merging)."""
    all_runs = runs(data)
    floor = all_runs.get(FLOOR, {})
    for name, reps in all_runs.items():
        for k, b in reps.items():
            if k in floor:
                b["floor_ratio"] = ns(b) / ns(floor[k])


def subject_versions():
    """The real binding tools' names, versions and sources (ffi_adapters)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness", "adapters"))
    try:
        import ffi_adapters
        return ffi_adapters.describe()
    except Exception as e:   # the report still renders without them
        print(f"report.py: cannot list the subjects' versions: {e}", file=sys.stderr)
        return []


def context(raw_path, out_path, *extra):
    data = load(raw_path)
    store_floor_ratios(data)
    have = {b["name"] for b in data["benchmarks"]}
    for more in (e for e in extra if "=" not in e):
        other = load(more)
        store_floor_ratios(other)
        data["benchmarks"] += [b for b in other["benchmarks"] if b["name"] not in have]
        have |= {b["name"] for b in other["benchmarks"]}
    ctx = data.setdefault("context", {})
    ctx["subjects"] = subject_versions()
    ctx["python"] = sys.version.split()[0]
    cc = dict(e.split("=", 1) for e in extra if "=" in e).get("CC", "cc")
    try:
        ctx["compiler"] = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except OSError:
        ctx["compiler"] = cc
    try:
        ctx["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                       text=True).stdout.strip() or "unknown"
    except OSError:
        ctx["commit"] = "unknown"
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ctx["cpu"] = cpu
    ctx["machine"] = platform.machine()
    with open(out_path, "w") as f:
        json.dump(data, f, indent=1)


def split(name):
    """'hot/hashmap+node' -> ('hot', 'hashmap+node', None); with a size as third part."""
    parts = name.split("/")
    size = None
    if len(parts) > 2 and parts[2].isdigit():
        size = int(parts[2])
    return parts[0], parts[1] if len(parts) > 1 else "", size


def fmt_ns(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e3:
        return f"{v / 1e3:.1f} us"
    return f"{v:.1f} ns"


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def label(impl):
    """A plot label: a real tool keeps its version and variant, a model
    its strategy (the access workloads run the node style)."""
    return impl if "@" in impl else impl.split("+")[0]


def gnuplot(script, out_dir):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, cwd=out_dir)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: gnuplot failed ({e}); tables only", file=sys.stderr)
        return False


def render(path, out_dir):
    data = load(path)
    s = summary(data)
    if FLOOR not in s:
        sys.exit(f"report.py: {path} has no {FLOOR} run; cannot compute ratios")
    ctx = data.get("context", {})
    by = collections.defaultdict(dict)   # workload -> impl -> summary (sized: (impl, size))
    for name, v in s.items():
        w, impl, size = split(name)
        by[w][(impl, size) if size else impl] = v
    # Real tools (TOOL@VERSION) first, then the models.
    access_impls = sorted(by["hot"], key=lambda i: ("@" not in i, i))
    floor = s[FLOOR]
    L = ["# Benchmark results", "",
         f"Generated by `make bench` (published by `make publish`) from `bench.json` beside this file; do not edit by hand. "
         f"Commit {ctx.get('commit', '?')}, Python {ctx.get('python', '?')}, "
         f"{ctx.get('compiler', '?')}, {ctx.get('cpu', '?')} ({ctx.get('num_cpus', '?')} cores), "
         f"{ctx.get('date', '')}. Google Benchmark {floor['reps']} repetitions per benchmark, "
         "randomly interleaved.",
         "",
         f"Floors in this run: a `__slots__` member read through the same C call path "
         f"**{fmt_ns(floor['ns'])}**, a raw C pointer chase "
         f"**{fmt_ns(s.get('floor_pointer', {}).get('ns'))}**. Ratios are to the `__slots__` "
         "floor, per repetition, median over repetitions.", "",
         "## Per access", "",
         "| implementation | hot | cold | churn | converge (per access) | allocs/access (churn) | bytes/access (churn) | bytes per live handle |",
         "|---|---|---|---|---|---|---|---|"]
    for impl in access_impls:
        row = []
        for w in ("hot", "cold", "churn", "converge"):
            v = by[w].get(impl)
            k = ACCESSES.get(w, 1)
            row.append(f"{fmt_ns(v['ns'] / k)} ({fmt_ratio(v['ratio'] / k if v['ratio'] else None)})" if v else "-")
        churn = by["churn"].get(impl, {}).get("entry", {})
        fp = next((v for (i, n), v in by["footprint"].items() if i == impl), None)
        row += [f"{churn.get('allocs_per_access', '-')}", f"{churn.get('bytes_per_access', '-')}",
                f"{fp['entry']['bytes_per_handle']:.0f}" if fp else "-"]
        L.append(f"| `{impl}` | " + " | ".join(row) + " |")
    L += ["", "Hot: the wrapper exists (a reference is held). Cold: first access, the wrapper "
          "does not exist yet. Churn: access and drop, nothing else holds the wrapper. Converge: "
          "`layout.axes[0]` and `layout.offset.a`, per access.", "", "### Targets", ""]
    for impl in access_impls:
        strategy = impl.split("+")[0]
        if strategy in TARGETS and by["hot"].get(impl, {}).get("ratio"):
            r, t = by["hot"][impl]["ratio"], TARGETS[strategy]
            verdict = "met" if r <= t else f"**missed by {(r / t - 1) * 100:.0f}%**"
            L.append(f"- `{impl}` hot access {r:.2f}x the floor; target {t:.2f}x: {verdict}.")
    L += ["", "## Scaling: hot access with N live handles", "",
          "| implementation | " + " | ".join(f"N={n:,}" for n in sorted({n for (_, n) in by["scaling"]})) + " |",
          "|---|" + "---|" * len({n for (_, n) in by["scaling"]})]
    sizes = sorted({n for (_, n) in by["scaling"]})
    for impl in (i for i in access_impls if any((i, n) in by["scaling"] for n in sizes)):
        cells = [by["scaling"].get((impl, n)) for n in sizes]
        L.append(f"| `{impl}` | " + " | ".join(f"{fmt_ns(c['ns'])} ({fmt_ratio(c['ratio'])})" if c else "-" for c in cells) + " |")
    L += ["", "## Memo rewriter and pickle over a DAG", "",
          "| implementation | memo: ns per node visit | memo hit rate | pickle dumps+loads | bytes per node | aliasing kept |",
          "|---|---|---|---|---|---|"]
    graph_impls = sorted({i for (i, _) in by["pickle"]} | {i for (i, _) in by["memo"]}, key=lambda i: ("@" not in i, i))
    for impl in graph_impls:
        m = next((v for (i, _), v in by["memo"].items() if i == impl), None)
        p = next((v for (i, _), v in by["pickle"].items() if i == impl), None)
        me, pe = (m or {}).get("entry", {}), (p or {}).get("entry", {})
        L.append(f"| `{impl}` | {fmt_ns(m['ns'] / me['visits']) if m else '-'} | "
                 f"{me.get('hit_rate', 0):.2f} | " if m else f"| `{impl}` | - | - | ")
        L[-1] += (f"{fmt_ns(p['ns'])} | {pe.get('bytes_per_node', 0):.1f} | "
                  f"{'yes' if pe.get('aliasing_kept') else 'no (%d nodes back)' % pe.get('nodes_back', 0)} |"
                  if p else "- | - | - |")
    L += ["", "## Fork pool round trip", "", "| implementation | time (pool start, map, join) | worker saw one Var |", "|---|---|---|"]
    for impl, v in sorted(by["fork_pool"].items(), key=lambda kv: ("@" not in kv[0], kv[0])):
        L.append(f"| `{impl}` | {fmt_ns(v['ns'])} | {'yes' if v['entry'].get('correct') else 'no'} |")
    L += ["", "## Memory per live handle", "", "| implementation | total | Python (wrapper, weakrefs, C tables) | native | strategy's own claim |", "|---|---|---|---|---|"]
    adapters = sorted(i for (i, _) in by["footprint"] if "+" not in i)
    if adapters:
        L[-2:-2] = [f"For the adapters ({', '.join(f'`{a}`' for a in adapters)}) the native column is "
                    "malloc's in-use delta (C++ objects, pybind11's instance map, the C library), which "
                    "includes malloc's per-chunk overhead; the built-ins' is the bytes their allocator "
                    "was asked for. Scaling needs native-level set-up and does not run for adapters.", ""]
    for (impl, n), v in sorted(by["footprint"].items(), key=lambda kv: ("@" not in kv[0][0], kv[0])):
        e = v["entry"]
        claim = f"{e['cache_bytes']:.0f}" if "cache_bytes" in e else "-"   # adapters claim nothing
        L.append(f"| `{impl}` | {e['bytes_per_handle']:.0f} | {e['python_bytes']:.0f} | {e['native_bytes']:.0f} | {claim} |")
    # Plots.
    plots = []
    rows = [(impl, *(by[w].get(impl, {}).get("ratio") or 0 for w in ("hot", "cold", "churn"))) for impl in access_impls]
    with open(os.path.join(out_dir, "access.dat"), "w") as f:
        f.writelines(f"{label(i)} {h:.4f} {c:.4f} {ch:.4f}\n" for i, h, c, ch in rows)
    scaled = [i for i in access_impls if any((i, n) in by["scaling"] for n in sizes)]   # adapters: none
    with open(os.path.join(out_dir, "scaling.dat"), "w") as f:
        for impl in scaled:
            f.write(f"# {impl}\n")
            f.writelines(f"{n} {by['scaling'][(impl, n)]['ns']:.3f}\n" for n in sizes if (impl, n) in by["scaling"])
            f.write("\n\n")
    with open(os.path.join(out_dir, "footprint.dat"), "w") as f:
        for (impl, n), v in sorted(by["footprint"].items()):
            e = v["entry"]
            f.write(f"{label(impl)} {e['python_bytes']:.1f} {e['native_bytes']:.1f}\n")
    script = f"""
set terminal svg size 1000,480 dynamic font 'sans,11' noenhanced background rgb 'white'
set xtics rotate by -40
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key top left
set output 'access.svg'
set title 'Time per access, ratio to the __slots__ floor (median of repetitions, log scale)'
set ylabel 'x floor'
set logscale y
plot 'access.dat' using 2:xtic(1) title 'hot', '' using 3 title 'cold', '' using 4 title 'churn', 1 with lines dt 2 lc rgb 'black' title 'floor'
set output 'footprint.svg'
unset logscale y
set style histogram rowstacked
set title 'Bytes per live handle'
set ylabel 'bytes'
plot 'footprint.dat' using 2:xtic(1) title 'Python (wrapper, cache)', '' using 3 title 'native'
set output 'scaling.svg'
set style data linespoints
set logscale xy
set title 'Hot access with N live handles'
set xlabel 'live handles'
set ylabel 'ns per access'
PLOT_SCALING
"""
    titles = ", ".join(f"'scaling.dat' index {k} using 1:2 title '{impl.split('+')[0]}'"
                       for k, impl in enumerate(scaled))
    script = script.replace("PLOT_SCALING", "plot " + titles)
    if gnuplot(script, out_dir):
        plots = ["access.svg", "scaling.svg", "footprint.svg"]
    for name in ("access.dat", "scaling.dat", "footprint.dat"):
        os.remove(os.path.join(out_dir, name))
    if plots:
        L += ["", "## Plots", ""] + [f"![{p[:-4]}]({p})" for p in plots]
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print(f"report.py: wrote {out_dir}/README.md" + (f" and {', '.join(plots)}" if plots else ""))


def compare(old_path, new_path, threshold):
    old, new = summary(load(old_path)), summary(load(new_path))
    worse = []
    print(f"{'benchmark':44} {'old':>12} {'new':>12} {'new/old':>8} {'ratio-to-floor new/old':>24}")
    for name in sorted(set(old) & set(new)):
        o, n = old[name], new[name]
        raw = n["ns"] / o["ns"]
        rel = n["ratio"] / o["ratio"] if o["ratio"] and n["ratio"] else None
        # Judge by the floor-relative ratio where there is one: it cancels machine-wide noise.
        judged = rel if rel is not None else raw
        flag = judged > threshold
        if flag:
            worse.append(name)
        print(f"{name:44} {fmt_ns(o['ns']):>12} {fmt_ns(n['ns']):>12} {raw:8.2f} "
              f"{(f'{rel:.2f}' if rel else '-'):>24}{'  REGRESSION' if flag else ''}")
    only = sorted(set(old) ^ set(new))
    if only:
        print(f"(in one file only: {', '.join(only)})")
    if worse:
        print(f"compare: {len(worse)} benchmark(s) slower than {threshold:.2f}x: {', '.join(worse)}")
        sys.exit(1)
    print(f"compare: no benchmark slower than {threshold:.2f}x (floor-relative where available)")


def main(argv):
    if len(argv) >= 3 and argv[0] == "context":
        context(argv[1], argv[2], *argv[3:])
    elif len(argv) == 3 and argv[0] == "render":
        render(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "compare":
        threshold = float(argv[argv.index("--threshold") + 1]) if "--threshold" in argv else 1.25
        compare(argv[1], argv[2], threshold)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
