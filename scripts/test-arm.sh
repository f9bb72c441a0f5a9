#!/usr/bin/env bash
# make test-arm: the test suite built for linux/arm64, linux/arm (GOARM=7)
# and linux/s390x (big-endian) and run under qemu-user on this machine,
# plus the interop pair (a native libzmq peer talking to the emulated
# build), then a table of packages x architectures.
#
# Every test binary runs as `<emulator> <binary>` (what `go test -exec`
# does), so registered binfmt_misc handlers are used when present but never
# needed. PUREZMQ_EMULATED names the emulator to the tests
# (internal/emulation): the few that are only slow there scale themselves
# down, and those that start their own binary again start it through it.
#
#   TEST_ARM_ARCHES  architectures (default "arm64 armv7 s390x")
#   TEST_ARM_PKGS    packages (default below; missing ones are left out)
#   TEST_ARM_QUICK=1 the part make test runs: -short, no -v table noise
set -uo pipefail
GO=${GO:-go}
cd "$(dirname "$0")/.."
root=$(pwd)

arches=${TEST_ARM_ARCHES:-"arm64 armv7 s390x"}
pkgs=${TEST_ARM_PKGS:-"zmtp queue swapfile socket cmd/purezmq internal/demo internal/litmus interop"}
short=()
[ "${TEST_ARM_QUICK:-}" = 1 ] && short=(-test.short)
# The interop package's pair written for this run (interop/emulated_test.go);
# the rest of interop is exercised natively by make test.
interop_run='^(TestPySizesByteExact|TestPySwapRingToLibzmq)$'

emulator() {
	case $1 in
	arm64) echo qemu-aarch64-static ;;
	armv7) echo qemu-arm-static ;;
	s390x) echo qemu-s390x-static ;;
	*) return 1 ;;
	esac
}

goenv() {
	case $1 in
	arm64) echo "GOARCH=arm64" ;;
	armv7) echo "GOARCH=arm GOARM=7" ;;
	s390x) echo "GOARCH=s390x" ;;
	esac
}

# Install the emulators on Debian when missing (CI runs as root).
need=""
for a in $arches; do
	e=$(emulator "$a") || { echo "test-arm: unknown architecture $a" >&2; exit 2; }
	command -v "$e" >/dev/null 2>&1 || need=1
done
if [ -n "$need" ]; then
	if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support >/dev/null ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support >/dev/null; }
	fi
fi
# Register binfmt_misc when we can (a container may not let us); nothing
# below depends on it.
if [ "$(id -u)" = 0 ] && [ -d /proc/sys/fs/binfmt_misc ]; then
	[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null
	command -v update-binfmts >/dev/null 2>&1 && update-binfmts --enable >/dev/null 2>&1
fi

[ -x bin/zmqperf ] || make -s cpeer >/dev/null 2>&1 || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A cell
fail=0
start_all=$(date +%s)
for a in $arches; do
	emu=$(emulator "$a")
	if ! command -v "$emu" >/dev/null 2>&1; then
		echo "test-arm: $emu not installed (apt-get install qemu-user-static)" >&2
		exit 1
	fi
	for p in $pkgs; do
		[ -d "$p" ] || continue
		name=${p//\//_}
		bin=$work/$name.$a
		log=$work/$name.$a.log
		# shellcheck disable=SC2046
		if ! env $(goenv "$a") GOOS=linux CGO_ENABLED=0 "$GO" test -c -o "$bin" "./$p" >"$log" 2>&1; then
			cell[$p,$a]="BUILD-FAIL"
			fail=1
			echo "== $p $a: build failed"; cat "$log"
			continue
		fi
		if [ ! -e "$bin" ]; then
			cell[$p,$a]="no tests"
			continue
		fi
		args=(-test.count=1 -test.timeout=9m -test.v "${short[@]}")
		[ "$p" = interop ] && args+=(-test.run "$interop_run")
		t0=$(date +%s.%N)
		(cd "$p" && PUREZMQ_EMULATED=$emu PUREZMQ_INTEROP=${PUREZMQ_INTEROP:-} "$emu" "$bin" "${args[@]}") >"$log" 2>&1
		rc=$?
		secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
		if [ $rc = 0 ] && grep -q '^PASS$' "$log"; then
			cell[$p,$a]="PASS ${secs}s"
		else
			cell[$p,$a]="FAIL ${secs}s"
			fail=1
			echo "== $p $a: FAIL (exit $rc)"
			grep -E -- '^(--- FAIL|FAIL|panic:)|_test\.go:[0-9]+:' "$log" | head -40
		fi
		# What the emulator did to Go's memory model, for skips to cite.
		[ "$p" = internal/litmus ] && grep -E 'forbidden outcomes' "$log" | sed 's/^ */   litmus: /'
		# Every skip with its reason (go test -v prints the reason on the
		# line before "--- SKIP"), so emulator-only skips can be checked
		# against the litmus counts.
		grep -B1 -E -- '^ *--- SKIP' "$log" | grep -v -E '^(--|=== )' | sed "s|^ *|   $p $a: |"
		echo "-- $p $a: ${cell[$p,$a]}"
	done
done

# The table.
printf '\n%-16s' package
for a in $arches; do printf ' %-16s' "$a"; done
printf '\n'
for p in $pkgs; do
	[ -d "$p" ] || continue
	printf '%-16s' "$p"
	for a in $arches; do printf ' %-16s' "${cell[$p,$a]:-}"; done
	printf '\n'
done
echo "test-arm: wall time $(($(date +%s) - start_all)) s ($(qemu-arm-static --version 2>/dev/null | head -1))"
exit $fail
