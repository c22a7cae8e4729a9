"""Release timelines (`make history TOOL=...`): the conformance catalogue run
over a tool's releases on PyPI, one run per release, then merged by
`harness/report history` into OUT/history-TOOL.{md,json}.

  release_history.py --tool TOOL --build BUILD --out OUT [--versions 'V V ...']
                     [--pypi-json FILE]

Which releases (the list is PyPI's JSON API, https://pypi.org/pypi/NAME/json,
with each release's upload date and yanked flag; pre-releases and dev
releases are left out everywhere):
  tvm-ffi    every release of apache-tvm-ffi, yanked ones included (pip
             installs a pinned yanked release, with a warning)
  pybind11   the last patch of every minor from 2.6 to 3.1
  nanobind   the last patch of every minor from 1.0 to 3.1
(the last patch: the newest release of the minor that is not yanked, or
the newest yanked one when every release of it is). --versions runs only
those of the list.

Per release: install it into BUILD/subjects/TOOL@VERSION (harness/tools/
subjects.sh); for a tool whose adapter is compiled per version (pybind11,
nanobind), build that version's extension with make, the release listed in
a registry of this run's own ($FFI_ADAPTERS = BUILD/history/TOOL/registry;
the tree's subjects.txt is not edited); then build/conformance --json over
its variants. A release that does not install or whose adapter does not
compile with its headers is an entry of the timeline with the first line of
pip's or the compiler's error, not the end of the run: the adapter is written
for current APIs and is not rewritten per version. Unexpected results are
data here (the conformance runner's exit 1); its exit 2 or a crash is
recorded as "run failed" and makes this script exit 1 at the end.

The runs stay in BUILD/history/TOOL/runs/, their TAP and the build and
install logs in logs/ beside it, and releases.json is the list as PyPI gave
it, with the selection. Progress goes to stderr; the total time last."""
import argparse
import json
import os
import re
import subprocess
import sys
import sysconfig
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "harness", "subjects", "loader"))
import subject_name  # noqa: E402

PYPI = "https://pypi.org/pypi/{}/json"

# The policy: which releases make each tool's timeline. "compiled": the
# adapter's extension prefix, for tools built per version by their make
# fragment; the variants and the install line come from the tree's registry.
TOOLS = {
    "tvm-ffi": {"distribution": "apache-tvm-ffi", "select": "all",
                "rule": "every release of apache-tvm-ffi on PyPI, yanked ones included"},
    "pybind11": {"distribution": "pybind11", "select": ((2, 6), (3, 1)), "compiled": "_adapter_pybind11_",
                 "rule": "the last patch of every pybind11 minor from 2.6 to 3.1"},
    "nanobind": {"distribution": "nanobind", "select": ((1, 0), (3, 1)), "compiled": "_adapter_nanobind_",
                 # the adapter's own object first: whether it compiles against the
                 # release's headers is the question, before libnanobind is built
                 # (nanobind.mk builds it from src/nb_combined.cpp, which 1.x lacks)
                 "adapter_object": "nanobind-{version}/binding.o",
                 "rule": "the last patch of every nanobind minor from 1.0 to 3.1"},
}


def say(text):
    print(f"history: {text}", file=sys.stderr, flush=True)


def duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


# ---------------------------------------------------------------- the list

def is_final(version):
    """A release proper: no pre-release, dev or local part (posts count)."""
    key = subject_name.version_key(version)
    return key is not None and key[2][0] == "z" and key[4] == float("inf") and not key[5]


def releases_from(pypi):
    """[{version, uploaded, yanked, yanked_reason}] of PyPI's JSON, every
    version with files, in PEP 440 order."""
    out = []
    for version, files in pypi.get("releases", {}).items():
        if not files or subject_name.version_key(version) is None:
            continue
        times = sorted(f.get("upload_time_iso_8601") or f.get("upload_time") or "" for f in files)
        reasons = [f.get("yanked_reason") for f in files if f.get("yanked_reason")]
        out.append({"version": version, "uploaded": times[0][:10] if times and times[0] else None,
                    "yanked": all(f.get("yanked") for f in files), "yanked_reason": reasons[0] if reasons else ""})
    return sorted(out, key=lambda r: subject_name.version_key(r["version"]))


def minor(version):
    m = re.match(r"(\d+)\.(\d+)", version)
    return (int(m[1]), int(m[2])) if m else None


def select(releases, policy):
    """(chosen, left_out): the releases a policy takes, and a line saying
    what it left out."""
    finals = [r for r in releases if is_final(r["version"])]
    pre = len(releases) - len(finals)
    if policy == "all":
        return finals, f"{pre} pre-release(s)" if pre else ""
    lo, hi = policy
    by_minor = {}
    for r in finals:
        m = minor(r["version"])
        if m and lo <= m <= hi:
            by_minor.setdefault(m, []).append(r)
    chosen = []
    for m in sorted(by_minor):
        rs = by_minor[m]   # in PEP 440 order
        kept = [r for r in rs if not r["yanked"]] or rs
        chosen.append(kept[-1])
    missing = [f"{a}.{b}" for a, b in minors_between(lo, hi, finals) if (a, b) not in by_minor]
    left = [f"{sum(minor(r['version']) is not None and lo <= minor(r['version']) <= hi for r in finals) - len(chosen)} "
            f"earlier patch(es) of those minors", f"{pre} pre-release(s)"]
    if missing:
        left.append("no release of " + ", ".join(missing))
    return chosen, "; ".join(left)


def minors_between(lo, hi, finals):
    """Every minor from lo to hi, the majors' last minors read from the releases."""
    top = {}
    for r in finals:
        m = minor(r["version"])
        if m:
            top[m[0]] = max(top.get(m[0], 0), m[1])
    out = []
    for major in range(lo[0], hi[0] + 1):
        first = lo[1] if major == lo[0] else 0
        last = hi[1] if major == hi[0] else top.get(major, -1)
        out += [(major, k) for k in range(first, last + 1)]
    return out


def fetch(distribution, path=None):
    if path:
        with open(path) as f:
            return json.load(f), path
    url = PYPI.format(distribution)
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return json.load(r), url
    except (OSError, ValueError) as e:
        raise SystemExit(f"history: cannot read the release list of {distribution} from {url}: {e}")


# ---------------------------------------------------------------- the registry

def tree_subjects(tool):
    """The tree's registry lines for a tool (FFI_ADAPTERS unset), resolved."""
    env_adapters = os.environ.pop("FFI_ADAPTERS", None)
    try:
        import ffi_adapters
        listed = [s for s in ffi_adapters.subjects() if s.tool == tool]
        rule = {v: ffi_adapters.rule(subject_name.join(tool, v)) for v in {s.variant for s in listed} | {""}}
    finally:
        if env_adapters is not None:
            os.environ["FFI_ADAPTERS"] = env_adapters
    return listed, {v: r for v, r in rule.items() if r}


def registry_lines(tool, versions, listed):
    """subjects.txt lines for the releases the tree does not list, modelled
    on the tree's line of the tool that installs from PyPI at build time."""
    models = [s for s in listed if s.origin == "build"]
    if not models:
        raise SystemExit(f"history: the tree's subjects.txt has no build-time PyPI line for {tool} to model on")
    taken = {s.name for s in listed}
    lines = []
    for v in versions:
        for m in models:
            name = subject_name.join(tool, m.variant, v)
            if name in taken:
                continue
            install = ",".join(i.replace(m.version, v) for i in m.install)
            lines.append(f"{tool} {v} {m.variant or '-'} {m.module} {install} -")
    return lines


# ---------------------------------------------------------------- one release

def first_error(log):
    """The compiler's first error line, paths of this checkout made relative."""
    for line in log.splitlines():
        if re.search(r"\b(fatal )?error\b:", line) and not line.startswith("make"):
            return line.replace(ROOT + os.sep, "").strip()
    for line in log.splitlines():
        if line.startswith("make") and "Error" in line:
            return line.strip()
    return (log.strip().splitlines() or ["(no output)"])[-1]


def pip_error(log):
    """pip's own message: the ERROR line, else the last line."""
    lines = [ln.strip(" |") for ln in log.splitlines()]
    errors = [ln for ln in lines if "ERROR:" in ln]
    return (errors[0] if errors else (lines[-1] if lines else "(no output)")).strip()


def run_logged(command, log, env):
    with open(log, "w") as f:
        p = subprocess.run(command, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    with open(log) as f:
        return p.returncode, f.read()


def one_release(args, tool, r, names, env, work):
    """Installs, builds and runs one release; returns its run's path."""
    v = r["version"]
    out = os.path.join(work, "runs", f"{tool}@{v}.json")
    logs = os.path.join(work, "logs")
    block = {"tool": tool, "version": v, "uploaded": r["uploaded"], "yanked": r["yanked"],
             "yanked_reason": r["yanked_reason"], "variants": args.variants, "selection": args.selection}
    t0 = time.time()

    def stub(status, error):
        block.update(status=status, error=error, seconds=round(time.time() - t0, 1))
        with open(out, "w") as f:
            json.dump({"python": sys.version, "commit": env.get("CF_COMMIT", "unknown"), "properties": [],
                       "subjects": [], "results": [], "release": block}, f, indent=1)
        return out, status, error

    site = f"{tool}@{v}"
    say(f"  installing {site} from PyPI{' (yanked: pip warns)' if r['yanked'] else ''}")
    rc, log = run_logged([os.path.join(ROOT, "harness", "tools", "subjects.sh"), site],
                         os.path.join(logs, f"{site}.install.log"), env)
    if rc:
        return stub("not installed", pip_error(log))
    if args.compiled:
        target = os.path.join(args.build, args.compiled + re.sub(r"[^0-9A-Za-z]", "_", v)
                              + sysconfig.get_config_var("EXT_SUFFIX"))
        steps = [os.path.join(args.build, args.adapter_object.format(version=v))] if args.adapter_object else []
        for step in steps + [target]:
            say(f"  building {'the adapter' if step == target else 'its object'} ({os.path.relpath(step, ROOT)})")
            rc, log = run_logged(["make", "--no-print-directory", f"-j{os.environ.get('JOBS') or os.cpu_count() or 2}",
                                  f"BUILD={args.build}", f"PYTHON={sys.executable}", step],
                                 os.path.join(logs, f"{site}.{'build' if step == target else 'object'}.log"), env)
            if rc:
                return stub("not built", first_error(log))
    say(f"  conformance: {', '.join(names)}")
    tap = os.path.join(logs, f"{site}.tap")
    cmd = [args.conformance, "--skip-unavailable", "--json", out]
    for n in names:
        cmd += ["--subject", n]
    if os.path.exists(out):
        os.unlink(out)
    with open(tap, "w") as f, open(tap + ".stderr", "w") as ferr:
        rc = subprocess.run(cmd, stdout=f, stderr=ferr, env=env, cwd=ROOT).returncode
    if rc not in (0, 1) or not os.path.exists(out):
        with open(tap + ".stderr") as f:
            err = f.read().strip().splitlines()
        why = f"build/conformance exited {rc}" + (f": {err[-1]}" if err else "")
        return stub("run failed", why)
    with open(out) as f:
        data = json.load(f)
    block.update(status="ran", seconds=round(time.time() - t0, 1))
    data["release"] = block
    with open(out + ".tmp", "w") as f:
        json.dump(data, f, indent=1)
    os.replace(out + ".tmp", out)
    counts = {}
    for rec in data["results"]:
        counts[rec["status"]] = counts.get(rec["status"], 0) + 1
    if set(counts) <= {"skip"}:   # the adapter cannot drive this release: every test skipped
        why = data["results"][0]["reason"] if data["results"] else "no results"
        return out, "did not load", why.replace(ROOT + os.sep, "")
    return out, "ran", ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


# ---------------------------------------------------------------- main

def main(argv):
    ap = argparse.ArgumentParser(prog="release_history.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--build", required=True, help="the build directory (make's $(BUILD))")
    ap.add_argument("--out", required=True, help="where history-TOOL.{md,json} go (make's $(RESULTS))")
    ap.add_argument("--conformance", help="the runner (default BUILD/conformance)")
    ap.add_argument("--versions", default="", help="only these releases of the list (space-separated)")
    ap.add_argument("--pypi-json", help="PyPI's JSON for the tool from a file, not the network")
    args = ap.parse_args(argv)
    if args.tool not in TOOLS:
        print(f"history: unknown tool {args.tool!r}: TOOL is one of {', '.join(TOOLS)}", file=sys.stderr)
        return 2
    start = time.time()
    policy = TOOLS[args.tool]
    args.build = os.path.abspath(args.build)
    args.conformance = os.path.abspath(args.conformance or os.path.join(args.build, "conformance"))
    args.compiled, args.adapter_object = policy.get("compiled"), policy.get("adapter_object")
    if not os.access(args.conformance, os.X_OK):
        print(f"history: {args.conformance} is not built (make history builds it)", file=sys.stderr)
        return 2
    work = os.path.join(args.build, "history", args.tool)
    for sub in ("runs", "logs"):
        os.makedirs(os.path.join(work, sub), exist_ok=True)

    pypi, source = fetch(policy["distribution"], args.pypi_json)
    every = releases_from(pypi)
    chosen, left_out = select(every, policy["select"])
    args.selection = {"rule": policy["rule"], "source": source, "left_out": left_out,
                      "fetched": time.strftime("%Y-%m-%d", time.gmtime())}
    with open(os.path.join(work, "releases.json"), "w") as f:
        json.dump({"tool": args.tool, "distribution": policy["distribution"], **args.selection,
                   "releases": every, "selected": [r["version"] for r in chosen]}, f, indent=1)
    if args.versions.split():
        unknown = [v for v in args.versions.split() if v not in {r["version"] for r in chosen}]
        if unknown:
            print(f"history: not in {args.tool}'s list: {', '.join(unknown)} (the list: "
                  f"{' '.join(r['version'] for r in chosen)})", file=sys.stderr)
            return 2
        chosen = [r for r in chosen if r["version"] in args.versions.split()]

    listed, rules = tree_subjects(args.tool)
    args.variants = sorted({s.variant for s in listed if s.origin != "debian"} | set(rules))
    env = dict(os.environ, FFI_SUBJECTS_DIR=os.path.join(args.build, "subjects"))
    env.setdefault("CF_COMMIT", subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                               text=True, cwd=ROOT).stdout.strip() or "unknown")
    if args.compiled:   # the releases the tree does not list, in a registry of this run's own
        registry = os.path.join(work, "registry")
        os.makedirs(registry, exist_ok=True)
        with open(os.path.join(registry, "subjects.txt"), "w") as f:
            f.write(f"# {args.tool} releases for make history (harness/tools/release_history.py); "
                    "generated, not edited\n")
            f.write("".join(line + "\n" for line in registry_lines(args.tool, [r["version"] for r in chosen], listed)))
        env["FFI_ADAPTERS"] = ":".join(d for d in (registry, os.environ.get("FFI_ADAPTERS", "")) if d)
    say(f"{args.tool}: {len(chosen)} release(s), {policy['rule']}"
        + (f" (left out: {left_out})" if left_out else "") + f"; runs and logs in {os.path.relpath(work, ROOT)}/")

    runs, tally = [], {}
    for k, r in enumerate(chosen, 1):
        names = [subject_name.join(args.tool, v, r["version"]) for v in args.variants]
        say(f"{args.tool} {r['version']}{' (yanked)' if r['yanked'] else ''}: release {k} of {len(chosen)}")
        t0 = time.time()
        path, status, what = one_release(args, args.tool, r, names, env, work)
        tally[status] = tally.get(status, 0) + 1
        runs.append(path)
        word = {"ran": "ran", "did not load": "ran, but every test skipped", "not installed": "does not install",
                "not built": "does not build", "run failed": "RUN FAILED"}[status]
        say(f"  {word} in {duration(time.time() - t0)}: {what}")

    say(f"merging {len(runs)} run(s) into {args.out}/history-{args.tool}.{{md,json}}")
    rc = subprocess.run([sys.executable, os.path.join(ROOT, "harness", "report"), "history", args.out,
                         "--tool", args.tool, *runs], cwd=ROOT).returncode
    summary = ", ".join(f"{n} {s}" for s, n in sorted(tally.items()))
    say(f"{args.tool}: {len(chosen)} release(s) in {duration(time.time() - start)} ({summary})")
    if rc:
        return rc
    if tally.get("run failed"):
        say(f"{tally['run failed']} run(s) failed (build/conformance exit 2 or a crash): see the .tap.stderr "
            f"files in {os.path.relpath(work, ROOT)}/logs/")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
