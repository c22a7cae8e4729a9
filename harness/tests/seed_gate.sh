#!/bin/sh
# The reported scenario as a gate: seed_aliasing.py --gate exits 1 on a
# subject whose fork worker sees two Vars (fresh+node: a new wrapper per
# read), 0 on one whose worker sees one (toggle+node), and its last line is
# the verdict either way. TAP 13; a few seconds (two fork pools per run).
# Usage: seed_gate.sh RUNNER SEED_ALIASING_PY
runner=$1 script=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/tap.sh"
seed() {   # seed SUBJECT ARGS...: sets out (stdout and stderr) and rc
    subject=$1; shift
    out=$("$runner" --subject "$subject" --run "$script" "$@" 2>&1)
    rc=$?
}
echo "TAP version 13"
echo "1..6"

seed fresh+node --gate
[ $rc -eq 1 ] && [ "$(echo "$out" | tail -n 1)" = "fresh+node: reproduced: the worker sees two Vars where the parent sent one" ]
ok $? "--gate exits 1 where the worker sees two Vars (fresh+node), the verdict last" "rc=$rc
$out"

seed toggle+node --gate
[ $rc -eq 0 ] && [ "$(echo "$out" | tail -n 1)" = "toggle+node: not reproduced: the worker sees one Var" ]
ok $? "--gate exits 0 where the worker sees one Var (toggle+node), the verdict last" "rc=$rc
$out"

seed fresh+node
[ $rc -eq 0 ] && echo "$out" | tail -n 1 | grep -q '^fresh+node: reproduced:'
ok $? "without --gate the same run exits 0: the gate is what fails it" "rc=$rc
$out"

seed hashmap+none --gate
[ $rc -eq 1 ] && echo "$out" | tail -n 1 | grep -q '^hashmap+none: not decided: the worker never got the payload'
ok $? "--gate exits 1 where the payload cannot be sent: nothing shows the bug fixed" "rc=$rc
$out"

seed toggle+node --gate --record "$dir/seed.jsonl"
[ $rc -eq 0 ] && grep -q '"subject": "toggle+node"' "$dir/seed.jsonl" &&
    "${PYTHON:-python3}" "$script" --table "$dir/seed.jsonl" "$dir/seed.md" &&
    grep -q '^| `toggle+node` | one native, one object | one native, one object |' "$dir/seed.md"
ok $? "--gate goes with --record, whose line still makes a table row" "rc=$rc
$out
$(cat "$dir/seed.md" 2>&1)"

seed toggle+node --gat
[ $rc -eq 2 ] && echo "$out" | grep -q "unknown argument '--gat'"
ok $? "a mistyped option is refused (exit 2), not taken for a pass" "rc=$rc
$out"

tap_end
