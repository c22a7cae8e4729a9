#!/bin/sh
# Installs the real binding tools of harness/adapters/subjects.txt, pinned:
# pip packages with `pip --target` into $FFI_SUBJECTS_DIR/TOOL@VERSION (one
# directory per version, so two versions of one package coexist on disk),
# Debian packages with apt-get when root (otherwise the exact command, and
# those subjects are skipped with it as the reason).
#
# usage: subjects.sh [--heavy] [TOOL...]
#   TOOL     only these tools (default: all)
#   --heavy  also the subjects flagged heavy (torch); else they are left out
# Honours PYTHON (default /usr/bin/python3) and FFI_SUBJECTS_DIR (default
# build/subjects). Already installed sites are kept: a stamp file records
# what each holds.
set -u
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-/usr/bin/python3}
DIR=${FFI_SUBJECTS_DIR:-build/subjects}
REGISTRY=harness/adapters/subjects.txt
heavy=0
[ "${1:-}" = --heavy ] && { heavy=1; shift; }
tools=" $* "

as_root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
deb_missing() { ! dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }

updated=0
apt_install() {   # apt_install PKG...: install as root, else say how
    if as_root; then
        export DEBIAN_FRONTEND=noninteractive
        [ $updated = 1 ] || { apt-get update -qq >&2; updated=1; }
        echo "subjects: installing Debian packages: $*" >&2
        log=$(mktemp)
        apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1 && { rm -f "$log"; return 0; }
        tail -n 20 "$log" >&2
    fi
    echo "subjects: missing Debian packages: $* (install with: sudo apt-get install -y $*);" \
         "their subjects are skipped" >&2
    return 1
}

status=0
debs=""
pip_sites=""
# One pass over the registry: collect Debian packages and pip sites.
while read -r tool version variant module install flags; do
    case $tool in ''|'#'*) continue ;; esac
    [ "$tools" = "  " ] || case $tools in *" $tool "*) ;; *) continue ;; esac
    case ",$flags," in *,heavy,*) [ $heavy = 1 ] || continue ;; esac
    for item in $(echo "$install" | tr ',' ' '); do
        case $item in
        deb:*) pkg=${item#deb:}
               deb_missing "$pkg" && case " $debs " in *" $pkg "*) ;; *) debs="$debs $pkg" ;; esac ;;
        pip:*|build:*)
               case $version in deb:*|python) echo "subjects: $tool: a pip install needs a literal version" >&2; exit 2 ;; esac
               pip_sites="$pip_sites $tool@$version=${item#*:}" ;;
        esac
    done
done < "$REGISTRY"

# shellcheck disable=SC2086
[ -z "$debs" ] || apt_install $debs || status=1

if [ -n "$pip_sites" ] && ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip || { echo "subjects: $PYTHON has no pip; pip subjects are skipped" >&2; exit 1; }
fi

# Each site: every requirement of that TOOL@VERSION, installed at once.
for site in $(for p in $pip_sites; do echo "${p%%=*}"; done | sort -u); do
    reqs=$(for p in $pip_sites; do [ "${p%%=*}" = "$site" ] && echo "${p#*=}"; done | sort -u | tr '\n' ' ')
    stamp="$DIR/$site/.installed"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$reqs" ] && continue
    echo "subjects: installing $site from PyPI: $reqs" >&2
    rm -rf "$DIR/$site" "$DIR/$site.partial"
    mkdir -p "$DIR"
    # shellcheck disable=SC2086
    if "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
            --target "$DIR/$site.partial" $reqs 2>"$DIR/$site.log"; then
        mv "$DIR/$site.partial" "$DIR/$site" && echo "$reqs" > "$stamp"
    else
        echo "subjects: pip could not install $reqs (log: $DIR/$site.log); $site is skipped" >&2
        tail -n 5 "$DIR/$site.log" >&2
        status=1
    fi
done
exit $status
