"""Benchmark results: context, check, report and comparison.

  harness/report bench context RAW.json OUT.json [CC=...] [MORE.json...]
        add run context (Python, compiler, commit, CPU, the subjects' versions),
        floor ratios and the per-benchmark summary; MORE are runs of other
        processes (a second version of one tool), merged in. Prints the warnings.
  harness/report bench check RESULTS.json...
        exit 1 on an impossible value (NaN, a negative time or byte count,
        more than 1e9 bytes per access, memory fields of Google Benchmark's
        MemoryManager that 1.7.1 corrupts, ...), listing each.
  harness/report bench render RESULTS.json OUTDIR
        OUTDIR/README.md tables + SVG plots (gnuplot) for what ran.
  harness/report bench compare BASE.json NEW.json [--threshold 1.10] [--alpha 0.05]
          [--map 'A=B ...'] [--correction bh|holm] [--test t|u] [--judge-all]
        per benchmark a Mann-Whitney U test on the per-repetition floor
        ratios, corrected for the number compared; exit 1 on a regression
        (slower beyond the threshold and significant), 2 when no benchmark
        of a subject is in both runs. harness/report/compare.py says how and why.

Times. A figure is the benchmark thread's CPU time (Google Benchmark's
cpu_time): on a shared machine the wall time also counts the time the
thread waited for a CPU, which is the machine, not the code. The
whole-process workloads (fork_pool: the work happens in worker processes)
use the wall time (real_time). Benchmark names carry no `/iterations:N`:
context strips what Google Benchmark appends for a fixed iteration count,
and every reader here strips it too, so quick and full runs, old and new
files, match.

Fields added to the JSON (documented here; other tools may read them):
  benchmarks[].floor_ns      (a counter set by build/bench) the __slots__
        floor timed just before and after that run (the median of three
        blocks of 4,000 reads each side) and within it (a block of 2,000
        reads between batches every 1 ms of the run's CPU time, with the
        timer stopped; not in scaling runs over more than 1e4 objects), the mean of all those samples, in the same CPU
        time: the floor under the machine load of that run, part by part.
  benchmarks[].floor_samples (a counter) how many samples floor_ns is the
        mean of.
  benchmarks[].floor_ratio   in every repetition ("run_type": "iteration"):
        its time over its floor_ns; in a file without floor_ns, over the time
        of the same repetition of floor_slots (the __slots__ floor
        benchmark) in the same process. Runs merged from another process
        keep the ratio to their own process's floor. In Google Benchmark's
        aggregate entries (_mean, _median, _stddev, _cv) the same statistic
        of those ratios.
  benchmarks[].other_cpus    (a counter set by build/bench) how many CPUs'
        worth of work other processes did while that run ran.
  summary.NAME.time_ns / summary.NAME.floor_ratio
        {"n", "median", "min", "max", "mean", "cv", "samples"} over the
        repetitions (cv: standard deviation / mean; null for one sample).
  summary.NAME.other_cpus    the mean of the counter over the repetitions.
  summary["scaling/SUBJECT/N"].scaled_floor_ratio
        stats over the repetitions of that run's floor ratio (where both
        runs sampled the floor within them, up to 1e4 objects) or time
        (above) divided by the median of floor_scaled/N's (a __slots__ read
        over N live objects in the same random order): what the strategy
        costs beyond a plain object graph of that size.
  summary["scaling/SUBJECT/N" or "floor_scaled/N"].structural_ns
        stats over the repetitions of the counter structural_ns: the same
        reads timed in C right after the run (the field's C getter, or the
        floor's slot, called directly: no PyObject_GetAttr).
  summary["scaling/SUBJECT/N"].structural_floor_ratio
        stats of those over floor_scaled/N's median structural_ns: how far
        the strategy's chain of dependent loads is from the plain object
        graph's, with Python's lookup taken out of both.
  summary["hot/SUBJECT"].dispatch   where dispatch/SUBJECT ran (an int field,
        node.tag, through the same call path): {"hot_ns", "dispatch_ns",
        "identity_ns" (hot - dispatch), "identity_share" (of hot)}, medians.
  context.load               {"other_cpus": mean over every run,
        "load_avg_before": Google Benchmark's, "load_avg_after": read when
        the run ended, "floor_cv"}.
  warnings                   unstable figures and a loaded machine, as text.
"""
import collections
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys

from results_file import Error, read_json

from formats import fmt_ns   # one way to write a time, the page's too

FLOOR = "floor_slots"
UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Accesses per iteration, where an iteration is not one access.
ACCESSES = {"converge": 3}
TARGETS = {"intrusive": 1.15, "toggle": 1.15, "hashmap": 1.5}
# Whole-process workloads: timed by the wall clock; their ratio to the floor
# mostly measures the machine, so compare shows them but does not judge them.
WALL = {"fork_pool"}
# A micro benchmark's figure whose floor ratio (or time) varies more than
# this over the repetitions is unstable; a floor that does is a sign of a
# loaded machine, as are other processes keeping OTHER_CPUS_WARN CPUs busy
# on average.
CV_WARN = 0.05
FLOOR_CV_WARN = 0.05
# Whole-process workloads: a pool of worker processes, a pickle or memo
# pass over a DAG (milliseconds of allocation and garbage collection per
# iteration), bytes per handle (its time is set-up). Their spread is
# reported, as a class apart, and not held to CV_WARN.
PROCESS = {"fork_pool", "pickle", "memo", "footprint"}
OTHER_CPUS_WARN = 0.5
SUFFIX = re.compile(r"/(?:iterations|repeats|threads):\d+|/min_time:[0-9.]+s?")


def load(path):
    return read_json(path, "benchmark JSON")


# context["subject_names"]: benchmark names carry subjects as
# TOOL+VARIANT@VERSION. A file without it is older, TOOL@VERSION+VARIANT.
SUBJECT_NAMES = 2
AGGREGATE = re.compile(r"_(?:mean|median|stddev|cv)$")


def canonical_names(data):
    """A results file's benchmark and subject names in today's form, in
    place (harness/subjects/loader/subject_name.py canonical(); only for files
    written before SUBJECT_NAMES, where a '+' after '@' was a variant)."""
    ctx = data.setdefault("context", {})
    if ctx.get("subject_names") == SUBJECT_NAMES:
        return data
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "subjects", "loader"))
    import subject_name

    def rename(name):
        suffix = AGGREGATE.search(name)
        stem = name[:suffix.start()] if suffix else name
        parts = stem.split("/")
        if len(parts) > 1:
            parts[1] = subject_name.canonical(parts[1])
        return "/".join(parts) + (suffix.group() if suffix else "")

    for b in data.get("benchmarks", []):
        for key in ("name", "run_name"):
            if key in b:
                b[key] = rename(b[key])
    if "summary" in data:
        data["summary"] = {rename(k): v for k, v in data["summary"].items()}
    ctx["subjects"] = [dict(x, name=subject_name.canonical(x["name"])) for x in ctx.get("subjects", [])]
    ctx["subject_names"] = SUBJECT_NAMES
    return data


def load_results(path):
    """A results file (`harness/report bench context`'s output) with today's names."""
    return canonical_names(load(path))


def clean_name(name):
    """The benchmark's name without what Google Benchmark appends for a fixed
    iteration count: 'cold/toggle+node/iterations:25600' -> 'cold/toggle+node'."""
    return SUFFIX.sub("", name)


def runs(data):
    """name -> {repetition index: benchmark entry} for plain iterations."""
    out = collections.defaultdict(dict)
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") == "iteration" and "error_occurred" not in b:
            out[clean_name(b.get("run_name", b["name"]))][b.get("repetition_index", 0)] = b
    return out


def workload(name):
    return clean_name(name).split("/")[0]


def ns(b):
    """The entry's time in ns: CPU time, or the wall time for WALL workloads."""
    field = "real_time" if workload(b.get("run_name", b["name"])) in WALL else "cpu_time"
    return b.get(field, b["real_time"]) * UNIT[b.get("time_unit", "ns")]


def stats(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    mean = statistics.fmean(v)
    cv = statistics.stdev(v) / mean if len(v) > 1 and mean else (0.0 if len(v) > 1 else None)
    return {"n": len(v), "median": statistics.median(v), "min": min(v), "max": max(v),
            "mean": mean, "cv": cv, "samples": v}


def ratios_of(reps, floor):
    return [b["floor_ratio"] if "floor_ratio" in b else ns(b) / b["floor_ns"] if b.get("floor_ns") else
            ns(b) / ns(floor[k]) for k, b in sorted(reps.items()) if "floor_ratio" in b or b.get("floor_ns") or k in floor]


# Counters that say whether the run was right: a repetition that was not
# makes the figure not, so these take the worst repetition, not the median.
VERDICTS = ("correct", "aliasing_kept", "converged")


def typical_entry(reps):
    """One entry standing for the repetitions: the first one's fields, each
    number replaced by its median over the repetitions (a verdict by its
    minimum). Counters such as bytes per handle move between repetitions
    when a table happens to grow in one; the first alone can be that one."""
    entries = [b for _, b in sorted(reps.items())]
    out = dict(entries[0])
    for key, value in entries[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            v = [b[key] for b in entries if isinstance(b.get(key), (int, float))]
            out[key] = min(v) if key in VERDICTS else statistics.median(v)
    return out


def summary(data):
    """name -> dict(ns=median ns per iteration, ratio=median per-repetition ratio,
    time=stats, floor_ratio=stats, other_cpus=mean, entry=typical_entry, reps=count)."""
    all_runs = runs(data)
    floor = all_runs.get(FLOOR, {})
    out = {}
    for name, reps in all_runs.items():
        t = stats([ns(b) for _, b in sorted(reps.items())])
        r = stats(ratios_of(reps, floor))
        other = [b["other_cpus"] for b in reps.values() if "other_cpus" in b]
        out[name] = {"ns": t["median"], "ratio": r["median"] if r else None, "time": t, "floor_ratio": r,
                     "other_cpus": statistics.fmean(other) if other else None,
                     "structural": stats([b.get("structural_ns") for _, b in sorted(reps.items())]),
                     "entry": typical_entry(reps), "reps": len(reps)}
    return out


def is_floor(name):
    """floor_slots, floor_pointer, floor_scaled/N: no code under test."""
    return workload(name).startswith("floor_")


def scaled_floors(s):
    """N -> the summary of floor_scaled/N."""
    return {int(name.split("/")[1]): v for name, v in s.items()
            if workload(name) == "floor_scaled" and name.split("/")[1:2] and name.split("/")[1].isdigit()}


def scaled_ratio(s, name):
    """Stats of scaling/SUBJECT/N over floor_scaled/N, per repetition over the
    floor's median; None without that floor. Where both runs took floor
    samples within them (up to 1e4 objects), their floor ratios, which take
    out the host's drift. Above, times: both are memory-bound, and the
    __slots__ floor sampled only around a run that has just read 300 MB
    reads slower than around one that read 100 MB, which biased the ratio
    down (intrusive at 1e6: 1.59x by floor ratios, 1.92x by times, in one
    run)."""
    w, _, n = split(name)
    fl = scaled_floors(s).get(n) if w == "scaling" else None
    v = s.get(name)
    if not fl or not v or not fl["time"]["median"]:
        return None
    sampled = all(x["entry"].get("floor_samples", 0) > 2 and x["floor_ratio"] for x in (v, fl))
    if sampled:
        return stats([r / fl["floor_ratio"]["median"] for r in v["floor_ratio"]["samples"]])
    return stats([t / fl["time"]["median"] for t in v["time"]["samples"]])


def structural_ratio(s, name):
    """Stats of scaling/SUBJECT/N's structural reads (the same reads in C,
    counter structural_ns) over the median of floor_scaled/N's: how far the
    data layout alone is from the plain object graph's; None without both."""
    w, _, n = split(name)
    fl = scaled_floors(s).get(n) if w == "scaling" else None
    v = s.get(name)
    if not fl or not v or not fl["structural"] or not v["structural"] or not fl["structural"]["median"]:
        return None
    return stats([t / fl["structural"]["median"] for t in v["structural"]["samples"]])


def dispatch_split(s):
    """subject -> {hot_ns, dispatch_ns, identity_ns, identity_share} where both
    hot/SUBJECT and dispatch/SUBJECT ran: the identity layer's part of hot access
    is hot minus the same call path returning an int."""
    out = {}
    for name, d in s.items():
        w, subject, _ = split(name)
        h = s.get(f"hot/{subject}")
        if w == "dispatch" and h:
            ident = h["ns"] - d["ns"]
            out[subject] = {"hot_ns": h["ns"], "dispatch_ns": d["ns"], "identity_ns": ident,
                         "identity_share": ident / h["ns"] if h["ns"] else None}
    return out


def store_floor_ratios(data):
    """Each iteration's ratio to the floor of the same repetition of the
    same process, kept in the entry (it survives merging); names cleaned."""
    for b in data.get("benchmarks", []):
        for key in ("name", "run_name"):
            if key in b:
                b[key] = clean_name(b[key])
    all_runs = runs(data)
    floor = all_runs.get(FLOOR, {})
    for name, reps in all_runs.items():
        for k, b in reps.items():
            if b.get("floor_ns"):
                b["floor_ratio"] = ns(b) / b["floor_ns"]
            elif k in floor:
                b["floor_ratio"] = ns(b) / ns(floor[k])


def aggregate_floor_ratios(data):
    """Google Benchmark's aggregate entries get the same statistic of the
    floor ratios; NaN (Google Benchmark's cv of an all-zero counter) becomes
    null, so the file is strict JSON."""
    all_runs = runs(data)
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            r = [x["floor_ratio"] for x in all_runs.get(b.get("run_name"), {}).values() if "floor_ratio" in x]
            agg = b.get("aggregate_name")
            if r and agg in ("mean", "median", "stddev", "cv"):
                m = statistics.fmean(r)
                sd = statistics.stdev(r) if len(r) > 1 else 0.0
                b["floor_ratio"] = {"mean": m, "median": statistics.median(r), "stddev": sd,
                                    "cv": sd / m if m else 0.0}[agg]
        for k, v in list(b.items()):
            if isinstance(v, float) and not math.isfinite(v):
                b[k] = None


def loadavg():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except (OSError, ValueError):
        return None


def warnings(data, s=None):
    """The unstable figures and the signs of a loaded machine, as sentences."""
    s = s if s is not None else summary(data)
    out = []
    fl = s.get(FLOOR)
    if not fl:
        out.append(f"no {FLOOR} run in this file: no ratios to the floor")
    other = [v["other_cpus"] for v in s.values() if v["other_cpus"] is not None]
    loaded = other and statistics.fmean(other) >= OTHER_CPUS_WARN
    if fl and fl["time"]["cv"] is not None and fl["time"]["cv"] > FLOOR_CV_WARN:
        # With no other process busy, what moved the floor is the host (a
        # shared VM whose speed drifts), which the ratios to the in-run floor
        # take out; with one busy, it may be that process.
        why = ("the machine was probably loaded" if loaded or not other else
               "no other process here was busy, so the host's speed drifted; the ratios to the in-run floor "
               "correct for most of that")
        out.append(f"the floor itself varied by {fl['time']['cv']:.0%} (CV) over its repetitions: {why}")
    if loaded:
        out.append(f"other processes kept {statistics.fmean(other):.2f} CPUs busy on average during the run "
                   f"(of {data.get('context', {}).get('num_cpus', '?')}): the machine was loaded")
    unstable, micro = [], [name for name in s if workload(name) not in PROCESS]
    for name in sorted(micro):
        st = figure_stats(s, name)
        if st and st["cv"] is not None and st["cv"] > CV_WARN:
            unstable.append(f"{name} ({st['cv']:.0%})")
    if unstable:
        # The worst ten by name here; every figure's spread is in the report's table.
        unstable.sort(key=lambda u: -float(u.rsplit("(", 1)[1].rstrip("%)")))
        shown = ", ".join(unstable[:10]) + (f", and {len(unstable) - 10} more" if len(unstable) > 10 else "")
        out.append(f"{len(unstable)} of {len(micro)} micro-benchmark figures unstable (CV above {CV_WARN:.0%} "
                   f"over repetitions; the report's spread table has each): {shown}")
    return out


def figure_stats(s, name):
    """The stats a figure's stability is judged on: its floor ratios (the
    floor's own time)."""
    v = s[name]
    return v["floor_ratio"] if v["floor_ratio"] and name != FLOOR else v["time"]


def subject_versions():
    """The real binding tools' names, versions and sources (ffi_adapters)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "subjects", "loader"))
    try:
        import ffi_adapters
        return ffi_adapters.describe()
    except Exception as e:   # the report still renders without them
        print(f"report bench: cannot list the subjects' versions: {e}", file=sys.stderr)
        return []


def context(raw_path, out_path, *extra):
    data = load(raw_path)
    after = loadavg()
    store_floor_ratios(data)
    have = {b["name"] for b in data["benchmarks"]}
    for more in (e for e in extra if "=" not in e):
        other = load(more)
        store_floor_ratios(other)
        data["benchmarks"] += [b for b in other["benchmarks"] if b["name"] not in have]
        have |= {b["name"] for b in other["benchmarks"]}
    aggregate_floor_ratios(data)
    ctx = data.setdefault("context", {})
    ctx["subjects"] = subject_versions()
    ctx["subject_names"] = SUBJECT_NAMES   # build/bench names subjects TOOL+VARIANT@VERSION
    ctx["python"] = sys.version.split()[0]
    cc = dict(e.split("=", 1) for e in extra if "=" in e).get("CC", "cc")
    try:
        ctx["compiler"] = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
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
    ctx["time_measure"] = "cpu_time (the benchmark thread's CPU time); real_time for " + ", ".join(sorted(WALL))
    s = summary(data)
    data["summary"] = {name: {"time_ns": {k: v for k, v in (x["time"] or {}).items()},
                              "floor_ratio": x["floor_ratio"], "other_cpus": x["other_cpus"]}
                       for name, x in sorted(s.items())}
    for name in data["summary"]:
        r = scaled_ratio(s, name)
        if r:
            data["summary"][name]["scaled_floor_ratio"] = r
        if s[name]["structural"]:
            data["summary"][name]["structural_ns"] = s[name]["structural"]
        r = structural_ratio(s, name)
        if r:
            data["summary"][name]["structural_floor_ratio"] = r
    for subject, d in dispatch_split(s).items():
        data["summary"][f"hot/{subject}"]["dispatch"] = d
    other = [x["other_cpus"] for x in s.values() if x["other_cpus"] is not None]
    fl = s.get(FLOOR)
    ctx["load"] = {"other_cpus": statistics.fmean(other) if other else None,
                   "load_avg_before": ctx.get("load_avg"), "load_avg_after": after,
                   "floor_cv": fl["time"]["cv"] if fl else None}
    data["warnings"] = warnings(data, s)
    for w in data["warnings"]:
        print(f"bench: warning: {w}", file=sys.stderr)
    with open(out_path, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)


# Plausible ranges of the counters, per repetition: outside them a value is
# impossible (a corrupt field, a units slip), not a finding.
BOUNDS = {
    "allocs_per_access": (0, 1e6), "bytes_per_access": (0, 1e9),
    "bytes_per_handle": (0, 1e9), "python_bytes": (-1e3, 1e9), "native_bytes": (-1e3, 1e9),
    "cache_bytes": (-1e3, 1e9), "bytes_per_node": (0, 1e9), "hit_rate": (0, 1), "converged": (0, 1),
    "aliasing_kept": (0, 1), "correct": (0, 1), "visits": (0, 1e9), "nodes": (0, 1e9),
    "nodes_back": (0, 1e9), "live_handles": (0, 1e9), "other_cpus": (0, 4096), "floor_ns": (1e-3, 1e6),
    "structural_ns": (1e-3, 1e9), "floor_samples": (0, 1e9),
    "floor_ratio": (1e-6, 1e9), "real_time": (0, 1e15), "cpu_time": (0, 1e15), "iterations": (1, 1e13),
    # Google Benchmark's MemoryManager fields (no longer written; 1.7.1
    # corrupts them with repetitions): a heap pointer is not a byte count.
    "allocs_per_iter": (0, 1e9), "max_bytes_used": (0, 1e12), "total_allocated_bytes": (0, 1e12),
    "net_heap_growth": (-1e12, 1e12),
}


def problems(data):
    """Every impossible value in a results file, as 'name: field=value (why)'."""
    out = []

    def walk(where, v):
        if isinstance(v, float) and not math.isfinite(v):
            out.append(f"{where}={v} (not a number)")
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(f"{where}.{k}", x)
        elif isinstance(v, list):
            for k, x in enumerate(v):
                walk(f"{where}[{k}]", x)

    for b in data.get("benchmarks", []):
        name = b.get("name", "?")
        walk(name, {k: v for k, v in b.items()})
        if b.get("error_occurred"):
            continue   # no figures (Google Benchmark zeroes them); check() names it, every reader skips it
        for field, (lo, hi) in BOUNDS.items():
            v = b.get(field)
            if b.get("run_type") == "aggregate" and field not in ("real_time", "cpu_time"):
                continue   # stddev and cv of a counter are not the counter
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and not lo <= v <= hi:
                out.append(f"{name}: {field}={v!r} (outside {lo:g}..{hi:g})")
    for name, v in data.get("summary", {}).items():
        walk(f"summary.{name}", v)
    return out


def check(*paths):
    bad = 0
    for path in paths:
        data = load(path)
        errors = {b["name"]: b.get("error_message", "?") for b in data.get("benchmarks", []) if b.get("error_occurred")}
        for name, why in errors.items():
            print(f"report bench check: {path}: note: {name} did not run ({why}); no figure for it", file=sys.stderr)
        found = problems(data)
        for p in found[:50]:
            print(f"report bench check: {path}: {p}", file=sys.stderr)
        if len(found) > 50:
            print(f"report bench check: {path}: ... and {len(found) - 50} more", file=sys.stderr)
        bad += len(found)
        if not found:
            print(f"report bench check: {path}: no impossible value")
    if bad:
        raise SystemExit(1)


def split(name):
    """'hot/hashmap+node' -> ('hot', 'hashmap+node', None); with a size as third part."""
    parts = name.split("/")
    size = None
    if len(parts) > 2 and parts[2].isdigit():
        size = int(parts[2])
    return parts[0], parts[1] if len(parts) > 1 else "", size


def fmt_ns_signed(v):
    return "-" if v is None else ("-" if v < 0 else "+") + fmt_ns(abs(v))


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def label(subject):
    """A plot label: a real tool keeps its version and variant, a model
    its strategy (the access workloads run the node style)."""
    return subject if "@" in subject else subject.split("+")[0]


def gnuplot(script, out_dir):
    # gnuplot's notes on a plot of few points (an empty x range) are not
    # news; what it says when it fails is.
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, cwd=out_dir, capture_output=True)
        return True
    except OSError as e:
        print(f"report bench: gnuplot failed ({e}); tables only", file=sys.stderr)
    except subprocess.CalledProcessError as e:
        print(f"report bench: gnuplot failed ({e}): {e.stderr.strip()}; tables only", file=sys.stderr)
    return False


def fmt_spread(st, k=1):
    """'1.13x (1.05-1.20)': the median and the range over repetitions."""
    if not st:
        return "-"
    if st["n"] < 2:
        return f"{st['median'] / k:.2f}x"
    return f"{st['median'] / k:.2f}x ({st['min'] / k:.2f}-{st['max'] / k:.2f})"


def fmt_range(st):
    return "-" if not st else f"{st['min']:.2f}-{st['max']:.2f}"


def fmt_cv(st):
    return "-" if not st or st["cv"] is None else f"{st['cv']:.1%}"


def by_group(subjects):
    """Real tools (TOOL@VERSION) first, then the models."""
    return sorted(subjects, key=lambda i: ("@" not in i, i))


PLOTS = ("access.svg", "scaling.svg", "footprint.svg")
HEAD = ("set terminal svg size 1000,500 dynamic font 'sans,11' noenhanced background rgb 'white'\n"
        "set grid ytics\nset key top left\nset style fill solid 0.8 border -1\n")


def plot(out_dir, name, script, data):
    """One SVG from its own gnuplot run; no file (not an empty one) when it fails."""
    for f, text in data.items():
        with open(os.path.join(out_dir, f), "w") as fh:
            fh.write(text)
    ok = gnuplot(HEAD + f"set output '{name}'\n" + script + "unset output\n", out_dir)
    for f in data:
        os.remove(os.path.join(out_dir, f))
    path = os.path.join(out_dir, name)
    if ok and os.path.exists(path) and os.path.getsize(path) > 0:
        return True
    if os.path.exists(path):
        os.remove(path)
    return False


def histogram_groups(rows):
    """[(title, rows)] for gnuplot's newhistogram: real bindings, then models."""
    tools = [r for r in rows if "@" in r[0]]
    models = [r for r in rows if "@" not in r[0]]
    return [(t, g) for t, g in (("real bindings", tools), ("models", models)) if g]


def access_plot(out_dir, by, subjects):
    series = [w for w in ("hot", "cold", "churn") if any(by[w].get(i, {}).get("floor_ratio") for i in subjects)]
    rows = []
    for subject in subjects:
        cells = []
        for w in series:
            st = by[w].get(subject, {}).get("floor_ratio")
            cells += [st["median"], st["min"], st["max"]] if st else ["NaN"] * 3
        rows.append((subject, cells))
    if not series or not rows:
        return False
    values = [c for _, cells in rows for c in cells if c != "NaN"]
    low = min(0.5, min(values) / 1.5)
    data, plots = {}, []
    for g, (title, grp) in enumerate(histogram_groups(rows)):
        f = f"access{g}.dat"
        data[f] = "".join(f"{label(i)} " + " ".join(f"{c}" if c == "NaN" else f"{c:.4f}" for c in cells) + "\n"
                          for i, cells in grp)
        parts = [f"'{f}' using {2 + 3 * k}:{3 + 3 * k}:{4 + 3 * k}" + (":xtic(1)" if k == 0 else "") +
                 (f" title '{w}'" if g == 0 else " notitle") + f" lt {k + 1}" for k, w in enumerate(series)]
        plots.append(f"newhistogram '{title}' lt 1, " + ", ".join(parts))
    script = f"""set title 'Time per access, ratio to the __slots__ floor (median, bars: min..max over repetitions; log scale)'
set ylabel 'x floor'
set xtics rotate by -40
set style data histograms
set style histogram errorbars gap 1 lw 1
set logscale y
set yrange [{low:.3f}:*]
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb 'black' front
set label 'floor = 1x' at graph 0.01, first 1 offset 0,0.7 front
plot {", ".join(plots)}
"""
    return plot(out_dir, "access.svg", script, data)


def scaling_plot(out_dir, by, subjects, sizes, sfloor=None):
    if not subjects:
        return False
    text = ""
    floor_line = ""
    if sfloor:
        text += "# floor_scaled\n" + "".join(
            f"{n} {sfloor[n]['time']['median']:.3f} {sfloor[n]['time']['min']:.3f} {sfloor[n]['time']['max']:.3f}\n"
            for n in sizes if n in sfloor) + "\n\n"
        floor_line = ("'scaling.dat' index 0 using 1:2:3:4 with yerrorlines dt 2 lw 2 lc rgb 'gray40' "
                      "title '__slots__ floor over N objects', ")
    for subject in subjects:
        text += f"# {subject}\n"
        for n in sizes:
            t = by["scaling"].get((subject, n), {}).get("time")
            if t:
                text += f"{n} {t['median']:.3f} {t['min']:.3f} {t['max']:.3f}\n"
        text += "\n\n"
    first = 1 if sfloor else 0
    titles = floor_line + ", ".join(f"'scaling.dat' index {k + first} using 1:2:3:4 with yerrorlines title '{label(subject)}'"
                                    for k, subject in enumerate(subjects))
    script = f"""set title 'Hot access with N live handles (median; bars: min..max over repetitions)'
set logscale xy
set xlabel 'live handles'
set ylabel 'ns per access'
plot {titles}
"""
    return plot(out_dir, "scaling.svg", script, {"scaling.dat": text})


def footprint_plot(out_dir, fps):
    """fps: [(subject, python stats, native stats, total stats)]."""
    if not fps:
        return False
    rows = [(subject, [py["median"], nat["median"], tot["median"], tot["min"], tot["max"]])
            for subject, py, nat, tot in fps]
    data, plots, err, x = {}, [], "", 0
    for g, (title, grp) in enumerate(histogram_groups(rows)):
        f = f"footprint{g}.dat"
        data[f] = "".join(f"{label(i)} " + " ".join(f"{c:.2f}" for c in cells) + "\n" for i, cells in grp)
        plots.append(f"newhistogram '{title}' lt 1 at {x}, '{f}' using 2:xtic(1) "
                     + ("title 'Python (wrapper, cache)'" if g == 0 else "notitle") + " lt 1, '' using 3 "
                     + ("title 'native'" if g == 0 else "notitle") + " lt 2")
        for k, (_, cells) in enumerate(grp):
            err += f"{x + k} {cells[2]:.2f} {cells[3]:.2f} {cells[4]:.2f}\n"
        x += len(grp) + 1
    data["footprint_err.dat"] = err
    script = f"""set title 'Bytes per live handle (stacked medians; bars: total min..max over repetitions)'
set ylabel 'bytes'
set xtics rotate by -40
set style data histograms
set style histogram rowstacked
set boxwidth 0.7
plot {", ".join(plots)}, 'footprint_err.dat' using 1:2:3:4 with yerrorbars lc rgb 'black' pt 0 title 'total, min..max'
"""
    return plot(out_dir, "footprint.svg", script, data)


def subject_origin():
    """harness/subjects/loader/subject_origin.py: how origins and yanked marks read."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "subjects", "loader"))
    import subject_origin as so
    return so


def subjects_table(entries):
    """The real tools of the run: where each came from, its origin (a
    wheel's sha256, a source directory's commit) and a yanked mark with
    the maintainers' reason; nothing for a file that lists none."""
    if not entries:
        return []
    so = subject_origin()
    L = ["## Real binding tools in this run", "",
         "| subject | installed from | origin | yanked |", "|---|---|---|---|"]
    for t in entries:
        mark = f"**yanked**: {so.yanked_reason(t)}" if so.is_yanked(t) else "–"
        L.append(f"| `{t['name']}` | {t.get('source', '?')} | {so.origin(t) or '–'} | {mark} |")
    return L + [""]


def render(path, out_dir):
    data = load_results(path)
    s = summary(data)
    os.makedirs(out_dir, exist_ok=True)
    ctx = data.get("context", {})
    by = collections.defaultdict(dict)   # workload -> subject -> summary (sized: (subject, size))
    for name, v in s.items():
        w, subject, size = split(name)
        by[w][(subject, size) if size else subject] = v
    access_w = ("hot", "cold", "churn", "converge")
    access_subjects = by_group({i for w in access_w for i in by[w]})
    floor = s.get(FLOOR)
    reps = max((v["reps"] for v in s.values()), default=0)
    warn = warnings(data, s)
    L = ["# Benchmark results", "",
         f"Generated by `make bench` (published by `make publish`) from `bench.json` beside this file; do not edit by hand. "
         f"Commit {ctx.get('commit', '?')}, Python {ctx.get('python', '?')}, "
         f"{ctx.get('compiler', '?')}, {ctx.get('cpu', '?')} ({ctx.get('num_cpus', '?')} cores), "
         f"{ctx.get('date', '')}. Google Benchmark, {reps} repetitions per benchmark, "
         "randomly interleaved.", ""]
    load_ = ctx.get("load", {})
    if load_.get("other_cpus") is not None:
        L += [f"Machine load: other processes kept {load_['other_cpus']:.2f} CPUs busy on average during the run; "
              f"load average {', '.join(f'{x:.2f}' for x in load_.get('load_avg_before') or [])} before, "
              f"{', '.join(f'{x:.2f}' for x in load_.get('load_avg_after') or [])} after.", ""]
    if floor:
        L += [f"Floors in this run: a `__slots__` member read through the same C call path "
              f"**{fmt_ns(floor['ns'])}** (CV {fmt_cv(floor['time'])}), a raw C pointer chase "
              f"**{fmt_ns(s.get('floor_pointer', {}).get('ns'))}**. Times are the benchmark thread's CPU time "
              "(the wall time for the fork pool, whose work is in worker processes). Ratios are to the "
              "`__slots__` floor timed just before and after each repetition and, between its batches, within it "
              "(not in scaling runs over more than 10,000 objects), so both share the machine's speed of that "
              "moment: the median, and in brackets the min-max over repetitions.", ""]
    if warn:
        L += ["## Warnings", ""] + [f"- {w}" for w in warn] + [""]
    tools = {t["name"]: t for t in ctx.get("subjects", [])}
    ran = {split(name)[1] for name in s}
    L += subjects_table([tools[n] for n in tools if n in ran])

    def yanked(subject):
        return " **yanked**" if subject in tools and subject_origin().is_yanked(tools[subject]) else ""
    if access_subjects:
        L += ["## Per access", "",
              "| subject | hot | cold | churn | converge (per access) | allocs/access (churn) | bytes/access (churn) | bytes per live handle |",
              "|---|---|---|---|---|---|---|---|"]
        for subject in access_subjects:
            row = []
            for w in access_w:
                v = by[w].get(subject)
                k = ACCESSES.get(w, 1)
                row.append(f"{fmt_ns(v['ns'] / k)}, {fmt_spread(v['floor_ratio'], k)}" if v else "-")
            churn = by["churn"].get(subject, {}).get("entry", {})
            fp = next((v for (i, n), v in by["footprint"].items() if i == subject), None)
            row += [f"{churn.get('allocs_per_access', '-')}", f"{churn.get('bytes_per_access', '-')}",
                    f"{fp['entry']['bytes_per_handle']:.0f}" if fp and "bytes_per_handle" in fp["entry"] else "-"]
            L.append(f"| `{subject}`{yanked(subject)} | " + " | ".join(row) + " |")
        L += ["", "Hot: the wrapper exists (a reference is held). Cold: first access, the wrapper "
              "does not exist yet. Churn: access and drop, nothing else holds the wrapper. Converge: "
              "`layout.axes[0]` and `layout.offset.a`, per access. Allocations and bytes per access are "
              "counted by our own allocator hooks over 1,000 untimed accesses.", ""]
        targets = []
        for subject in access_subjects:
            strategy = subject.split("+")[0]
            if strategy in TARGETS and by["hot"].get(subject, {}).get("ratio"):
                r, t = by["hot"][subject]["ratio"], TARGETS[strategy]
                verdict = "met" if r <= t else f"**missed by {(r / t - 1) * 100:.0f}%**"
                targets.append(f"- `{subject}` hot access {fmt_spread(by['hot'][subject]['floor_ratio'])} the floor; "
                               f"target {t:.2f}x: {verdict}.")
        if targets:
            L += ["### Targets", ""] + targets + [""]
    dsplit = dispatch_split(s)
    if dsplit:
        L += ["## Dispatch and identity: what the identity layer adds", "",
              "Hot access reads an object-returning field (`layout.offset`, the wrapper held); dispatch reads an "
              "int field through the same kind of call (`node.tag` on a held `Node(7)`, or `outer.value`; 7 is a "
              "cached small int, so nothing is allocated for the result). Their difference is what finding or "
              "making the wrapper costs: the identity layer. Medians; the ratios are to the `__slots__` floor.", "",
              "| subject | hot (object field) | dispatch (int field) | identity adds (hot - dispatch) | share of hot |",
              "|---|---|---|---|---|"]
        for subject in by_group(dsplit):
            d = dsplit[subject]
            hv, dv = by["hot"].get(subject, {}), by["dispatch"].get(subject, {})
            share = "-" if d["identity_share"] is None else f"{d['identity_share']:.0%}"
            L.append(f"| `{subject}` | {fmt_ns(d['hot_ns'])}, {fmt_spread(hv.get('floor_ratio'))} | "
                     f"{fmt_ns(d['dispatch_ns'])}, {fmt_spread(dv.get('floor_ratio'))} | "
                     f"{fmt_ns_signed(d['identity_ns'])} | {share} |")
        L += ["", "A negative difference means the int field's path is the slower one for that subject "
              "(e.g. a Python-level property that computes the int), not that identity is free.", ""]
    sizes = sorted({n for (_, n) in by["scaling"]})
    scaled = [i for i in access_subjects if any((i, n) in by["scaling"] for n in sizes)]
    sfloor = scaled_floors(s)
    if scaled:
        L += ["## Scaling: hot access with N live handles", "",
              "Time per access and its ratio to the single-object `__slots__` floor. The first row is the "
              "scaled floor: a `__slots__` read over N live objects (each slot holding an object of its own) "
              "in the same random order, the cost of a plain object graph of that size.", "",
              "| subject | " + " | ".join(f"N={n:,}" for n in sizes) + " |",
              "|---|" + "---|" * len(sizes)]
        if sfloor:
            L.append("| scaled floor (`__slots__`, N objects) | " + " | ".join(
                f"{fmt_ns(sfloor[n]['ns'])}, {fmt_spread(sfloor[n]['floor_ratio'])}" if n in sfloor else "-"
                for n in sizes) + " |")
        for subject in scaled:
            cells = [by["scaling"].get((subject, n)) for n in sizes]
            L.append(f"| `{subject}` | " + " | ".join(f"{fmt_ns(c['ns'])}, {fmt_spread(c['floor_ratio'])}" if c else "-"
                                                   for c in cells) + " |")
        L.append("")
        if sfloor:
            L += ["### Against the scaled floor", "",
                  "Each repetition over the scaled floor's median at the same N: what the strategy costs "
                  "beyond the plain object graph (median, min-max). Up to N=10,000, where both runs take "
                  "`__slots__` floor samples within them, their ratios to that floor (the host's drift taken "
                  "out); above, their times: there the floor is sampled only around a run, and after one that "
                  "has just read hundreds of megabytes it reads slower the more the run read, which biased "
                  "the ratios down.", "",
                  "| subject | " + " | ".join(f"N={n:,}" for n in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
            for subject in scaled:
                L.append(f"| `{subject}` | " + " | ".join(fmt_spread(scaled_ratio(s, f"scaling/{subject}/{n}"))
                                                       for n in sizes) + " |")
            L.append("")
        if any(sfloor[n]["structural"] for n in sfloor):
            L += ["### The structural floor: the same reads in C", "",
                  "Each run also times the same reads over the same objects in C, right after the timed loop: "
                  "the field's own C getter (the strategy's lookup included) or the floor's slot, called "
                  "directly, without `PyObject_GetAttr`'s lookup. What remains is the chain of dependent loads "
                  "the data layout makes a read take: Add wrapper, Add native, then the Var native's slot "
                  "(intrusive, toggle, revive) or the map's slot (hashmap, weakdict), then the Var "
                  "wrapper (fresh makes one instead), against the floor's Pair, then Leaf. The ratio is to the floor's C reads at the "
                  "same N (median, min-max): where it is as high as the ratio above, the strategy costs what "
                  "its layout costs and no code in it can go lower.", "",
                  "| subject | " + " | ".join(f"N={n:,}" for n in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
            L.append("| floor (`__slots__` slot, C) | " + " | ".join(
                fmt_ns(sfloor[n]["structural"]["median"]) if n in sfloor and sfloor[n]["structural"] else "-"
                for n in sizes) + " |")
            for subject in scaled:
                cells = []
                for n in sizes:
                    c, r = by["scaling"].get((subject, n)), structural_ratio(s, f"scaling/{subject}/{n}")
                    cells.append(f"{fmt_ns(c['structural']['median'])}, {fmt_spread(r)}"
                                 if c and c["structural"] and r else "-")
                L.append(f"| `{subject}` | " + " | ".join(cells) + " |")
            L.append("")
    graph_subjects = by_group({i for (i, _) in by["pickle"]} | {i for (i, _) in by["memo"]})
    if graph_subjects:
        L += ["## Memo rewriter and pickle over a DAG", "",
              "| subject | memo: ns per node visit | memo hit rate | pickle dumps+loads | bytes per node | aliasing kept |",
              "|---|---|---|---|---|---|"]
        for subject in graph_subjects:
            m = next((v for (i, _), v in by["memo"].items() if i == subject), None)
            p = next((v for (i, _), v in by["pickle"].items() if i == subject), None)
            me, pe = (m or {}).get("entry", {}), (p or {}).get("entry", {})
            cells = [f"{fmt_ns(m['ns'] / me['visits'])}" if m and me.get("visits") else "-",
                     f"{me.get('hit_rate', 0):.2f}" if m else "-"]
            cells += ([f"{fmt_ns(p['ns'])} (CV {fmt_cv(p['time'])})", f"{pe.get('bytes_per_node', 0):.1f}",
                       "yes" if pe.get("aliasing_kept") else "no (%d nodes back)" % pe.get("nodes_back", 0)]
                      if p else ["-", "-", "-"])
            L.append(f"| `{subject}` | " + " | ".join(cells) + " |")
        L.append("")
    if by["fork_pool"]:
        L += ["## Fork pool round trip", "",
              "| subject | wall time (pool start, map, join), min-max | worker saw one Var |", "|---|---|---|"]
        for subject, v in sorted(by["fork_pool"].items(), key=lambda kv: ("@" not in kv[0], kv[0])):
            L.append(f"| `{subject}` | {fmt_ns(v['ns'])} ({fmt_ns(v['time']['min'])}-{fmt_ns(v['time']['max'])}) | "
                     f"{'yes' if v['entry'].get('correct') else 'no'} |")
        L.append("")
    fps = []
    if by["footprint"]:
        L += ["## Memory per live handle", ""]
        adapters = sorted(i for (i, _) in by["footprint"] if "+" not in i)
        if adapters:
            L += [f"For the adapters ({', '.join(f'`{a}`' for a in adapters)}) the native column is "
                  "malloc's in-use delta (C++ objects, pybind11's instance map, the C library), which "
                  "includes malloc's per-chunk overhead; the built-ins' is the bytes their allocator "
                  "was asked for. Scaling needs native-level set-up and does not run for adapters.", ""]
        L += ["| subject | total (min-max) | Python (wrapper, weakrefs, C tables) | native | strategy's own claim |",
              "|---|---|---|---|---|"]
        for (subject, n), v in sorted(by["footprint"].items(), key=lambda kv: ("@" not in kv[0][0], kv[0])):
            rs = runs(data)[f"footprint/{subject}/{n}"].values()
            tot, py, nat = (stats([b.get(k) for b in rs]) for k in ("bytes_per_handle", "python_bytes", "native_bytes"))
            if not (tot and py and nat):
                continue
            e = v["entry"]
            claim = f"{e['cache_bytes']:.0f}" if "cache_bytes" in e else "-"   # adapters claim nothing
            L.append(f"| `{subject}` | {tot['median']:.0f} ({tot['min']:.0f}-{tot['max']:.0f}) | {py['median']:.0f} | "
                     f"{nat['median']:.0f} | {claim} |")
            fps.append((subject, py, nat, tot))
        L.append("")
    import instructions   # instruction counts beside these figures, when OUTDIR has them
    L += instructions.section_beside(out_dir, s)
    micro = sorted(n for n in s if workload(n) not in PROCESS)
    process = sorted(n for n in s if workload(n) in PROCESS)
    within = sum(1 for n in micro if (figure_stats(s, n) or {}).get("cv") is not None
                 and figure_stats(s, n)["cv"] <= CV_WARN)
    L += ["## Every benchmark: spread over repetitions", "",
          "CV: standard deviation over mean. The ratio columns are per repetition, to the floor of the same "
          "repetition. Micro benchmarks (per-access figures, scaling, floors) are held to a ratio CV of "
          f"{CV_WARN:.0%}: {within} of {len(micro)} are within it in this run. Whole-process benchmarks "
          "(fork pool, pickle, memo, footprint's set-up) are a class apart, below, reported with their "
          "spread and not held to it: a pool start or a pass over a DAG is milliseconds of process "
          "creation, allocation and garbage collection, which the machine's load moves from run to run.", "",
          "### Micro benchmarks", ""]
    header = ["| benchmark | time, median | time, min | time CV | ratio, median | ratio, min-max | ratio CV | repetitions |",
              "|---|---|---|---|---|---|---|---|"]
    for title, names in (("", micro), ("### Whole-process benchmarks", process)):
        if title:
            L += ["", title, ""]
        L += header
        for name in names:
            v = s[name]
            r = v["floor_ratio"]
            L.append(f"| `{name}` | {fmt_ns(v['ns'])} | {fmt_ns(v['time']['min'])} | {fmt_cv(v['time'])} | "
                     f"{fmt_ratio(v['ratio'])} | {fmt_range(r)} | "
                     f"{fmt_cv(r)} | {v['reps']} |")
    # Plots: one per figure that has data; a stale one from an earlier run goes.
    made = [name for name, ok in (("access.svg", access_plot(out_dir, by, access_subjects)),
                                  ("scaling.svg", scaling_plot(out_dir, by, scaled, sizes, sfloor)),
                                  ("footprint.svg", footprint_plot(out_dir, fps))) if ok]
    for name in PLOTS:
        if name not in made and os.path.exists(os.path.join(out_dir, name)):
            os.remove(os.path.join(out_dir, name))
    if made:
        L += ["", "## Plots", ""] + [f"![{p[:-4]}]({p})" for p in made]
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    for w in warn:
        print(f"report bench: warning: {w}", file=sys.stderr)
    print(f"report bench: wrote {out_dir}/README.md" + (f" and {', '.join(made)}" if made else " (no plots)"))


def main(argv):
    def option(name, default, convert=float):
        if name in argv:
            k = argv.index(name)
            if k + 1 >= len(argv):
                raise Error(f"{name} needs a value")
            v = convert(argv[k + 1])
            del argv[k:k + 2]
            return v
        return default
    try:
        if len(argv) >= 3 and argv[0] == "context":
            context(argv[1], argv[2], *argv[3:])
        elif len(argv) >= 2 and argv[0] == "check":
            check(*argv[1:])
        elif len(argv) == 3 and argv[0] == "render":
            render(argv[1], argv[2])
        elif len(argv) >= 3 and argv[0] == "compare":
            import compare   # compare.py: the comparison and its statistics
            threshold, alpha = option("--threshold", 1.10), option("--alpha", 0.05)
            correction = option("--correction", "bh", str)
            test = option("--test", "t", str)
            maps = []
            while "--map" in argv:
                maps.append(option("--map", "", str))
            judge_all = "--judge-all" in argv
            argv = [a for a in argv if a != "--judge-all"]
            if len(argv) != 3:
                sys.exit(__doc__)
            sys.exit(compare.compare(argv[1], argv[2], threshold, alpha, maps, correction, judge_all, test))
        else:
            sys.exit(__doc__)
    except Error as e:
        print(f"report bench: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
