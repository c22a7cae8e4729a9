#!/bin/sh
# A failure class through the whole chain, on the stdlib ctypes subject
# (installed everywhere): the runner reads [CLASS: CITATION] from an
# expectations line into the record, reports an unsupported use with a
# status of its own, and matrix.py refuses a real tool's failure whose
# line names no class. A few seconds.
#   failure_classes.sh CONFORMANCE PYTHON
. "$(dirname "$0")/../../tests/tap.sh"
conformance=$1 python=$2
report=$(dirname "$0")/..
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
echo "TAP version 13"
echo "1..5"

run() {   # run NAME: plain ctypes (not its +variants), I1 and I2, expectations from $dir/NAME
    mkdir -p "$dir/$1" && cp "$dir/$1.txt" "$dir/$1/ctypes.txt"
    "$conformance" --subject 'ctypes@*' --property I1 --property I2 --expectations "$dir/$1" \
        --json "$dir/$1.json" > "$dir/$1.tap" 2>&1
}

printf 'I1  [limit: https://docs.python.org/3/library/ctypes.html#surprises]  a new object per read\n%s\n' \
    'I2  [unsupported: docs/nowhere.md]  declared unsupported' > "$dir/classified.txt"
run classified
out=$(cat "$dir/classified.tap")
ok $? "the runner accepts classified lines" "$out"
"$python" - "$dir/classified.json" <<'PY'
import json, sys
recs = {r["property"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert recs["I1"]["status"] == "fail" and recs["I1"]["class"] == "limit", recs["I1"]
assert recs["I1"]["citation"] == "https://docs.python.org/3/library/ctypes.html#surprises", recs["I1"]
assert recs["I1"]["reason"] and "[limit" not in recs["I1"]["reason"], recs["I1"]
assert recs["I2"]["status"] == "unsupported" and recs["I2"]["class"] == "unsupported", recs["I2"]
PY
ok $? "the record has the class and citation, and an unsupported use its own status" "$(cat "$dir/classified.json")"
out=$("$python" "$report" matrix "$dir/classified.json" "$dir/classified.md" 2>&1)
echo "$out" | grep -q "carry no class" && status=1 || status=0
ok $status "matrix.py accepts a run whose real failures are classified" "$out"

printf 'I1  a new object per read\nI2  [limit: docs/x.md]  by design\n' > "$dir/unclassified.txt"
run unclassified
ok $? "the runner still reads a line without a class as an expectation" "$(cat "$dir/unclassified.tap")"
out=$("$python" "$report" matrix "$dir/unclassified.json" "$dir/unclassified.md" 2>&1)
status=$?
echo "$out" | grep -q "ctypes@.* I1: no \[CLASS: CITATION\]" && ! echo "$out" | grep -q " I2: " && [ $status -ne 0 ]
ok $? "matrix.py refuses the real tool's unclassified failure, and names only it" "$out"
tap_end
