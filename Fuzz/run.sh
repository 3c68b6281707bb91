#!/usr/bin/env bash
# Fuzz/run.sh -- runs each harness for FUZZ_SECONDS from the seed corpus; fails on any
# crash, leak, timeout (-timeout=5) or out-of-memory, printing the reproducer's path.
#
# Usage: Fuzz/run.sh [NAME...]      (default: every harness built by Fuzz/build.sh)
# Environment:
#   FUZZ_SECONDS  seconds per harness (60)
#   FUZZ_DIR      corpus, seeds and reproducers, outside the repository (/var/tmp/switchpoint-fuzz)
#   FUZZ_BUILD    where the harnesses are ($PWD/.build/fuzz)
#   FUZZ_JOBS     parallel harnesses (1)
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_DIR=${FUZZ_DIR:-/var/tmp/switchpoint-fuzz}
FUZZ_BUILD=${FUZZ_BUILD:-$PWD/.build/fuzz}
# Named limits for every run.
TIMEOUT_SECONDS=5
RSS_LIMIT_MB=2048
MAX_LEN=65536

rm -rf "$FUZZ_DIR/seeds"
mkdir -p "$FUZZ_DIR/seeds"
captures=$(find samples ../shared/corpus -name '*.pcap' -o -name '*.pcapng' 2>/dev/null)
# shellcheck disable=SC2086
python3 Fuzz/make-seeds.py "$FUZZ_DIR/seeds" $captures

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for binary in "$FUZZ_BUILD"/fuzz-*; do names+=("${binary##*/fuzz-}"); done
fi
failed=0
printf '%-12s %8s %12s %10s %8s  %s\n' harness seconds executions "exec/s" corpus result
for name in "${names[@]}"; do
    binary=$FUZZ_BUILD/fuzz-$name
    corpus=$FUZZ_DIR/corpus/$name
    artifacts=$FUZZ_DIR/artifacts/$name/
    log=$FUZZ_DIR/logs/$name.log
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "$FUZZ_DIR/seeds/$name"
    "$binary" -max_total_time="$FUZZ_SECONDS" -timeout="$TIMEOUT_SECONDS" -rss_limit_mb="$RSS_LIMIT_MB" \
        -max_len="$MAX_LEN" -print_final_stats=1 -artifact_prefix="$artifacts" \
        "$corpus" "$FUZZ_DIR/seeds/$name" > "$log" 2>&1
    status=$?
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    entries=$(find "$corpus" -type f | wc -l)
    result=ok
    if [ $status -ne 0 ]; then
        failed=1
        reproducer=$(ls -t "$artifacts" 2>/dev/null | head -1)
        result="FAILED (status $status): reproducer $artifacts$reproducer, log $log"
    fi
    printf '%-12s %8s %12s %10s %8s  %s\n' "$name" "$FUZZ_SECONDS" "$executions" "$speed" "$entries" "$result"
done
exit $failed
