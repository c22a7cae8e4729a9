#!/bin/sh
# Checks that what a make target needs is installed; installs the missing
# Debian packages when run as root, else prints the exact command and fails.
# usage: deps.sh GROUP...   (core bench compare memcheck adapters page)
# Honours PYTHON (default /usr/bin/python3) and PYTHON_CONFIG.
set -u
PYTHON=${PYTHON:-/usr/bin/python3}
PYTHON_CONFIG=${PYTHON_CONFIG:-$PYTHON-config}
missing=""

has() { command -v "$1" >/dev/null 2>&1; }
need() {   # need PACKAGE TEST...: PACKAGE is missing unless TEST succeeds
    pkg=$1; shift
    "$@" >/dev/null 2>&1 || case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
}

python_headers() { "$PYTHON_CONFIG" --includes >/dev/null && "$PYTHON" -c 'import sysconfig'; }

for group in "$@"; do
    case $group in
    core)
        need gcc has cc
        need make has make
        need perl has prove
        if [ "$PYTHON" = /usr/bin/python3 ]; then
            need python3-dev python_headers
        elif ! python_headers 2>/dev/null; then
            echo "deps: $PYTHON has no development headers ($PYTHON_CONFIG --includes failed)." >&2
            echo "deps: install that interpreter's -dev package, or run with PYTHON=/usr/bin/python3." >&2
            exit 1
        fi ;;
    bench)
        need g++ has c++
        need libbenchmark-dev test -f /usr/include/benchmark/benchmark.h
        need gnuplot-nox has gnuplot
        # build/bench --count-instructions: <valgrind/callgrind.h>, and callgrind to run it
        need valgrind test -f /usr/include/valgrind/callgrind.h ;;
    compare)
        # make compare's statistics (scipy.stats) and harness/report's checks of them, on Debian's python3
        need python3-scipy /usr/bin/python3 -c 'import scipy.stats' ;;
    memcheck)
        need valgrind has valgrind ;;
    page)
        need chromium has chromium
        need fonts-dejavu-core test -d /usr/share/fonts/truetype/dejavu ;;
    adapters)
        need g++ has c++
        need pybind11-dev test -f /usr/include/pybind11/pybind11.h
        # Debian's cffi serves Debian's python3 only (harness/subjects/pythons.txt)
        if [ "$PYTHON" = /usr/bin/python3 ]; then need python3-cffi "$PYTHON" -c 'import cffi'; fi ;;
    *)
        echo "deps: unknown group '$group' (core bench compare memcheck adapters page)" >&2
        exit 2 ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && has apt-get; then
    echo "deps: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    log=$(mktemp)
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1 || {
        tail -n 20 "$log" >&2
        echo "deps: apt-get failed; install by hand: apt-get install -y$missing" >&2
        exit 1
    }
    rm -f "$log"
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: install them with:  sudo apt-get install -y$missing" >&2
exit 1
