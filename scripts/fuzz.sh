#!/usr/bin/env bash
# Runs every Fuzz target of every package for FUZZTIME each (default 10s)
# and prints each target's executions per second at the end.
# Seeds live in each package's testdata/fuzz/<Target>/.
#
# FUZZMINIMIZETIME bounds the minimisation of each new interesting input
# (default 50x: at most 50 executions per input, however slow they are; the
# go default of 60s per input let minimising eat whole runs: FuzzOpen made
# 8 executions in 60 s).
set -euo pipefail
FUZZTIME="${FUZZTIME:-10s}"
FUZZMINIMIZETIME="${FUZZMINIMIZETIME:-50x}"
GO="${GO:-go}"
count=0
summary=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $($GO list ./...); do
	targets=$($GO test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		echo "== fuzz $pkg $t ($FUZZTIME, minimize ${FUZZMINIMIZETIME})"
		# Go's fuzzing engine sometimes ends a run that found nothing with
		# "--- FAIL ... context deadline exceeded" when -fuzztime expires
		# while a worker is busy (seen on a loaded 2-core machine). Such a
		# run wrote no failing input; it is run once more. A real failure
		# writes its input under testdata/fuzz and fails as it is.
		for attempt in 1 2; do
			if $GO test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" \
				-fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" 2>&1 | tee "$log"; then
				break
			fi
			if [ "$attempt" = 2 ] || grep -q 'Failing input written' "$log" ||
				! grep -q 'context deadline exceeded' "$log"; then
				exit 1
			fi
			echo "== fuzz $pkg $t: the engine's deadline flake (no failing input); once more"
		done
		# The last progress line: "fuzz: elapsed: 20s, execs: 12345 (...)".
		rate=$(awk '/^fuzz: elapsed: [0-9]+s, execs: [0-9]+/ {
				s = $3; sub(/s,$/, "", s); n = $5
			} END { if (s > 0) printf "%d execs in %ds = %.0f/s", n, s, n / s; else print "no progress line" }' "$log")
		summary+=$(printf '%-40s %-22s %s' "${pkg#github.com/purezmq/purezmq/}" "$t" "$rate")$'\n'
		count=$((count + 1))
	done
done
echo "fuzz: $count targets ran for $FUZZTIME each"
printf '%s' "$summary"
