#!/bin/sh
# The CPython interpreters this machine has, one per minor version from 3.10
# on, Debian's own first: the paths `make pythons` runs the suite with.
# An interpreter counts when its -config script is there (the suite builds
# against its headers). PYTHONS='path ...' in the environment overrides.
set -u
if [ -n "${PYTHONS:-}" ]; then echo "$PYTHONS"; exit 0; fi
seen=""
for py in /usr/bin/python3 /usr/local/bin/python3.* "$HOME"/.pyenv/versions/*/bin/python3.*; do
    case $py in *-config|*[!0-9t.]) continue ;; esac
    [ -x "$py" ] && [ -x "$py-config" ] || continue
    tag=$("$py" -c 'import sys, sysconfig; v = sys.version_info
print("%d.%d" % v[:2] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "") if v >= (3, 10) else "")' 2>/dev/null) || continue
    [ -n "$tag" ] || continue
    case " $seen " in *" $tag "*) continue ;; esac
    seen="$seen $tag"
    echo "$py"
done
