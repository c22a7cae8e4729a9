# TAP 13 for the shell tests, sourced: `. "$(dirname "$0")/tap.sh"`.
#   ok STATUS DESCRIPTION [OUTPUT]   a test point: passes when STATUS is 0;
#                                    a failure shows OUTPUT's last 40 lines
#   tap_end                          exit 0 when every point passed, else 1
# The script prints "TAP version 13" and its plan itself.
n=0 failed=0
ok() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
        echo "not ok $n - $2"; failed=$((failed + 1))
        printf '%s\n' "${3:-}" | tail -n 40 | sed 's/^/#   /'
    fi
}
tap_end() { [ "$failed" -eq 0 ]; }
