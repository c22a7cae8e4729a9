"""Installs a real subject's tool and records where it came from.

A pip-installed tool lives in a site of its own, $FFI_SUBJECTS_DIR/
TOOL@VERSION (pip --target; two versions of one package side by side),
which the subject puts first on sys.path when it loads. Each site holds a
provenance record, .provenance.json:

  origin         pypi | wheel | directory | interpreter | build
  requirements   what pip was given
  path           the wheel file or source directory (wheel, directory);
                 where the interpreter imports it from (interpreter)
  sha256         the wheel file's (wheel, directory: the wheel built from it)
  commit         the source directory's git commit, "+dirty" when a tracked
                 file differs from it (directory, when it is a git work tree;
                 untracked files are not looked at: a build leaves some)
  yanked         whether PyPI marks a release installed here as yanked,
                 read from pip's own warning; yanked_reason its reason

An `interpreter` site holds only the record: the tool is whatever the
chosen Python imports, not installed by us.

Run as a program it installs the tools of every registry (subjects.txt
here and in $FFI_ADAPTERS); see --help."""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

PROVENANCE = ".provenance.json"
STAMP = ".installed"   # the requirements a pip site was made from
# Bumped when the record gains a field every site must have: older sites
# are installed again.
RECORD_FORMAT = 1


class InstallError(Exception):
    """An install that failed: the message says what, the command that
    failed and the end of its log."""


def say(text):
    print(f"subjects: {text}", file=sys.stderr, flush=True)


def read_provenance(site):
    try:
        with open(os.path.join(site, PROVENANCE)) as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record if record.get("format") == RECORD_FORMAT else None


def write_provenance(site, record):
    record = dict(record, format=RECORD_FORMAT, recorded=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, PROVENANCE + ".tmp"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(os.path.join(site, PROVENANCE + ".tmp"), os.path.join(site, PROVENANCE))


_YANKED = re.compile(r"is a yanked version: '([^']+)' candidate \(version (\S+)[^\n]*\n"
                     r"Reason for being yanked: ([^\n]*)")


def yanked_in(log):
    """[(distribution, version, reason)] that pip warned are yanked."""
    return [(d, v, "" if r.strip() == "<none given>" else r.strip()) for d, v, r in _YANKED.findall(log)]


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def git_commit(directory):
    """The directory's commit (+dirty when a tracked file differs), or None."""
    def git(*args):
        return subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True, timeout=30)
    try:
        head = git("rev-parse", "HEAD")
        if head.returncode:
            return None
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        return None


def tail(text, lines=12):
    return "\n".join(text.rstrip().splitlines()[-lines:])


def pip(python, args, what):
    """Runs python -m pip ARGS; returns its output, or raises InstallError
    with the command and the end of pip's own message."""
    command = [python, "-m", "pip", *args]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InstallError(f"{what}: {' '.join(command)} could not run: {e}") from None
    log = out.stdout + out.stderr
    if out.returncode:
        raise InstallError(f"{what} failed (pip exited {out.returncode}).\n"
                           f"  command: {' '.join(command)}\n"
                           + "\n".join("  | " + line for line in tail(log).splitlines()))
    return log


def pip_target(python, site, requirements, what):
    """pip install --target into a fresh site, replacing any old one only
    once the new one is complete. Returns pip's log."""
    partial = site + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(os.path.dirname(site), exist_ok=True)
    try:
        log = pip(python, ["install", "--disable-pip-version-check", "--no-warn-script-location",
                           "--target", partial, *requirements], what)
    except InstallError:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(site, ignore_errors=True)
    os.replace(partial, site)
    with open(os.path.join(site, STAMP), "w") as f:
        f.write(" ".join(requirements) + "\n")
    return log


def yanked_fields(log):
    yanked = yanked_in(log)
    return {"yanked": bool(yanked),
            "yanked_reason": "; ".join(f"{d} {v}: {r or 'no reason given'}" for d, v, r in yanked)}


def install_pypi(python, site, requirements, build_only=False):
    """The requirements from PyPI into site, unless it holds them already."""
    record = read_provenance(site)
    wanted = " ".join(requirements)
    if record and record.get("requirements") == wanted and os.path.exists(os.path.join(site, STAMP)):
        return record
    say(f"installing {os.path.basename(site)} from PyPI: {wanted}")
    log = pip_target(python, site, requirements, f"installing {wanted} from PyPI")
    record = {"origin": "build" if build_only else "pypi", "requirements": wanted, **yanked_fields(log)}
    write_provenance(site, record)
    return record


def wheel_version(path):
    """The version in a wheel's file name (dist-version[-build]-py-abi-plat.whl)."""
    parts = os.path.basename(path)[:-len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise InstallError(f"{path}: not a wheel file name (DIST-VERSION-PY-ABI-PLATFORM.whl)")
    return parts[1]


def install_wheel(python, site, wheel, extra=None):
    """A wheel file (and what it requires, from PyPI) into site."""
    digest = sha256_of(wheel)
    record = read_provenance(site)
    if record and record.get("sha256") == digest and record.get("origin") in ("wheel", "directory"):
        return record
    say(f"installing {os.path.basename(site)} from the wheel {wheel}")
    log = pip_target(python, site, [wheel], f"installing the wheel {wheel}")
    record = {"origin": "wheel", "requirements": wheel, "path": wheel, "sha256": digest,
              **yanked_fields(log), **(extra or {})}
    write_provenance(site, record)
    return record


def build_wheel(python, directory):
    """A wheel built from a source directory (pip wheel --no-deps); its path."""
    out = tempfile.mkdtemp(prefix="ffi-wheel-")
    say(f"building a wheel from {directory}")
    pip(python, ["wheel", "--disable-pip-version-check", "--no-deps", "--wheel-dir", out, directory],
        f"building a wheel from {directory}")
    wheels = glob.glob(os.path.join(out, "*.whl"))
    if len(wheels) != 1:
        raise InstallError(f"building a wheel from {directory} gave {len(wheels)} wheel files, want one")
    return wheels[0]


def record_interpreter(site, distribution, where):
    """A site holding only the record: the tool is the interpreter's own."""
    record = read_provenance(site)
    if not (record and record.get("origin") == "interpreter" and record.get("path") == where):
        shutil.rmtree(site, ignore_errors=True)
        say(f"{os.path.basename(site)} is the interpreter's own, at {where}: nothing to install")
    write_provenance(site, {"origin": "interpreter", "requirements": distribution, "path": where})


def interpreter_location(distribution):
    """Where the running interpreter imports a distribution from, and its
    version; InstallError when it has none."""
    from importlib import metadata
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise InstallError(f"{sys.executable} has no distribution {distribution!r} installed "
                           f"(pip install it into that interpreter, or name a version to install)") from None
    return str(dist.locate_file("")), dist.version


# -- the command line -------------------------------------------------------

def main(argv):
    import argparse
    import ffi_adapters
    parser = argparse.ArgumentParser(
        prog="subject_install.py",
        description="Installs the real binding tools the registries list (subjects.txt here and in "
                    "$FFI_ADAPTERS), pinned: PyPI tools into $FFI_SUBJECTS_DIR/TOOL@VERSION, Debian "
                    "packages with apt-get when root. Exit 1 when something could not be installed, "
                    "with pip's or apt's own message.")
    parser.add_argument("--heavy", action="store_true", help="also the subjects flagged heavy (torch)")
    parser.add_argument("names", nargs="*", metavar="SUBJECT",
                        help="only these: a tool, a family or a subject name (default: every one listed); "
                             "a name not listed is installed by its tool's rule (TOOL@VERSION, "
                             "TOOL@WHEEL, TOOL@DIRECTORY)")
    args = parser.parse_args(argv)
    failed = []
    try:
        chosen = ffi_adapters.select(args.names, heavy=args.heavy)
    except ffi_adapters.Unavailable as e:
        print(f"subjects: {e}", file=sys.stderr)
        return 1
    for s in [s for s in chosen if s.not_here()]:
        say(f"{s.name}: not installed: {s.not_here()}")
    chosen = [s for s in chosen if not s.not_here()]
    debs = sorted({i[4:] for s in chosen for i in s.install if i.startswith("deb:")
                   if ffi_adapters.deb_version(i[4:]) is None})
    if debs:
        try:
            apt_install(debs)
        except InstallError as e:
            print(f"subjects: {e}", file=sys.stderr)
            failed.append(" ".join(debs))
        ffi_adapters.forget_deb_versions()
        # The subjects were named before the install ("swig@not-installed"):
        # name them again by the versions now installed.
        chosen = [s for s in ffi_adapters.select(args.names, heavy=args.heavy) if not s.not_here()]
    done = set()
    for s in chosen:
        if s.site in done:
            continue
        done.add(s.site)
        try:
            ffi_adapters.ensure(s)
        except ffi_adapters.Unavailable as e:
            print(f"subjects: {e}", file=sys.stderr)
            failed.append(s.name)
    if failed:
        print(f"subjects: could not install: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def apt_install(packages):
    """Debian packages with apt-get, as root; else InstallError with the command."""
    command = "apt-get install -y " + " ".join(packages)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise InstallError(f"missing Debian packages: {' '.join(packages)}; install them with: sudo {command}")
    say(f"installing Debian packages: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for step in (["apt-get", "update", "-qq"],
                 ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]):
        out = subprocess.run(step, capture_output=True, text=True, env=env)
        if out.returncode:
            raise InstallError(f"{' '.join(step)} failed:\n"
                               + "\n".join("  | " + line for line in tail(out.stdout + out.stderr).splitlines()))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv[1:]))
