"""Running the repros (python3 harness/repros check), as TAP.

Each repro is built (compiled tools: its build.sh, cached by the hash of
what it compiles and the tool it compiles against) and run with only its
subject's install on PYTHONPATH: build/subjects/TOOL@VERSION for a PyPI
tool, nothing for a Debian package or the standard library; a heavy
subject only with HEAVY=1 in the environment. It must fail
(exit status 1, the verdict line "=> the property fails"); where the run
says the property passes on another version or variant of the tool, the
repro composed for that subject must hold there (exit status 0); and
every "vs" line (another form of binding shown beside the failing one)
must be ok. What a repro printed on its version is kept beside it as
output.txt.

Options: --quick (one repro per installed subject but the extra ones, as
make test runs it; a heavy subject only when HEAVY is set, as make's HEAVY=1 sets it), --only SUBJECT[/PROPERTY] (repeatable), --build-only (build and
cache, run nothing), --jobs N (builds at once; default 2), --timeout S
(per run; default 120), --passing (also every passing cell of a real
subject a kit can compose: the repro must hold there), --work DIR (the build cache and the repros
composed for passing subjects; default repros-check beside the output)."""
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time

import compose
import conformance_results

# One repro per subject for --quick: the first of these it fails. Cheap
# ones, tvm-ffi's I1 (fails on 0.1.15.post2, holds on 0.1.13) and
# pybind11's O1 (with the static factory beside it) among them; S1 before
# I5, so that nanobind's two variants share builds with its P8.
QUICK_ORDER = ["I1", "O1", "S1", "I5", "P8", "L2", "P3", "U1", "I8", "X1"]
PYTHON = os.environ.get("PYTHON") or sys.executable


class Env:
    """How to run a subject's repros here: PYTHONPATH, or why not."""

    def __init__(self, subject, kit=None):
        self.subject, self.path, self.why, self.extra = subject, "", "", False
        self.kit_env = kit.env if kit else {}   # the kit's variables for a run from the site
        try:
            import ffi_adapters
            s = ffi_adapters.find(subject)
        except Exception as e:   # not a subject this tree knows (another tree's run, say)
            self.why = f"not a subject of this tree: {e}"
            return
        if s.version != subject.rsplit("@", 1)[1]:
            self.why = f"{s.name} is installed here, not {subject}"
            return
        self.extra = "extra" in s.flags   # make test leaves it out
        if "heavy" in s.flags and os.environ.get("HEAVY", "") in ("", "0"):
            self.why = "a heavy subject: HEAVY=1 (make repros-check HEAVY=1)"
            return
        kinds = {i.split(":")[0] for i in s.install}
        if kinds & {"pip", "build"}:
            if not os.path.isdir(s.site):
                self.why = f"not installed: harness/tools/subjects.sh {subject}" + \
                    (" (heavy: make deps HEAVY=1)" if "heavy" in s.flags else "")
                return
            self.path = s.site
        elif "deb" in kinds:
            packages = [i[4:] for i in s.install if i.startswith("deb:")]
            missing = [p for p in packages if not ffi_adapters.deb_version(p)]
            if missing:
                self.why = f"not installed: apt-get install {' '.join(missing)}"

    def environ(self):
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        if self.path:
            env["PYTHONPATH"] = self.path
            env.update({k: v.format(site=self.path) for k, v in self.kit_env.items()})
        env["PYTHON"] = PYTHON
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env


def _hash_dir(directory, env):
    """What a build depends on: the sources compose wrote (SOURCES lists
    them), the interpreter and the tool's install."""
    h = hashlib.sha256()
    with open(os.path.join(directory, compose.SOURCES)) as f:
        names = f.read().split()
    for name in sorted(names):
        h.update(name.encode() + b"\0")
        with open(os.path.join(directory, name), "rb") as f:
            h.update(f.read())
    h.update(f"{PYTHON}\0{env.path}\0{env.subject}".encode())
    return h.hexdigest()[:20]


CARGO = threading.Lock()   # one cargo build at a time in the shared target directory


def _build_sh(directory, env, cache):
    """Runs build.sh. A cargo build (a Cargo.toml beside it) shares one
    target directory with the others, so that the crates it depends on
    compile once: one at a time, its sources touched first (cargo judges
    the crate, one name in every repro, by modification times)."""
    environ = env.environ()
    if not os.path.exists(os.path.join(directory, "Cargo.toml")):
        return subprocess.run(["sh", "build.sh"], cwd=directory, env=environ, capture_output=True, text=True)
    environ["CARGO_TARGET_DIR"] = os.path.join(cache, "cargo-target")
    with CARGO:
        with open(os.path.join(directory, compose.SOURCES)) as f:
            for name in f.read().split():
                os.utime(os.path.join(directory, name))
        return subprocess.run(["sh", "build.sh"], cwd=directory, env=environ, capture_output=True, text=True)


def build(directory, env, cache, log):
    """Runs build.sh in directory (or copies what it made last time from
    the cache). Returns "" or why the build failed."""
    if not os.path.exists(os.path.join(directory, "build.sh")):
        return ""
    key = _hash_dir(directory, env)
    cached = os.path.join(cache, key)
    if os.path.isdir(cached):
        for name in os.listdir(cached):
            shutil.copy2(os.path.join(cached, name), directory)
        return ""
    before = set(os.listdir(directory))
    t = time.time()
    r = _build_sh(directory, env, cache)
    log.append(f"built {os.path.relpath(directory, os.path.dirname(cache))} in {time.time() - t:.1f} s")
    if r.returncode:
        return f"build.sh exited with {r.returncode}: {(r.stderr or r.stdout).strip()[-600:]}"
    os.makedirs(cached + ".tmp", exist_ok=True)
    for name in set(os.listdir(directory)) - before:
        if os.path.isfile(os.path.join(directory, name)):
            shutil.copy2(os.path.join(directory, name), cached + ".tmp")
    os.replace(cached + ".tmp", cached)
    return ""


def run(directory, env, timeout):
    """(exit status, output); status None when it timed out."""
    try:
        r = subprocess.run([PYTHON, "repro.py"], cwd=directory, env=env.environ(), capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out + f"\n(killed after {timeout} s)"
    return r.returncode, r.stdout + (("\n" + r.stderr) if r.stderr.strip() else "")


def verdict(status, out):
    """"fails", "holds", or what else happened."""
    if status == 1 and "=> the property fails" in out:
        return "fails"
    if status == 1 and "a hang there is the failure" in out and "\nTimeout (" in out:
        return "fails"   # X1: faulthandler ended a hang
    if status == 0 and "=> the property holds" in out:
        return "holds"
    if status is None:
        return "hung"
    if status < 0:
        return f"crashed (signal {-status})"
    if "=> the property" not in out:
        return f"broke (exit status {status}, no verdict)"
    return f"exit status {status}"


def select(cells, only, quick, envs):
    chosen = [c for c in cells if not c.why]
    if only:
        chosen = [c for c in chosen if any(o in (c.subject, f"{c.subject}/{c.prop}") for o in only)]
    if quick:
        picked = []
        for subject in dict.fromkeys(c.subject for c in chosen):
            if envs[subject].why or envs[subject].extra:   # not here, heavy without HEAVY=1, or extra
                continue
            mine = {c.prop: c for c in chosen if c.subject == subject}
            first = next((mine[p] for p in QUICK_ORDER if p in mine), None)
            if first:
                picked.append(first)
        chosen = picked
    return chosen


def parse(argv, default_json, default_out):
    opts = {"only": [], "timeout": 120.0, "jobs": 2, "work": "", "flags": set()}
    pos, k = [], 0
    while k < len(argv):
        a = argv[k]
        name, _, value = a.partition("=")
        if name in ("--only", "--timeout", "--jobs", "--work"):
            if not value:
                k += 1
                value = argv[k]
            if name == "--only":
                opts["only"].append(value)
            elif name == "--work":
                opts["work"] = value
            else:
                opts[name[2:]] = float(value) if name == "--timeout" else int(value)
        elif a.startswith("--"):
            opts["flags"].add(a)
        else:
            pos.append(a)
        k += 1
    return opts, (pos + [default_json])[0], (pos[1:] + [default_out])[0]


def main(argv, default_json, default_out):
    opts, json_path, out = parse(argv, default_json, default_out)
    data = conformance_results.load(json_path)
    cells = compose.plan(data)
    infos = compose.subject_info(data)
    envs = {}
    for c in cells:
        for s in [c.subject] + c.passes_on:
            if s not in envs:
                envs[s] = Env(s, compose.kits.kit_for(compose.family(infos[s])))
    chosen = select(cells, opts["only"], "--quick" in opts["flags"], envs)
    scratch = opts["work"] or os.path.join(os.path.dirname(os.path.abspath(out)), "repros-check")
    cache = os.path.join(scratch, "cache")
    os.makedirs(cache, exist_ok=True)
    start, log = time.time(), []

    # What runs where: each chosen repro on its subject (must fail), and the
    # same property composed for each subject where the run says it passes.
    jobs = []   # (label, directory or why none, env, want)
    for c in chosen:
        env = envs[c.subject]
        jobs.append((f"{c.subject} {c.prop}", env.why and f"SKIP {env.why}" or compose.write(c, data, out), env, "fails"))
        for other in c.passes_on:
            oenv = envs[other]
            alt = compose.Cell(other, c.prop, [], infos[other], *compose.kit_and_scenario(infos[other], c.prop))
            where = (f"SKIP {oenv.why}" if oenv.why else f"SKIP no repro kit there: {alt.why}" if alt.why
                     else compose.write(alt, data, os.path.join(scratch, "passing")))
            jobs.append((f"{c.subject} {c.prop}: on {other}", where, oenv, "holds"))
    if "--passing" in opts["flags"]:
        # Every passing cell of a real subject that a kit and scenario can
        # compose: the repro must hold there too (the scenarios' fidelity).
        by = compose.verdicts(data)
        for subject, info in infos.items():
            if envs.setdefault(subject, Env(subject, compose.kits.kit_for(compose.family(info)))).why or (opts["only"] and subject not in opts["only"]):
                continue
            for prop in (p["id"] for p in data.get("properties", [])):
                kit, scen, why = compose.kit_and_scenario(info, prop)
                if why or not compose.passed(by.get((subject, prop))):
                    continue
                alt = compose.Cell(subject, prop, [], info, kit, scen, why)
                where = compose.write(alt, data, os.path.join(scratch, "passing"))
                jobs.append((f"{subject} {prop} (passes in the run)", where, envs[subject], "holds"))

    # Builds, each distinct one once, a few at a time.
    runnable = [j for j in jobs if os.path.isdir(j[1])]
    first = {}
    for _, where, env, _ in runnable:
        if os.path.exists(os.path.join(where, "build.sh")):
            first.setdefault(_hash_dir(where, env), (where, env))
    with concurrent.futures.ThreadPoolExecutor(max(1, opts["jobs"])) as pool:
        built = dict(zip(first, pool.map(lambda we: build(we[0], we[1], cache, log), first.values())))
    if "--build-only" in opts["flags"]:
        for line in log:
            print(f"repros: {line}")
        bad = {k: v for k, v in built.items() if v}
        for why in bad.values():
            print(f"repros: a build failed: {why}", file=sys.stderr)
        return 1 if bad else 0

    points = []

    def point(good, what, detail="", skip=""):
        points.append(good)
        print(f"{'ok' if good else 'not ok'} {len(points)} - {what}" + (f" # SKIP {skip}" if skip else ""), flush=True)
        if not good:
            print("".join(f"#   {line}\n" for line in str(detail).splitlines()[:30]), end="", flush=True)

    for what, where, env, want in jobs:
        verb = "the repro fails there" if want == "fails" else "the same repro holds there"
        if where.startswith("SKIP "):
            point(True, f"{what}: {verb}", skip=where[5:])
            continue
        if where.startswith("NONE "):
            point(False, f"{what}: {verb}", where[5:])
            continue
        why = build(where, env, cache, log)   # from the cache now, or why it failed
        if why:
            point(False, f"{what}: builds", why)
            continue
        status, text = run(where, env, opts["timeout"])
        if want == "fails":
            with open(os.path.join(where, "output.txt"), "w") as f:
                f.write(text)
        v = verdict(status, text)
        point(v == want, f"{what}: {verb}", f"it {v}:\n{text}")
        contrasts = [ln for ln in text.splitlines() if ln.startswith("  vs ")]
        if contrasts:
            bad = [ln for ln in contrasts if not ln.startswith("  vs ok")]
            point(not bad, f"{what}: the other form shown beside it holds", "\n".join(bad))
    print(f"1..{len(points)}")
    for line in log:
        print(f"# {line}")
    failed = points.count(False)
    print(f"# {len(chosen)} repros of {sum(not c.why for c in cells)} ({len(cells)} failing cells of real tools), "
          f"{len(points)} checks, {failed} failed, {time.time() - start:.0f} s")
    return 1 if failed else 0
