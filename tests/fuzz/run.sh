#!/bin/bash
# Run each libFuzzer harness for SECONDS under ASan+UBSan, from its seed
# corpus (the test fixtures) and the regression inputs; the corpus it
# grows is kept in build-fuzz/corpus/NAME for the next run.  Prints the
# executions and coverage of each, then "N passed, N failed".  A crash
# leaves its input as build-fuzz/crash-NAME-*: fix the bug, then add the
# input to tests/data/fuzz-regress/NAME/ so every test run replays it.
# Usage: tests/fuzz/run.sh SECONDS NAME...   (from the repository root)
set -u
seconds=$1
shift
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for name in "$@"; do
	case $name in
	feed)	seeds="tests/data/feeds"; max_len=32768 ;;
	article) seeds="tests/data/articles tests/data/e2e"; max_len=32768 ;;
	jsonld)	seeds="tests/fuzz/corpus/jsonld"; max_len=8192 ;;
	config)	seeds="tests/data/config"; max_len=4096 ;;
	markup)	seeds="tests/data/fuzz-regress/markup"; max_len=2048 ;;
	loose)	seeds="tests/data/feeds/malformed"; max_len=32768 ;;
	fast)	seeds="tests/data/feeds"; max_len=32768 ;;
	*)	echo "fuzz: unknown harness $name" >&2; exit 2 ;;
	esac
	corpus=build-fuzz/corpus/$name
	mkdir -p "$corpus"
	echo "== fuzz $name: $seconds s"
	# shellcheck disable=SC2086
	build-fuzz/fuzz/fuzz_$name -max_total_time="$seconds" -max_len=$max_len \
	    -timeout=20 -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$name-" \
	    "$corpus" $seeds "tests/data/fuzz-regress/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $name: ok, ${execs:-?} executions, ${cov:-cov: ?} edges, ${corp:-corp: ?} inputs"
		passed=$((passed + 1))
	else
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -20
		echo "fuzz $name: FAILED (exit $rc), ${execs:-?} executions; log tail:"
		tail -40 "$log"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
