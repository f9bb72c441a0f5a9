#!/usr/bin/env bash
# Runs every Fuzz target of every package for FUZZTIME each (default 10s).
# Seeds live in each package's testdata/fuzz/<Target>/.
set -euo pipefail
FUZZTIME="${FUZZTIME:-10s}"
GO="${GO:-go}"
count=0
for pkg in $($GO list ./...); do
	targets=$($GO test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		echo "== fuzz $pkg $t ($FUZZTIME)"
		$GO test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" "$pkg"
		count=$((count + 1))
	done
done
echo "fuzz: $count targets ran for $FUZZTIME each"
