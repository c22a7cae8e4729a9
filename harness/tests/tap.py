"""TAP 13 for the Python tests: each check is recorded as it runs, and
finish() prints the plan, every point and the diagnostics of those that
failed, then exits 0 or 1. A test imports it after putting this directory
on sys.path:

    sys.path.insert(0, os.path.join(ROOT, "harness", "tests"))
    from tap import ok, finish
"""
import sys

_points = []


def ok(cond, what, detail=""):
    """One test point: passes when cond is true; detail is shown if not."""
    _points.append((bool(cond), what, detail))
    return bool(cond)


def finish(lines=40):
    """Prints the plan and the points (a failure's detail, its first
    `lines` lines, as comments) and exits: 0 when every point passed."""
    print(f"1..{len(_points)}")
    for k, (good, what, detail) in enumerate(_points, 1):
        print(f"{'ok' if good else 'not ok'} {k} - {what}")
        if not good:
            print("".join(f"#   {line}\n" for line in str(detail).splitlines()[:lines]), end="")
    sys.exit(0 if all(good for good, _, _ in _points) else 1)
