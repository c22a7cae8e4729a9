#!/bin/sh
# The binding project's CI recipe of docs/your-build.md, run as written,
# against a simulated project: its own registry with a rule for its tool
# (mytool), its adapter, its expectations and its stored results, and
# wheels of mytool built here (the tree's ctypes binding, packaged as a
# tool would be). A good build passes, a broken one fails with 1, a wheel
# that is not there fails with 2. TAP 13.
#
# usage: ci_recipe.sh BUILD_DIR            the recipe's lines after the
#                                          clone and build, on this tree
#        ci_recipe.sh --clone BUILD_DIR    every line, from a clean clone
#                                          of this tree's HEAD (CI)
set -u
clone=0
[ "${1:-}" = --clone ] && { clone=1; shift; }
build=$(cd "$1" && pwd) || exit 2
tree=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"
echo "1..$((5 + clone))"

# The recipe: the lines of the doc's block, as they are.
sed -n '/^<!-- ci-recipe/,/^<!-- end ci-recipe/p' "$tree/docs/your-build.md" | sed '1,2d;$d' | sed '$d' \
    > "$work/recipe.sh"
[ "$(wc -l < "$work/recipe.sh")" -le 6 ] && grep -q 'conformance --subject' "$work/recipe.sh"
ok $? "docs/your-build.md has the recipe, in at most six commands" "$(cat "$work/recipe.sh")"

# The project: a rule for its tool, an adapter taking whatever mytool the
# subject's site holds, expectations (those of the binding it packages).
project=$work/project
mkdir -p "$project/ci/ffi-identity/expectations" "$work/dist"
echo 'mytool * - adapter_mytool pip:mytool=={version} -' > "$project/ci/ffi-identity/subjects.txt"
cat > "$project/ci/ffi-identity/adapter_mytool.py" <<'EOF'
"""mytool's adapter: the namespace is the mytool package its site holds."""


def subject(ns, version, variant):
    import mytool
    for key, value in vars(mytool).items():
        if not key.startswith("__"):
            setattr(ns, key, value)
    ns.summary = f"mytool {mytool.__version__}: ctypes over the C object model"
EOF
cp "$tree/conformance/expectations/ctypes.txt" "$project/ci/ffi-identity/expectations/mytool@1.0.txt"

# wheel VERSION [BREAK]: dist/mytool-VERSION-py3-none-any.whl, the tree's
# ctypes binding as the package; BREAK appends a line that breaks it.
wheel() {
    "$PYTHON" - "$tree/harness/subjects/ctypes/adapter_ctypes.py" "$work/dist" "$1" "${2:-}" <<'EOF'
import base64, hashlib, sys, zipfile
source, out, version, breaks = sys.argv[1:]
code = open(source).read() + f"\n__version__ = {version!r}\n" + (breaks + "\n" if breaks else "")
info = f"mytool-{version}.dist-info"
files = {"mytool/__init__.py": code,
         f"{info}/METADATA": f"Metadata-Version: 2.1\nName: mytool\nVersion: {version}\n",
         f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: ci_recipe.sh\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
def digest(text):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{p},{digest(t)},{len(t.encode())}\n" for p, t in files.items()) + f"{info}/RECORD,,\n"
with zipfile.ZipFile(f"{out}/mytool-{version}-py3-none-any.whl", "w") as z:
    for p, t in {**files, f"{info}/RECORD": record}.items():
        z.writestr(p, t)
EOF
    echo "$work/dist/mytool-$1-py3-none-any.whl"
}

# recipe DIR WHEEL: the recipe in DIR (its own ffi-identity and results),
# its output in DIR/out, its status returned.
suite=""
recipe() {
    dir=$1
    mkdir -p "$dir" && cp -r "$project/ci" "$dir/"
    if [ $clone = 1 ] && [ -z "$suite" ]; then   # the first run clones and builds
        lines="$work/recipe.sh"
        suite=$dir/ffi-identity
    else   # later runs (and make test's) use a clone built already
        if [ -n "$suite" ]; then
            ln -s "$suite" "$dir/ffi-identity"
        elif [ "$build" = "$tree/build" ]; then   # this tree and its build, as a clone would be
            ln -s "$tree" "$dir/ffi-identity"     # (make -C resolves the link: the tree's own paths)
        else   # a build elsewhere: the tree's files beside it
            mkdir -p "$dir/ffi-identity"
            for entry in "$tree"/* "$tree"/.ci; do ln -s "$entry" "$dir/ffi-identity/"; done
            rm -f "$dir/ffi-identity/build" && ln -s "$build" "$dir/ffi-identity/build"
        fi
        sed '/^git clone /d; /^make -C ffi-identity deps/d' "$work/recipe.sh" > "$dir/recipe.sh"
        lines="$dir/recipe.sh"
    fi
    (cd "$dir" && WHEEL=$2 SUITE="file://$tree" TAG=$(git -C "$tree" rev-parse --abbrev-ref HEAD) \
        PYTHON=$PYTHON FFI_SUBJECTS_DIR="$work/subjects" sh -e "$lines") > "$dir/out" 2>&1
}

# The stored results: a run of the last accepted build, 1.0 (from a clean
# clone, the recipe's first run is on that build).
good=$(wheel 1.0)
FFI_ADAPTERS=$project/ci/ffi-identity FFI_EXPECTATIONS=$project/ci/ffi-identity/expectations \
    FFI_SUBJECTS_DIR="$work/subjects" "$build/conformance" --subject "mytool@$good" \
    --json "$project/ci/ffi-identity/conformance.json" > "$work/stored.out" 2>&1
if [ $clone = 1 ]; then   # the first run: the clone and its build too
    recipe "$work/accepted" "$good"; status=$?
    [ $status -eq 0 ] && [ -s "$work/accepted/conformance.json" ] && [ -x "$work/accepted/ffi-identity/build/conformance" ]
    ok $? "from a clean clone, the recipe builds the suite and passes on the accepted build (1.0)" \
        "$(cat "$work/accepted/out")"
fi

# A new build with a local version: its expectations are 1.0's, its
# results name the wheel, the quick bench reports it, nothing newly fails.
new=$(wheel 1.1.dev1+gabc1234)
recipe "$work/new" "$new"; status=$?
out=$(cat "$work/new/out")
sha=$(sha256sum "$new" | cut -d' ' -f1)
[ $status -eq 0 ] && echo "$out" | grep -q 'expectations for mytool@1.1.dev1+gabc1234: .*mytool@1.0.txt (no file for this version: the nearest older' &&
    grep -q "\"sha256\": \"$sha\"" "$work/new/conformance.json" && grep -q '"subject": "mytool@1.1.dev1+gabc1234"' "$work/new/conformance.json" &&
    echo "$out" | grep -q '^diff: 1 subject pair(s) compared; nothing newly failing'
ok $? "a new build (1.1.dev1+gabc1234) passes, on 1.0's expectations, with its wheel's sha256 in the results, and the diff ran" "$out"
grep -q 'mytool@1.1.dev1+gabc1234' "$work/new/bench/README.md" 2>/dev/null && [ -s "$work/new/bench/bench.json" ]
ok $? "its quick bench reports it" "$(tail -n 5 "$work/new/out")"

# A broken build: wrappers no longer release their natives (L1).
broken=$(wheel 1.2 '_Object.__del__ = lambda self: None')
recipe "$work/broken" "$broken"; status=$?
out=$(cat "$work/broken/out")
[ $status -eq 1 ] && echo "$out" | grep -q '^not ok'
ok $? "a broken build (1.2) fails the recipe with exit 1" "$out"

# No such wheel: the recipe cannot run: 2, saying why.
recipe "$work/missing" "$work/dist/mytool-9.9-py3-none-any.whl"; status=$?
out=$(cat "$work/missing/out")
[ $status -eq 2 ] && echo "$out" | grep -q 'neither a wheel file'
ok $? "a wheel that is not there fails with exit 2 and says why" "$out"

tap_end
