"""Running the repros (python3 harness/repros check), as TAP.

Each repro is built (compiled tools: its build.sh, cached by the hash of
what it compiles and the tool it compiles against) and run with only its
subject's install on PYTHONPATH: build/subjects/TOOL@VERSION for a PyPI
tool, nothing for a Debian package or the standard library. It must fail
(exit status 1, the verdict line "=> the property fails"); where the run
says the property passes on another version or variant of the tool, the
repro composed for that subject must hold there (exit status 0); and
every "vs" line (another form of binding shown beside the failing one)
must be ok. What a repro printed on its version is kept beside it as
output.txt.

Options: --quick (a few repros per installed subject, as make test runs
it), --only SUBJECT[/PROPERTY] (repeatable), --build-only (build and
cache, run nothing), --timeout S (per run; default 120)."""
import hashlib
import os
import shutil
import subprocess
import sys
import time

import compose
import conformance_results

# One repro per subject for --quick: the first of these it fails (cheap
# properties, and the ones the brief names: tvm-ffi I1, pybind11 O1).
QUICK_ORDER = ["I1", "O1", "I5", "P8", "L2", "P3", "U1", "I8", "X1"]
PYTHON = os.environ.get("PYTHON") or sys.executable


class Env:
    """How to run a subject's repros here: PYTHONPATH, or why not."""

    def __init__(self, subject):
        self.subject, self.path, self.why = subject, "", ""
        try:
            import ffi_adapters
            s = ffi_adapters.find(subject)
        except Exception as e:   # not a subject this tree knows (another tree's run, say)
            self.why = f"not a subject of this tree: {e}"
            return
        if s.version != subject.rsplit("@", 1)[1]:
            self.why = f"{s.name} is installed here, not {subject}"
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
        env["PYTHON"] = PYTHON
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env


def _hash_dir(directory, env):
    h = hashlib.sha256()
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and name not in ("repro.py", "README.md", "output.txt"):
            h.update(name.encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
    h.update(f"{PYTHON}\0{env.path}\0{env.subject}".encode())
    return h.hexdigest()[:20]


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
    r = subprocess.run(["sh", "build.sh"], cwd=directory, env=env.environ(), capture_output=True, text=True)
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
            if envs[subject].why:
                continue
            mine = {c.prop: c for c in chosen if c.subject == subject}
            first = next((mine[p] for p in QUICK_ORDER if p in mine), None)
            if first:
                picked.append(first)
        chosen = picked
    return chosen


def main(argv, default_json, default_out):
    flags = {a for a in argv if a.startswith("--") and "=" not in a}
    only, pos, timeout = [], [], 120
    k = 0
    while k < len(argv):
        a = argv[k]
        if a == "--only":
            only.append(argv[k + 1])
            k += 1
        elif a.startswith("--timeout"):
            timeout = float(a.split("=", 1)[1]) if "=" in a else float(argv[k + 1])
            k += 0 if "=" in a else 1
        elif not a.startswith("--"):
            pos.append(a)
        k += 1
    json_path = pos[0] if pos else default_json
    out = pos[1] if len(pos) > 1 else default_out
    data = conformance_results.load(json_path)
    cells = compose.plan(data)
    envs = {}
    for c in cells:
        for s in [c.subject] + c.passes_on:
            if s not in envs:
                envs[s] = Env(s)
    chosen = select(cells, only, "--quick" in flags, envs)
    scratch = os.path.join(os.path.dirname(os.path.abspath(out)), "repros-check")
    cache = os.path.join(scratch, "cache")
    os.makedirs(cache, exist_ok=True)
    infos = compose.subject_info(data)
    points, log = [], []
    start = time.time()

    def point(good, what, detail=""):
        points.append((good, what, detail))
        print(f"{'ok' if good else 'not ok'} {len(points)} - {what}", flush=True)
        if not good:
            print("".join(f"#   {line}\n" for line in str(detail).splitlines()[:30]), end="", flush=True)

    for c in chosen:
        env = envs[c.subject]
        if env.why:
            print(f"ok {len(points) + 1} - {c.subject} {c.prop} # SKIP {env.why}", flush=True)
            points.append((True, "", ""))
            continue
        where = compose.write(c, data, out)
        why = build(where, env, cache, log)
        if why:
            point(False, f"{c.subject} {c.prop}: builds", why)
            continue
        if "--build-only" in flags:
            continue
        status, text = run(where, env, timeout)
        with open(os.path.join(where, "output.txt"), "w") as f:
            f.write(text)
        v = verdict(status, text)
        point(v == "fails", f"{c.subject} {c.prop}: the repro fails there", f"it {v}:\n{text}")
        contrasts = [ln for ln in text.splitlines() if ln.startswith("  vs ")]
        if contrasts:
            bad = [ln for ln in contrasts if not ln.startswith("  vs ok")]
            point(not bad, f"{c.subject} {c.prop}: the other form shown beside it holds ({len(contrasts)})",
                  "\n".join(bad))
        for other in c.passes_on:
            oenv = envs[other]
            if oenv.why:
                print(f"ok {len(points) + 1} - {c.subject} {c.prop}: holds on {other} # SKIP {oenv.why}", flush=True)
                points.append((True, "", ""))
                continue
            alt = compose.Cell(other, c.prop, [], infos[other], *compose.kit_and_scenario(infos[other], c.prop))
            if alt.why:
                point(False, f"{c.subject} {c.prop}: holds on {other}", f"no repro there: {alt.why}")
                continue
            where = compose.write(alt, data, os.path.join(scratch, "passing"))
            why = build(where, oenv, cache, log)
            if why:
                point(False, f"{c.subject} {c.prop}: builds for {other}", why)
                continue
            if "--build-only" in flags:
                continue
            status, text = run(where, oenv, timeout)
            v = verdict(status, text)
            point(v == "holds", f"{c.subject} {c.prop}: the same repro holds on {other}", f"it {v}:\n{text}")
    print(f"1..{len(points)}")
    for line in log:
        print(f"# {line}")
    failed = sum(not good for good, _, _ in points)
    print(f"# {len(chosen)} repros of {sum(not c.why for c in cells)} ({len(cells)} failing cells), "
          f"{len(points)} checks, {failed} failed, {time.time() - start:.0f} s")
    return 1 if failed else 0
