"""Instruction counts of the benchmarks under callgrind: run, report, compare.

  harness/report instructions run --bench BIN --out OUT.json [--subject P]... [--filter F]
          [--jobs J] [--cache] [--previous OLD.json]
        every benchmark the wall-clock run has (or those P and F select),
        counted: one process per subject, J at a time, each under callgrind
        with address-space randomisation off and PYTHONHASHSEED=0.
  harness/report instructions render OUT.json [BENCH.json] OUTDIR
        OUTDIR/instructions.md: instructions per access and the ratio to the
        floor, beside the wall-clock figures of BENCH.json when given.
  harness/report instructions compare BASE.json NEW.json [--threshold 1.01]
        every benchmark of the subjects NEW counted whose count moved by more
        than the threshold (either way); exit 1 if any, 2 if none in common.

Why counts, and how (docs/instructions.md has more). A count of executed
instructions does not move with the machine's load: identical code and
inputs count identically, so a 1% change is a change. build/bench
--count-instructions (bench/instructions.c) runs each benchmark's body
outside Google Benchmark at N and 2N iterations after a warm-up of N, with
callgrind's collection on only where a timed run's clock would run; the
cost per iteration is the difference over N, so fixed set-up cancels. The
floor (floor_slots, a __slots__ read) is counted the same way in every
process, so ratios to it are exact. Counts are of instructions, not time:
system calls are not counted, and a change that saves cache misses or
mispredicted branches may not show; the wall-clock figures stay.

With --cache, callgrind also simulates the caches, and each figure gets
estimated cycles, a model and not a measurement: L1 hits + 5 x last-level
hits + 35 x memory accesses (the weights iai-callgrind uses), over
callgrind's simulated caches of this machine's geometry.

Fields of OUT.json:
  context       commit, python, compiler, valgrind, cpu, date, the callgrind
                options, the seconds each process took and the whole run's.
  benchmarks    name -> {subject, workload, size, iterations [N, 2N],
                instructions [at N, at 2N], per_iteration (their difference
                over N), unit ("access", "node", ...), units_per_iteration,
                per_unit, floor_ratio (per_unit over floor_slots' per read in
                the same process), scaled_floor_ratio (scaling: over
                floor_scaled/SIZE's), counters (deterministic ones: allocations
                per access, hit rate, ...), estimated_cycles_per_unit (--cache),
                varies (true for a subject flagged threaded in subjects.txt:
                its runtime's threads work beside the benchmark and are
                counted too, so the count varies and compare does not judge
                it)}.
                Floors are named as in the wall-clock run; each process counts
                them, and floor_slots etc. hold the first process's figures.
  floor_counts  the distinct floor_slots counts per read over the processes
                (one value when the counting is deterministic).
  not_counted   name -> why (the fork pool, footprint, scaling above 1e4).
  failed        name -> the error.
"""
import concurrent.futures
import contextlib
import datetime
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_file import Error, read_json  # noqa: E402
import bench_results as report   # noqa: E402  (names, formats, the wall-clock summary)

FLOOR = "floor_slots"
# Workload -> (unit, units per iteration or how to get it).
UNITS = {"converge": ("access", 3), "memo": ("node visit", "visits"), "pickle": ("node", "size"),
         "floor_slots": ("read", 1), "floor_pointer": ("read", 1), "floor_scaled": ("read", 1),
         "scaling": ("access", 1)}
ACCESS = ("hot", "cold", "churn", "converge", "dispatch")
# Counters set by the bodies that do not count instructions or time and are
# exact in a counted run too (times such as structural_ns are not).
KEPT_COUNTERS = {"allocs_per_access", "bytes_per_access", "hit_rate", "converged", "aliasing_kept",
                 "nodes_back", "bytes_per_node", "live_handles"}
CALLGRIND = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no", "--dump-line=no"]
CACHE = ["--cache-sim=yes"]
# The estimated-cycles model (iai-callgrind's weights): a model, not a measurement.
WEIGHTS = {"l1_hit": 1, "ll_hit": 5, "ram": 35}
DEFAULT_THRESHOLD = 1.01
# What the measured process takes from the caller's environment: the
# subjects' own configuration (docs/your-build.md), nothing else.
PASSED_ENV = ("STRATEGY_SO", "FFI_ADAPTERS", "FFI_SUBJECTS_DIR", "FFI_NATIVE_LIB", "FFI_PYTHON", "PYTHONPATH")
BASELINE_COMMAND = "make instructions-baseline"




# ---- planning: which benchmarks, in which processes ----

def listed(bench, args):
    """The benchmark names build/bench registers with these arguments."""
    p = subprocess.run([bench, *args, "--benchmark_list_tests=true"], capture_output=True, text=True)
    if p.returncode:
        raise Error(f"{bench} {' '.join(args)} --benchmark_list_tests=true failed:\n{p.stderr.strip()}")
    return [report.clean_name(n) for n in p.stdout.split()]


def subject_of(name):
    parts = name.split("/")
    return parts[1] if len(parts) > 1 and not parts[0].startswith("floor_") else None


def registry_lines(*args):
    """What the registry (ffi_adapters.py) prints for these arguments, line by line."""
    adapters = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "subjects", "loader")
    p = subprocess.run([sys.executable, os.path.join(adapters, "ffi_adapters.py"), *args],
                       capture_output=True, text=True)
    return [line for line in p.stdout.splitlines() if line.strip()]


def extra_process_groups():
    return [line.split() for line in registry_lines("--extra-processes")]


def plan(bench, patterns=(), name_filter=None):
    """[(subject, [benchmark names])]: what the wall-clock run measures (its
    default selection, the tools it runs in processes of their own), or of
    that, the subjects the patterns select. A subject the default run leaves
    out (a control, hashmap+none) is counted only when named exactly, with
    everything it registers."""
    selected = None
    if patterns:
        p = subprocess.run([bench, *[a for s in patterns for a in ("--subject", s)], "--list-subjects"],
                           capture_output=True, text=True)
        if p.returncode:
            raise Error(p.stderr.strip())
        selected = p.stdout.split()
    names = listed(bench, [])
    # A tool run in a process of its own is listed only when selected: one
    # not built here (a heavy one) cannot list its benchmarks.
    for group in extra_process_groups():
        if selected is None or set(group) & set(selected):
            names += listed(bench, [a for s in group for a in ("--subject", s)])
    by = {}
    for n in names:
        if subject_of(n):
            by.setdefault(subject_of(n), []).append(n)
    if patterns:
        wanted = [s for s in selected if s in by or s in patterns]
        by = {s: by.get(s) or [n for n in listed(bench, ["--subject", s]) if subject_of(n) == s] for s in wanted}
    rx = re.compile(name_filter) if name_filter else None
    return [(s, [n for n in ns if not rx or rx.search(n)]) for s, ns in by.items()
            if any(not rx or rx.search(n) for n in ns)]


def ere_escape(s):
    """A literal in a POSIX extended regular expression (Google Benchmark's filter)."""
    return re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", s)


# ---- counting: one process per subject under callgrind ----

def count_process(bench, subject, names, workdir, cache):
    """Runs build/bench --count-instructions for one subject's benchmarks
    (the floors come with them); returns (its JSON, {dump label: events},
    seconds, stderr)."""
    out = os.path.join(workdir, "counted.json")
    flt = "^(" + "|".join(ere_escape(n) for n in names) + ")(/iterations:[0-9]+)?$"
    cmd = ["setarch", "-R", *CALLGRIND, *(CACHE if cache else []),
           f"--callgrind-out-file={workdir}/callgrind.out.%p",
           os.path.abspath(bench), "--count-instructions", out, "--subject", subject,
           f"--benchmark_filter={flt}"]
    t0 = time.monotonic()
    # The same environment and working directory in every run: the
    # interpreter keys dicts by paths and names from both (the import
    # system's caches), and where those entries land moves what later
    # lookups cost (measured: a scratch directory of a random name as the
    # working directory made 10 of 25 counts differ between two runs).
    p = subprocess.run(cmd, capture_output=True, text=True, env=measured_env(), cwd="/")
    seconds = time.monotonic() - t0
    if p.returncode or not os.path.exists(out):
        return None, {}, seconds, p.stderr
    with open(out) as f:
        counted = json.load(f)
    return counted, read_dumps(workdir), seconds, p.stderr


TRIGGER = "desc: Trigger: Client Request: "
WORK_ROOT = "/tmp/ffi-identity-instructions"   # one run of instructions.py at a time


@contextlib.contextmanager
def one_run_at_a_time():
    """Holds WORK_ROOT for this run: a run from another checkout on the same
    machine waits, where it would empty WORK_ROOT under this one's processes
    (measured: every process after the third failed, its dump file gone)."""
    with open(WORK_ROOT + ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"instructions: another count holds {WORK_ROOT}; waiting for it to end", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# glibc picks its string, memory and maths functions by what the CPU offers
# (AVX2, ERMS, ...), by its vendor's preferences and by its cache sizes
# (the thresholds of large copies), so counts followed the host: churn
# counted 11 instructions per access fewer on an Intel Xeon host than in a
# baseline counted on an AMD EPYC one. Counting pins that choice to the
# x86-64 baseline (the SSE2 functions, which every x86-64 host has) and to
# fixed sizes. Counts are then above a default run's by what SSE2 string
# functions cost over AVX2 ones: a few instructions per call.
GLIBC_CPU = ("glibc.cpu.hwcaps="
             "-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX2,-AVX,-FMA,-ERMS,-FSRM,-SSE4_2,-SSE4_1,-SSSE3,"
             "-BMI1,-BMI2,-LZCNT,-MOVBE,-POPCNT,-RTM,-AVX_Fast_Unaligned_Load,"
             "Fast_Unaligned_Load,Fast_Unaligned_Copy,-Fast_Rep_String,-Fast_Copy_Backward,-Slow_BSF,"
             "-Prefer_PMINUB_for_stringop,-Prefer_No_VZEROUPPER,-Prefer_ERMS,-Prefer_FSRM"
             ":glibc.cpu.x86_data_cache_size=0x8000:glibc.cpu.x86_shared_cache_size=0x100000"
             ":glibc.cpu.x86_non_temporal_threshold=0xc0000"
             ":glibc.cpu.x86_rep_movsb_threshold=0x800:glibc.cpu.x86_rep_stosb_threshold=0x800")


def measured_env():
    """The measured process's whole environment: fixed, whatever the caller's."""
    # No bytecode written: processes counted two at a time would otherwise
    # race to compile the tree's modules, and the one that compiles them
    # has another heap (and other counts) than the ones that read the .pyc.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "PYTHONHASHSEED": "0", "HOME": "/nonexistent", "FFI_COUNTING": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "GLIBC_TUNABLES": GLIBC_CPU}
    env.update({k: os.environ[k] for k in PASSED_ENV if os.environ.get(k)})
    return env


def read_dumps(workdir):
    """{label: {event: total}} from callgrind's dumps (one per measured run,
    named by the client request that made it)."""
    dumps = {}
    for path in glob.glob(os.path.join(workdir, "callgrind.out.*")):
        label, events, totals = None, None, None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith(TRIGGER):
                    label = line[len(TRIGGER):].strip()
                elif line.startswith("events: "):
                    events = line.split()[1:]
                elif line.startswith("summary: "):
                    totals = [int(x) for x in line.split()[1:]]
                elif line.startswith("fn="):
                    break   # the header is over
        if label and events and totals:
            dumps[label] = dict(zip(events, totals + [0] * (len(events) - len(totals))))
    return dumps


def estimated_cycles(ev):
    """The model: L1 hits + 5 x LL hits + 35 x RAM, from callgrind's cache events."""
    if "I1mr" not in ev:
        return None
    access = ev.get("Ir", 0) + ev.get("Dr", 0) + ev.get("Dw", 0)
    l1_miss = ev["I1mr"] + ev.get("D1mr", 0) + ev.get("D1mw", 0)
    ll_miss = ev.get("ILmr", 0) + ev.get("DLmr", 0) + ev.get("DLmw", 0)
    return (WEIGHTS["l1_hit"] * (access - l1_miss) + WEIGHTS["ll_hit"] * (l1_miss - ll_miss)
            + WEIGHTS["ram"] * ll_miss)


def units_per_iteration(name, entry):
    w, _, size = report.split(name)
    how = UNITS.get(w, ("access", 1))[1]
    if how == "visits":   # the counter is the visits of the whole last run
        return entry["counters"].get("visits", 0) / entry["iterations"][1] or None
    if how == "size":
        return size
    return how


def figures(counted, dumps):
    """name -> figures for one process's benchmarks; not counted; failed."""
    out, not_counted, failed = {}, {}, {}
    for b in counted["benchmarks"]:
        name = b["name"]
        if "not_counted" in b:
            not_counted[name] = b["not_counted"]
            continue
        ev = [dumps.get(label) for label in b.get("dumps", [])]
        if b.get("error") or len(ev) != 2 or None in ev:
            failed[name] = b.get("error") or "no callgrind dump for it"
            continue
        n = b["iterations"][0]
        w, subject, size = report.split(name)
        entry = {"subject": subject or None, "workload": w, "size": size or None,
                 "iterations": b["iterations"], "instructions": [e["Ir"] for e in ev],
                 "per_iteration": (ev[1]["Ir"] - ev[0]["Ir"]) / n,
                 "counters": {k: v for k, v in b["counters"].items() if k in KEPT_COUNTERS},
                 "unit": UNITS.get(w, ("access", 1))[0]}
        k = units_per_iteration(name, b)
        entry["units_per_iteration"] = k
        entry["per_unit"] = entry["per_iteration"] / k if k else None
        cycles = [estimated_cycles(e) for e in ev]
        if None not in cycles and k:
            entry["estimated_cycles_per_unit"] = (cycles[1] - cycles[0]) / n / k
        out[name] = entry
    floor = out.get(FLOOR, {}).get("per_unit")
    for name, e in out.items():
        if floor and e["per_unit"] is not None:
            e["floor_ratio"] = e["per_unit"] / floor
        if e["workload"] == "scaling":
            sf = out.get(f"floor_scaled/{e['size']}", {}).get("per_unit")
            if sf and e["per_unit"] is not None:
                e["scaled_floor_ratio"] = e["per_unit"] / sf
    return out, not_counted, failed


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        return "unknown"


def run_context(cache, cc):
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    # The count tree is a copy without .git: the checkout it came from says
    # its commit (FFI_COUNTED_COMMIT, set by make's count-tree recipe).
    return {"commit": os.environ.get("FFI_COUNTED_COMMIT")
            or tool_version(["git", "describe", "--always", "--dirty"]),
            "python": sys.version.split()[0], "compiler": tool_version([cc, "--version"]),
            "valgrind": tool_version(["valgrind", "--version"]), "cpu": cpu, "num_cpus": os.cpu_count(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "callgrind": " ".join(["setarch -R", "PYTHONHASHSEED=0", "GLIBC_TUNABLES=(x86-64 baseline)", *CALLGRIND,
                                   *(CACHE if cache else [])]),
            "glibc_tunables": GLIBC_CPU,
            "cache_sim": bool(cache), "estimated_cycles_weights": WEIGHTS if cache else None,
            "subject_names": report.SUBJECT_NAMES}


def longest_first(work, previous_path):
    """The processes in the order that ends soonest on few cores: longest
    first, by the seconds each took in the previous counts (the baseline),
    real tools (slower: their adapters run Python) before the models."""
    try:
        with open(previous_path) as f:
            took = json.load(f).get("process_seconds", {})
    except (OSError, ValueError):
        took = {}
    return sorted(work, key=lambda w: (-took.get(w[0], 0), "@" not in w[0]))


def flagged(flag):
    """The subjects of the registries flagged so (subjects.txt)."""
    return set(registry_lines("--flagged", flag))


def count_all(bench, work, jobs, cache, result, broken):
    """Counts every (subject, names) of work, JOBS processes at a time, into result."""
    varying = flagged("threaded")
    shutil.rmtree(WORK_ROOT, ignore_errors=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {}
        for subject, names in work:
            d = os.path.join(WORK_ROOT, hashlib.sha1(subject.encode()).hexdigest()[:16])
            os.makedirs(d)
            futures[pool.submit(count_process, bench, subject, names, d, cache)] = subject
        done = 0
        for fut in concurrent.futures.as_completed(futures):
            subject = futures[fut]
            counted, dumps, seconds, stderr = fut.result()
            done += 1
            print(f"instructions: {done}/{len(work)} {subject} ({seconds:.0f} s)", file=sys.stderr)
            result["process_seconds"][subject] = round(seconds, 1)
            if counted is None:
                broken.append(subject)
                print(f"instructions: {subject}: the counted process failed:\n{stderr[-3000:]}", file=sys.stderr)
                continue
            figs, not_counted, failed = figures(counted, dumps)
            if subject in varying:
                for e in figs.values():
                    if e["subject"] == subject:
                        e["varies"] = True
            floor = figs.get(FLOOR, {}).get("per_unit")
            if floor is not None and floor not in result["floor_counts"]:
                result["floor_counts"].append(floor)
            for name, e in figs.items():
                result["benchmarks"].setdefault(name, e)   # floors: the first process's
            result["not_counted"].update(not_counted)
            result["failed"].update(failed)
    shutil.rmtree(WORK_ROOT, ignore_errors=True)


def run(bench, out_path, patterns, name_filter, jobs, cache, cc, previous=None):
    t0 = time.monotonic()
    work = longest_first(plan(bench, patterns, name_filter), previous or out_path)
    if not work:
        raise Error("no benchmark selected")
    result = {"context": run_context(cache, cc), "benchmarks": {}, "not_counted": {}, "failed": {},
              "floor_counts": [], "process_seconds": {}}
    broken = []
    # Each process writes into a directory named by its subject alone, under
    # one fixed root: the path is in its argv, and an argv of another length
    # or content (a random scratch name, the process's place in this run's
    # order) moved counts (scaling/fresh+node/10000 by 1.26% between a full
    # run and the CI subset).
    with one_run_at_a_time():
        count_all(bench, work, jobs, cache, result, broken)
    result["context"]["seconds"] = round(time.monotonic() - t0, 1)
    result["benchmarks"] = dict(sorted(result["benchmarks"].items()))
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1, allow_nan=False)
    if len(result["floor_counts"]) > 1:
        print(f"instructions: warning: floor_slots counted differently in different processes: "
              f"{result['floor_counts']}", file=sys.stderr)
    print(f"instructions: {len(result['benchmarks'])} benchmarks counted in {result['context']['seconds']:.0f} s "
          f"({len(work)} processes, {jobs} at a time), {len(result['not_counted'])} not counted, "
          f"{len(result['failed'])} failed: {out_path}", file=sys.stderr)
    for name, why in sorted(result["failed"].items()):
        print(f"instructions: {name} failed: {why}", file=sys.stderr)
    if broken:
        raise Error(f"the counted process failed for {', '.join(broken)}")


# ---- reporting ----

# A count with a runtime's threads' work in it (a subject flagged threaded):
# marked, and said under the table.
THREADS_MARK = "†"


def fmt_count(v):
    return "-" if v is None else f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def marked(e):
    """A count, marked when a runtime's threads' work is in it."""
    return fmt_count(e["per_unit"]) + (THREADS_MARK if e.get("varies") else "")


def fmt_x(r):
    return "-" if r is None else f"{r:.3f}x"


def wall_cell(s, name, k=1):
    """The wall-clock figure of the same benchmark: ratio to the floor (min-max)."""
    v = (s or {}).get(name)
    return report.fmt_spread(v["floor_ratio"], k) if v and v.get("floor_ratio") else "-"


def section(instr, bench_summary=None):
    """Markdown lines: instructions per access, the ratio to the floor, and
    beside them the wall-clock ratio (median, min-max) where it ran."""
    b, ctx = instr["benchmarks"], instr.get("context", {})
    floor = b.get(FLOOR)
    cycles = ctx.get("cache_sim")
    L = ["## Instructions per access (callgrind)", "",
         f"Counted by `make bench MODE=instructions` (commit {ctx.get('commit', '?')}, {ctx.get('valgrind', '?')}, "
         f"{ctx.get('date', '')}, {ctx.get('seconds', 0):.0f} s): each benchmark's body at N and 2N iterations "
         "after a warm-up, under callgrind with collection on only where the timed run's clock runs, address-space "
         "randomisation off and `PYTHONHASHSEED=0`; the figure is the difference over N, so set-up cancels. "
         "Identical code counts identically whatever the machine's load; a count is not a time (no system calls, "
         "no cache misses), so the wall-clock figures stay beside it. "
         + (f"The floor, a `__slots__` read through the same C call path: **{fmt_count(floor['per_unit'])}** "
            "instructions. " if floor else "")
         + "Each cell: instructions per access, their ratio to the floor, and the wall-clock ratio to the floor "
         "(median, min-max over repetitions) from the same workload's timed run. `docs/instructions.md` says how.", ""]
    if len(instr.get("floor_counts", [])) > 1:
        L += [f"**Warning:** the floor counted differently in different processes: {instr['floor_counts']}.", ""]
    threaded = sorted({e["subject"] for e in b.values() if e.get("varies") and e["subject"]})
    if threaded:
        L += [f"{THREADS_MARK} Not deterministic: the runtimes of {', '.join(f'`{t}`' for t in threaded)} (a JVM, "
              "Mono) work in threads of their own beside the benchmark, and callgrind counts their work too; a "
              "rerun counts otherwise, and the gate does not judge these.", ""]
    subjects = report.by_group({e["subject"] for e in b.values() if e["subject"] and e["workload"] in ACCESS})
    if subjects:
        present = [w for w in ACCESS if any(e["workload"] == w for e in b.values())]
        L += ["| subject | " + " | ".join(present) + " | allocs/access (churn) |",
              "|---|" + "---|" * (len(present) + 1)]
        for subj in subjects:
            cells = []
            for w in present:
                e = b.get(f"{w}/{subj}")
                cells.append(f"{marked(e)}, {fmt_x(e.get('floor_ratio'))} (wall "
                             f"{wall_cell(bench_summary, f'{w}/{subj}', e['units_per_iteration'])})" if e else "-")
            churn = b.get(f"churn/{subj}", {}).get("counters", {})
            cells.append(f"{churn['allocs_per_access']:g}" if "allocs_per_access" in churn else "-")
            L.append(f"| `{subj}` | " + " | ".join(cells) + " |")
        L += ["", "Converge is per access (three per iteration); dispatch reads an int field through the same "
              "call path, so hot minus dispatch is what the identity layer adds.", ""]
    sizes = sorted({e["size"] for e in b.values() if e["workload"] == "scaling"})
    scaled = report.by_group({e["subject"] for e in b.values() if e["workload"] == "scaling"})
    if scaled:
        L += ["### Scaling: hot access with N live handles", "",
              "Instructions per access and the ratio to the scaled floor (a `__slots__` read over N live "
              "objects in the same order). Counts do not see cache misses, which is what a larger N costs; "
              "sizes above 1e4 are not counted (their set-up takes minutes under callgrind).", "",
              "| subject | " + " | ".join(f"N={n:,}" for n in sizes) + " |", "|---|" + "---|" * len(sizes)]
        L.append("| scaled floor | " + " | ".join(fmt_count(b.get(f"floor_scaled/{n}", {}).get("per_unit"))
                                                 for n in sizes) + " |")
        for subj in scaled:
            cells = []
            for n in sizes:
                e = b.get(f"scaling/{subj}/{n}")
                cells.append(f"{marked(e)}, {fmt_x(e.get('scaled_floor_ratio'))}" if e else "-")
            L.append(f"| `{subj}` | " + " | ".join(cells) + " |")
        L.append("")
    graphs = report.by_group({e["subject"] for e in b.values() if e["workload"] in ("memo", "pickle")})
    if graphs:
        L += ["### Memo rewriter and pickle over a DAG", "",
              "| subject | memo: per node visit | pickle dumps+loads: per node |", "|---|---|---|"]
        for subj in graphs:
            cells = []
            for w in ("memo", "pickle"):
                e = next((e for n, e in b.items() if e["workload"] == w and e["subject"] == subj), None)
                cells.append(f"{marked(e)}, {fmt_x(e.get('floor_ratio'))}"
                             if e and e["per_unit"] is not None else "-")
            L.append(f"| `{subj}` | " + " | ".join(cells) + " |")
        L.append("")
    if cycles:
        L += ["### Estimated cycles (a model, not a measurement)", "",
              "From callgrind's simulated caches: L1 hits + 5 x last-level hits + 35 x memory accesses, per "
              "access (the weights iai-callgrind uses).", "", "| benchmark | estimated cycles | instructions |",
              "|---|---|---|"]
        L += [f"| `{n}` | {fmt_count(e.get('estimated_cycles_per_unit'))} | {fmt_count(e['per_unit'])} |"
              for n, e in b.items() if e.get("estimated_cycles_per_unit") is not None]
        L.append("")
    if instr.get("not_counted") or instr.get("failed"):
        L += ["### Not counted", ""]
        why = {}
        for n, reason in instr.get("not_counted", {}).items():
            why.setdefault(reason, []).append(n)
        for reason, names in why.items():
            shown = ", ".join(f"`{n}`" for n in sorted(names)[:6]) + (f" and {len(names) - 6} more"
                                                                     if len(names) > 6 else "")
            L.append(f"- {shown}: {reason}.")
        L += [f"- `{n}` failed: {e}." for n, e in sorted(instr.get("failed", {}).items())]
        L.append("")
    return L


def render(instr_path, bench_path, out_dir):
    instr = load(instr_path)
    s = report.summary(report.load_results(bench_path)) if bench_path else None
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "instructions.md")
    with open(path, "w") as f:
        f.write("\n".join(["# Instruction counts", "",
                           "Generated by `make bench MODE=instructions` from `instructions.json` beside this "
                           "file; do not edit by hand.", ""] + section(instr, s)[2:]) + "\n")
    print(f"report instructions: wrote {path}")


def section_beside(out_dir, bench_summary):
    """`harness/report bench render`'s hook: the section, when OUTDIR has instruction counts."""
    path = os.path.join(out_dir, "instructions.json")
    if not os.path.exists(path):
        return []
    try:
        return section(load(path), bench_summary)
    except Error as e:
        print(f"report bench: instruction counts not shown: {e}", file=sys.stderr)
        return []


PAGE_WORKLOADS = ("hot", "cold", "churn")


def page_section(instr, wall=None, label=str):
    """The results page's table (harness/report/page.py): per subject and workload the
    instructions per access, their ratio to the floor's, and the wall-clock
    ratio from the cost table above (`wall`: page.py's Bench.fig)."""
    import html
    b = instr["benchmarks"]
    floor = b.get(FLOOR, {}).get("per_unit")
    subjects = report.by_group({e["subject"] for e in b.values() if e["subject"] and e["workload"] in PAGE_WORKLOADS})
    head = ['<h3 id="instructions-head">Instructions per access (callgrind)</h3>',
            f'<p class="note">Counted, not timed: each workload\'s body at N and 2N iterations under callgrind, the '
            f'difference over N (commit <code>{html.escape(instr.get("context", {}).get("commit", "?"))}</code>). '
            'Identical code counts identically whatever the machine does, so a 1% change is a change; a count sees '
            'no cache misses or system calls, so the timings above stay. '
            + (f'The floor, a <code>__slots__</code> read: {fmt_count(floor)} instructions. ' if floor else "")
            + '</p>', '<div style="overflow-x:auto"><table class="cost" id="instructions"><thead><tr>'
            '<th scope="col" rowspan="2">subject</th>']
    head += [f'<th scope="colgroup" colspan="3">{w}</th>' for w in PAGE_WORKLOADS]
    head.append("</tr><tr>" + '<th scope="col">instructions</th><th scope="col">× floor</th>'
                '<th scope="col">time × floor</th>' * len(PAGE_WORKLOADS) + "</tr></thead><tbody>")
    rows = []
    for subj in subjects:
        cells = [f'<tr><th scope="row">{html.escape(label(subj))}<small>{html.escape(subj)}</small></th>']
        for w in PAGE_WORKLOADS:
            e = b.get(f"{w}/{subj}")
            t = ((wall or {}).get((w, subj)) or {}).get("ratio")
            cells += [(f'<td title="not deterministic: the tool\'s runtime works in threads beside it">{marked(e)}</td>'
                       if e.get("varies") else f"<td>{marked(e)}</td>") + f"<td>{fmt_x(e.get('floor_ratio'))}</td>" if e
                      else "<td>–</td><td>–</td>", f"<td>{t['median']:.2f}×</td>" if t else "<td>–</td>"]
        rows.append("".join(cells) + "</tr>")
    return "\n".join(head + rows + ["</tbody></table></div>"])


# ---- comparing ----

def load(path):
    data = read_json(path, "instruction counts")
    if not isinstance(data, dict) or "benchmarks" not in data or "floor_counts" not in data:
        raise Error(f"{path}: not an instruction-count file (harness/report/instructions.py run writes them)")
    return data


CONTEXT_KEYS = ("python", "compiler", "valgrind", "cpu", "glibc_tunables")


# What the heap before a benchmark moves, with nothing it measures changed
# (another commit's code in a loaded module, another machine; the
# measured bounds are in docs/instructions.md): a built-in strategy's
# counts not at all, bar pickle's, whose memo hashes the wrappers'
# addresses, held to its own bound; a real tool's follow the addresses
# malloc gives its objects, which its own maps hash, by more than any
# bound a 1% gate could use: beyond REAL_TOOL_BOUND they are listed, not
# failed.
PICKLE_BOUND = 1.02
REAL_TOOL_BOUND = 1.05


def of_real_tool(name):
    """Whether a benchmark measures a real tool (hot/pybind11@3.1.0), not a model or a floor."""
    parts = name.split("/")
    return len(parts) > 1 and "@" in parts[1]


def bound(name, threshold):
    """The bound a benchmark's count is held to."""
    if of_real_tool(name):
        return max(threshold, REAL_TOOL_BOUND)
    return max(threshold, PICKLE_BOUND) if name.split("/")[0] == "pickle" else threshold


def compare(base_path, new_path, threshold=DEFAULT_THRESHOLD, out=sys.stdout):
    """Flags every benchmark, of the subjects the new run counted, whose count
    per iteration moved by more than the threshold either way. 0: none; 1:
    some (or some stopped being counted); 2: nothing in common."""
    base, new = load(base_path), load(new_path)
    subjects = {e["subject"] for e in new["benchmarks"].values()}
    common = sorted(set(base["benchmarks"]) & set(new["benchmarks"]))
    if not common:
        print(f"instructions: no benchmark is in both {base_path} and {new_path}", file=out)
        return 2
    moved, gone, unjudged = [], [], []
    for name in common:
        if base["benchmarks"][name].get("varies") or new["benchmarks"][name].get("varies"):
            unjudged.append(name)   # a runtime's threads' work in the count
            continue
        a, b = base["benchmarks"][name]["per_iteration"], new["benchmarks"][name]["per_iteration"]
        if a > 0 and max(b / a, a / b if b > 0 else float("inf")) > bound(name, threshold):
            moved.append((name, a, b))
    for name, e in sorted(base["benchmarks"].items()):
        if e["subject"] in subjects and name not in new["benchmarks"]:
            gone.append(name)
    added = sorted(n for n in new["benchmarks"] if n not in base["benchmarks"])
    for key in CONTEXT_KEYS:
        x, y = base.get("context", {}).get(key), new.get("context", {}).get(key)
        if x != y:
            short = [v if v is None or len(str(v)) < 60 else str(v)[:40] + "..." for v in (x, y)]
            print(f"instructions: note: the baseline was counted with {key} {short[0]!r}, this run with "
                  f"{short[1]!r}: counts can differ for that alone", file=out)
    looser = []
    if any(bound(n, threshold) > threshold and "@" not in n for n in common):
        looser.append(f"built-in pickle: {(bound('pickle/x', threshold) - 1) * 100:g}%, its memo hashes addresses")
    if any(bound(n, threshold) > threshold and "@" in n for n in common):
        looser.append(f"real tools: {(bound('x/t@1', threshold) - 1) * 100:g}%, their maps hash malloc's addresses")
    print(f"instructions: {len(common)} benchmarks compared with {base_path} "
          f"(threshold {(threshold - 1) * 100:g}%" + "".join(f"; {w}" for w in looser)
          + f"): {len(moved)} moved", file=out)
    for name, a, b in moved:
        unit = new["benchmarks"][name]
        print(f"  {name}: {a:,.3f} -> {b:,.3f} instructions per iteration ({(b / a - 1) * 100:+.2f}%)"
              + (f", {unit['per_unit']:,.1f} per {unit['unit']}" if unit.get("per_unit") else ""), file=out)
    for name in gone:
        print(f"  {name}: in the baseline, not counted now", file=out)
    if unjudged:
        print(f"instructions: {len(unjudged)} not judged: their tools' runtimes work in threads of their own, "
              f"which callgrind counts too ({', '.join(sorted({n.split('/')[1] for n in unjudged}))})",
              file=out)
    if added:
        print(f"instructions: {len(added)} benchmarks have no baseline yet: {', '.join(added[:8])}"
              + (" ..." if len(added) > 8 else ""), file=out)
    gating = [m for m in moved if not of_real_tool(m[0])]
    if moved and len(gating) < len(moved):
        print("instructions: a real tool's count beyond its bound is listed, not failed: it follows the addresses "
              "malloc gives the tool's objects (docs/instructions.md)", file=out)
    if gating or gone:
        print(f"instructions: counts moved beyond the threshold. If the change is intended, update the baseline "
              f"in the same commit: {BASELINE_COMMAND} (rewrites {base_path}; make publish does too)", file=out)
        return 1
    return 0


def main(argv):
    def take(flag, default=None, many=False):
        vals = []
        while flag in argv:
            k = argv.index(flag)
            if k + 1 >= len(argv):
                raise Error(f"{flag} needs a value")
            vals.append(argv[k + 1])
            del argv[k:k + 2]
        return vals if many else (vals[-1] if vals else default)

    def flag(name):
        if name in argv:
            argv.remove(name)
            return True
        return False

    cmd = argv.pop(0) if argv else None
    if cmd == "run":
        bench, out = take("--bench"), take("--out")
        if not bench or not out:
            raise Error("usage: harness/report instructions run --bench BIN --out OUT.json [--subject P]... [--filter F] "
                        "[--jobs J] [--cache] [--cc CC] [--previous OLD.json (its seconds order the processes)]")
        run(bench, out, take("--subject", many=True), take("--filter"), int(take("--jobs", "2")),
            flag("--cache"), take("--cc", "cc"), take("--previous"))
    elif cmd == "render" and len(argv) in (2, 3):
        render(argv[0], argv[1] if len(argv) == 3 else None, argv[-1])
    elif cmd == "compare":
        threshold = float(take("--threshold", DEFAULT_THRESHOLD))
        if len(argv) != 2 or threshold <= 1:
            raise Error("usage: harness/report instructions compare BASE.json NEW.json [--threshold 1.01 (a ratio > 1)]")
        sys.exit(compare(argv[0], argv[1], threshold))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


def cli(argv):
    try:
        main(argv)
    except Error as e:
        print(f"report instructions: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    sys.exit(f"{os.path.basename(__file__)} is part of harness/report: run python3 harness/report COMMAND (no COMMAND lists them)")
