"""Subject names, versions, expectation files and install records: the
pure parts of subject_name.py and subject_install.py. TAP 13."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "subjects", "loader")]
import subject_install  # noqa: E402
import subject_name     # noqa: E402
from tap import finish, ok  # noqa: E402

ok(subject_name.split("tvm-ffi+slots@0.1.16.dev3+gabc1234") == ("tvm-ffi", "slots", "0.1.16.dev3+gabc1234"),
   "the version runs from '@' to the end, a local part included")
ok(subject_name.split("hashmap+node") == ("hashmap", "node", ""), "a model has a style and no version")
ok(subject_name.family("tvm-ffi+slots@0.1.13") == "tvm-ffi+slots", "the family is the name before '@'")
ok(subject_name.canonical("tvm-ffi@0.1.13+slots") == "tvm-ffi+slots@0.1.13",
   "an old name (variant after the version) reads as today's")
ok(all(subject_name.canonical(x) == x for x in ("hashmap+node", "ctypes@3.11.2", "tvm-ffi+slots@0.1.13")),
   "names of today's form are left as they are")

order = ["0.1.9", "0.1.10rc0", "0.1.10", "0.1.13", "0.1.13+local", "0.1.13.post1", "0.1.14.dev3",
         "0.1.14rc1", "0.1.14", "0.1.14.post1.dev1", "0.1.14.post1", "1!0.0.1"]
shuffled = order[5:] + order[:5]
got = sorted(shuffled, key=subject_name.version_key)
ok(got == order, "PEP 440 order: dev < rc < release < +local < post, epochs last", got)
ok(subject_name.version_key("1.0") == subject_name.version_key("1.0.0"), "1.0 and 1.0.0 are one version")
ok(subject_name.version_key("banana") is None and subject_name.version_key("installed") is None,
   "a word that is not a version is not one")

with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
    for d, f in ((a, "tool@1.0.txt"), (a, "tool@1.2.txt"), (a, "tool+v@1.5.txt"), (b, "tool@1.1.txt"),
                 (b, "tool.txt"), (b, "other@9.txt")):
        open(os.path.join(d, f), "w").close()
    find = subject_name.expectation_file
    ok(find([a, b], "tool@1.2") == (os.path.join(a, "tool@1.2.txt"), "own"), "a version's own file first")
    ok(find([a, b], "tool@1.3.dev1+g12") == (os.path.join(a, "tool@1.2.txt"), "older"),
       "else the nearest older version's, in the first directory that has one")
    ok(find([a, b], "tool@1.1.5") == (os.path.join(a, "tool@1.0.txt"), "older"),
       "never a newer version's", find([a, b], "tool@1.1.5"))
    ok(find([a, b], "tool@0.5") == (os.path.join(b, "tool.txt"), "family"),
       "older than every file: the tool's own file", find([a, b], "tool@0.5"))
    ok(find([a, b], "tool+v@1.4") == (None, "none"), "a variant inherits only from its own variant",
       find([a, b], "tool+v@1.4"))
    ok(find([a, b], "tool@1.1") == (os.path.join(b, "tool@1.1.txt"), "own"),
       "a version's own file in a later directory beats an older version's in an earlier one")
    ok(find([a], "hashmap+node") == (None, "none"), "no file: none")

log = ("Processing x\nWARNING: The candidate selected for download or install is a yanked version: "
       "'apache-tvm-ffi' candidate (version 0.1.13 at https://example/x.whl)\n"
       "Reason for being yanked: <none given>\nInstalling collected packages\n")
ok(subject_install.yanked_in(log) == [("apache-tvm-ffi", "0.1.13", "")],
   "pip's yanked warning is read, '<none given>' as no reason", subject_install.yanked_in(log))
ok(subject_install.yanked_in("Successfully installed x-1.0\n") == [], "no warning, not yanked")
ok(subject_install.wheel_version("/d/apache_tvm_ffi-0.1.16.dev3+gabc1234-cp311-cp311-manylinux_2_28_x86_64.whl")
   == "0.1.16.dev3+gabc1234", "a wheel's version from its file name, a local part included")
try:
    subject_install.wheel_version("/d/not-a-wheel.whl")
    ok(False, "a file name that is not a wheel's is refused")
except subject_install.InstallError:
    ok(True, "a file name that is not a wheel's is refused")

with tempfile.TemporaryDirectory() as d:
    site = os.path.join(d, "tool@1.0")
    subject_install.write_provenance(site, {"origin": "pypi", "requirements": "tool==1.0", "yanked": True})
    got = subject_install.read_provenance(site)
    ok(got["origin"] == "pypi" and got["yanked"] is True and got["format"] == subject_install.RECORD_FORMAT,
       "a provenance record reads back", got)
    with open(os.path.join(site, subject_install.PROVENANCE), "w") as f:
        f.write('{"origin": "pypi"}')
    ok(subject_install.read_provenance(site) is None, "a record of another format is none: the site is installed again")

# The tree's registry: every subject has a process group, and the extra
# processes make bench starts are lists of listed names.
import ffi_adapters  # noqa: E402
try:
    groups = ffi_adapters.extra_processes()
    listed = set(ffi_adapters.names())
    ok(all(g and set(g) <= listed for g in groups), "every extra bench process runs listed subjects", groups)
except Exception as e:   # a crash here leaves make bench without its extra processes
    ok(False, "the registry's process groups can be computed", f"{type(e).__name__}: {e}")

finish()
