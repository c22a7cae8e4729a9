#!/bin/sh
# Out of the tree, with no edit of it: one's own binding (an adapter
# registry in $FFI_ADAPTERS), one's own expectations ($FFI_EXPECTATIONS)
# and one's own strategy (--strategy-so), through the runners. TAP 13.
# Usage: out_of_tree.sh BUILD_DIR TEMPLATE_SO
build=$1 template=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"
echo "1..6"

# A binding of one's own: here the tree's ctypes adapter under a new name,
# as a user's adapter module in their own directory would be.
mkdir -p "$dir/adapters" "$dir/expectations"
echo 'mytool 1.0 - adapter_ctypes - -' > "$dir/adapters/subjects.txt"
printf 'I1  a reason of my own\nI5  a new wrapper per read\n' > "$dir/expectations/mytool@1.0.txt"

out=$(FFI_ADAPTERS=$dir/adapters "$build/ffi-identity" --list-subjects --subject mytool 2>&1)
[ "$out" = "mytool@1.0" ]; ok $? "FFI_ADAPTERS adds a subject to the runners" "$out"

out=$(FFI_ADAPTERS=$dir/adapters "$build/conformance" --subject mytool --property I1 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q '^not ok 1 - I1 repeat \[mytool@1.0\]$'
ok $? "without expectations of its own, its failure is unexpected" "$out"

out=$(FFI_ADAPTERS=$dir/adapters FFI_EXPECTATIONS=$dir/expectations "$build/conformance" \
      --subject mytool --subject hashmap+node --property I1 --property I5 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q 'I1 repeat \[mytool@1.0\] # TODO expected: a reason of my own' &&
    echo "$out" | grep -q 'I5 stable-id \[hashmap+node\] # TODO expected: the cache holds'
ok $? "FFI_EXPECTATIONS is searched first, the tree's expectations after it" "$out"

out=$(FFI_ADAPTERS=$dir/nowhere "$build/conformance" --subject hashmap+node --property I1 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "FFI_ADAPTERS names $dir/nowhere, which has no readable subjects.txt" &&
    ! echo "$out" | grep -q '^ok'
ok $? "a wrong FFI_ADAPTERS is an error naming it (exit 2), not a run without it" "$out"

out=$("$build/conformance" --strategy-so "$template" --subject direct-mapped+node --property I1 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q '^ok 1 - I1 repeat \[direct-mapped+node\]$'
ok $? "--strategy-so loads a strategy of one's own in a runner other than ffi-identity" "$out"

echo 'mytool 2.0 - adapter_ctypes - -' >> "$dir/adapters/subjects.txt"
echo 'mytool 2.0 - adapter_ctypes - -' >> "$dir/adapters/subjects.txt"
out=$(FFI_ADAPTERS=$dir/adapters "$build/conformance" --list-subjects 2>&1)
echo "$out" | grep -q 'subject mytool@2.0 is listed already'
ok $? "a subject listed twice is refused with where" "$out"

tap_end
