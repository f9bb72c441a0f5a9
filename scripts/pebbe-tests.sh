#!/usr/bin/env bash
# Runs pebbe/zmq4's own test files against compat/zmq4.
#
# The tests are fetched with the Go tool (never copied into this repository),
# placed in a throw-away module whose only change is the import line
# (github.com/pebbe/zmq4 -> github.com/purezmq/purezmq/compat/zmq4), and run
# with `go test -v`. pebbe's tests are an external test package (zmq4_test),
# so a directory holding only them compiles against our package through a
# `replace` of this module.
#
# Prints one line per test and "N passed, N failed". Exit status is non-zero
# when a test fails, when the tests do not build, or when the module cannot be
# fetched. A test that skips is reported as SKIP; with PUREZMQ_INTEROP=required
# (CI) a skip counts as a failure, and so does a fetch that fails.
#
# Tests named in scripts/pebbe-known-failures.txt (with the reason) are
# reported as KNOWN when they fail and do not fail the run; one that passes
# fails the run until its line is removed.
#
# Env: PEBBE_VERSION (default v1.4.0), PEBBE_RUN (a -run pattern),
#      PEBBE_TIMEOUT (go test -timeout, default 5m), PEBBE_FLAGS (more go test
#      flags, e.g. -race), PEBBE_VERBOSE=1 (print the whole go test output), GO.
set -u
GO=${GO:-go}
VERSION=${PEBBE_VERSION:-v1.4.0}
TIMEOUT=${PEBBE_TIMEOUT:-5m}
REQUIRED=0
[ "${PUREZMQ_INTEROP:-}" = required ] && REQUIRED=1
ROOT=$(cd "$(dirname "$0")/.." && pwd)

json=$(cd "$ROOT" && GOFLAGS=-mod=mod $GO mod download -json "github.com/pebbe/zmq4@$VERSION" 2>&1)
dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "pebbe-tests: cannot fetch github.com/pebbe/zmq4@$VERSION:" >&2
	printf '%s\n' "$json" >&2
	if [ $REQUIRED = 1 ]; then echo "pebbe-tests: FAIL (PUREZMQ_INTEROP=required)"; exit 1; fi
	echo "pebbe-tests: SKIP (module not available; set PUREZMQ_INTEROP=required to fail instead)"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pebbe-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
for f in "$dir"/*_test.go; do
	[ -e "$f" ] || continue
	sed 's#"github.com/pebbe/zmq4"#"github.com/purezmq/purezmq/compat/zmq4"#' "$f" >"$tmp/$(basename "$f")"
	n=$((n + 1))
done
if [ $n = 0 ]; then echo "pebbe-tests: no test files in $dir"; exit 1; fi
# Nothing but the import line may differ.
if grep -l 'github.com/pebbe/zmq4' "$tmp"/*_test.go >/dev/null 2>&1; then
	echo "pebbe-tests: an import of github.com/pebbe/zmq4 is left after rewriting" >&2; exit 1
fi
cat >"$tmp/go.mod" <<MOD
module pebbetests

go 1.26.0

require github.com/purezmq/purezmq v0.0.0

replace github.com/purezmq/purezmq => $ROOT
MOD
cp "$ROOT/go.sum" "$tmp/go.sum"

names=$(cd "$tmp" && GOFLAGS=-mod=mod $GO test -list '.*' . 2>/dev/null | grep '^Test' || true)
out="$tmp/out.txt"
echo "pebbe-tests: github.com/pebbe/zmq4@$VERSION ($n test files) against compat/zmq4"
(cd "$tmp" && GOFLAGS=-mod=mod CGO_ENABLED=${CGO_ENABLED:-0} $GO test -v -count=1 -timeout "$TIMEOUT" ${PEBBE_FLAGS:-} ${PEBBE_RUN:+-run "$PEBBE_RUN"} . >"$out" 2>&1)
rc=$?
if [ -n "${PEBBE_VERBOSE:-}" ]; then cat "$out"; fi
if [ -z "$names" ]; then
	echo "pebbe-tests: the tests do not build:"
	head -60 "$out"
	echo "0 passed, $(grep -h '^func Test' "$tmp"/*_test.go | wc -l | tr -d ' ') failed"
	exit 1
fi

known_file="$ROOT/scripts/pebbe-known-failures.txt"
known_reason() { [ -f "$known_file" ] && awk -v t="$1" '$1 == t { $1 = ""; sub(/^ +/, ""); print; exit }' "$known_file"; }

pass=0 fail=0 skip=0 known=0 xpass=0
printf '%-24s %s\n' TEST RESULT
for t in $names; do
	if [ -n "${PEBBE_RUN:-}" ] && ! printf '%s\n' "$t" | grep -Eq "$PEBBE_RUN"; then continue; fi
	if grep -Eq -- "^--- PASS: $t " "$out"; then r=PASS; pass=$((pass + 1))
	elif grep -Eq -- "^--- SKIP: $t " "$out"; then r=SKIP; skip=$((skip + 1))
	elif grep -Eq -- "^--- FAIL: $t " "$out"; then r=FAIL; fail=$((fail + 1))
	else r="FAIL (did not finish: panic or timeout)"; fail=$((fail + 1)); fi
	why=$(known_reason "$t")
	if [ -n "$why" ]; then
		case $r in
		PASS) r="PASS, but listed in pebbe-known-failures.txt: remove its line"; xpass=$((xpass + 1)) ;;
		FAIL*) r="KNOWN ($why)"; fail=$((fail - 1)); known=$((known + 1)) ;;
		esac
	fi
	printf '%-24s %s\n' "$t" "$r"
	if [ "$r" != PASS ]; then
		# the test's own messages, indented, to say why
		awk -v t="$t" '$0 ~ "^=== RUN   "t"$" {on=1; next} /^=== RUN/ {on=0} /^--- / {if (on) exit} on' "$out" | head -12 | sed 's/^/      /'
	fi
done
if [ $skip -gt 0 ]; then
	echo "$skip skipped"
	if [ $REQUIRED = 1 ]; then fail=$((fail + skip)); echo "pebbe-tests: skips count as failures under PUREZMQ_INTEROP=required"; fi
fi
echo "$pass passed, $fail failed, $known known failures (scripts/pebbe-known-failures.txt)"
if [ $fail -gt 0 ] || [ $xpass -gt 0 ] || { [ $rc != 0 ] && [ $pass = 0 ]; }; then exit 1; fi
[ $rc = 0 ] || [ $known -gt 0 ] || { echo "pebbe-tests: go test exited $rc"; exit 1; }
exit 0
