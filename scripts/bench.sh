#!/usr/bin/env bash
# scripts/bench.sh — purezmq against libzmq, go-zeromq and bare TCP, in one run.
#
# Every implementation here speaks the same perf-tool interface
# (local_thr/remote_thr/local_lat/remote_lat ENDPOINT SIZE COUNT and
# inproc_thr/inproc_lat SIZE COUNT) and prints the same lines:
#   purezmq    bin/purezmq bench           (this repository)
#   libzmq     bin/zmqperf                 (interop/cpeer/zmqperf.c, Debian's libzmq)
#   gozmq      bin/gozmqperf               (interop/gozmq/cmd/gozmqperf, go-zeromq/zmq4)
#   rawtcp     bin/rawtcp                  (bench/rawtcp: no messaging layer, the ceiling)
# A pair "A<-B" has A on the local side (binds; receives for throughput,
# echoes for latency) and B on the remote side (connects; sends, or measures
# round trips). Repetitions are interleaved — every pair runs once before any
# runs twice — so drift in machine load spreads over all of them; the table
# shows medians, and each ratio compares with libzmq<-libzmq measured in the
# same run, same transport and size.
#
# Two more shapes run over tcp, in the same repetitions:
#   fanout  PUB -> 10 SUB processes (pub_thr/sub_thr): pair = subscribers<-
#           publisher. The publisher (an XPUB) waits for all 10
#           subscriptions, sends without dropping (XPUB no-drop: a full pipe
#           holds it back) and ends with a marker; each subscriber fails
#           unless it got every message. msgs/s is the aggregate delivered:
#           10 x the slowest subscriber's rate (its COUNT / its first-to-last
#           time), so one lagging subscriber drags the figure down.
#   router  ROUTER<-one DEALER (router_thr/dealer_thr): PULL<-PUSH's
#           throughput run with routing ids.
#   latdist tail latency (local_latdist/remote_latdist): a DEALER client
#           sends at a steady offered rate (open loop, on a clock) to a
#           ROUTER that echoes; each round trip is timed from the message's
#           scheduled send time, so a stall counts for every message it
#           delays. pair = server<-client; p50 ... max of the round trips,
#           and our p99 and p99.9 over libzmq's.
#
# purezmq-copy is purezmq's bench tool sending with the copying Send (bench
# --copy) instead of SendOwned; its pair purezmq<-purezmq-copy runs beside
# purezmq<-purezmq in the tcp throughput rows and in fanout, so the table
# shows what the safe-by-default copy costs.
#
# Before and after (--baseline COMMIT): the script checks COMMIT out into a
# temporary git worktree, builds that commit's purezmq as implementation
# purezmq@COMMIT, and runs every pair that has purezmq on a side once more
# with purezmq@COMMIT in its place, interleaved in the same repetitions.
# The table then has, beside each purezmq row's ratios (after: the
# checked-out tree), the same pair's ratios with the baseline build
# (before), each against the same run's libzmq; the header names both
# commits. The worktree is removed at the end.
#
# usage: scripts/bench.sh [--quick] [--reps N] [--sizes "16 256 ..."] [--out FILE]
#                         [--no-shapes] [--only GROUPS] [--baseline COMMIT]
#   --quick     one repetition, a tenth of the messages: checks the script, not speed
#   --no-shapes skip the fanout, router and latdist rows
#   --only      comma-separated groups to run, of: pairs (tcp/ipc/inproc thr
#               and lat), fanout, router, latdist; e.g. --only latdist
#   --baseline  also run purezmq as built from COMMIT (any git revision), for
#               a before/after column
# Environment: GO (go command), BENCH_OUT (results file), LATDIST_RATE
# (offered msg/s, default 20000), LATDIST_SECS (seconds per run, default 5),
# LATDIST_SIZES (default "16 4096").
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/bin"
GO="${GO:-go}"
REPS=5
SIZES="16 256 4096 65536 1048576"
SCALE=1
OUT="${BENCH_OUT:-}"
SHAPES=1
FANOUT_SUBS=10
FANOUT_SIZES="16 1024"
ROUTER_SIZES="16 4096"
LATDIST_SIZES="${LATDIST_SIZES:-16 4096}"
LATDIST_RATE="${LATDIST_RATE:-20000}"
LATDIST_SECS="${LATDIST_SECS:-5}"
LATDIST_HWM=100000
ONLY=
BASELINE=

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) REPS=1; SCALE=10 ;;
	--reps) REPS="$2"; shift ;;
	--sizes) SIZES="$2"; shift ;;
	--out) OUT="$2"; shift ;;
	--no-shapes) SHAPES=0 ;;
	--only) ONLY="$2"; shift ;;
	--baseline) BASELINE="$2"; shift ;;
	-h|--help) sed -n '2,60p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

for g in ${ONLY//,/ }; do
	case "$g" in pairs|fanout|router|latdist) ;; *) echo "bench.sh: unknown group $g" >&2; exit 2 ;; esac
done
# want GROUP: whether --only (if given) names GROUP.
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# --- tools -------------------------------------------------------------------
mkdir -p "$BIN"
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -o "$BIN/purezmq" ./cmd/purezmq)
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -o "$BIN/gozmqperf" ./interop/gozmq/cmd/gozmqperf)
(cd "$ROOT" && CGO_ENABLED=0 "$GO" build -o "$BIN/rawtcp" ./bench/rawtcp)
HAVE_LIBZMQ=1
if [ ! -x "$BIN/zmqperf" ] || [ "$ROOT/interop/cpeer/zmqperf.c" -nt "$BIN/zmqperf" ]; then
	if pkg-config --exists libzmq 2>/dev/null; then
		cc -O2 -Wall -o "$BIN/zmqperf" "$ROOT/interop/cpeer/zmqperf.c" $(pkg-config --cflags --libs libzmq)
	else
		echo "bench.sh: libzmq3-dev not installed: no libzmq columns, no ratios" >&2
		HAVE_LIBZMQ=0
	fi
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/purezmq-bench.XXXXXX")"
BASE_IMPL=
BASE_TREE=
cleanup() {
	if [ -n "$BASE_TREE" ]; then
		git -C "$ROOT" worktree remove --force "$BASE_TREE" 2>/dev/null || true
	fi
	rm -rf "$TMP"
	[ -n "$BASE_TREE" ] && git -C "$ROOT" worktree prune 2>/dev/null
	return 0
}
trap cleanup EXIT
if [ -n "$BASELINE" ]; then
	BASE_REV=$(git -C "$ROOT" rev-parse --short "$BASELINE^{commit}") || {
		echo "bench.sh: --baseline $BASELINE: no such commit" >&2
		exit 2
	}
	BASE_IMPL="purezmq@$BASE_REV"
	BASE_TREE="$TMP/baseline"
	git -C "$ROOT" worktree add --detach --quiet "$BASE_TREE" "$BASE_REV"
	(cd "$BASE_TREE" && CGO_ENABLED=0 "$GO" build -o "$TMP/purezmq-baseline" ./cmd/purezmq)
fi

# impl_cmd NAME: the command line that runs one side of implementation NAME.
impl_cmd() {
	case "$1" in
	purezmq) echo "$BIN/purezmq bench --timeout 30s" ;;
	purezmq-copy) echo "$BIN/purezmq bench --copy --timeout 30s" ;;
	purezmq@*) echo "$TMP/purezmq-baseline bench --timeout 30s" ;;
	libzmq) echo "$BIN/zmqperf --timeout 30000" ;;
	gozmq) echo "$BIN/gozmqperf" ;;
	rawtcp) echo "$BIN/rawtcp" ;;
	esac
}

# Message counts: roughly half a second for libzmq at each size, so the
# whole run (5 repetitions) stays around five minutes on two cores. go-zeromq is an order of
# magnitude slower and gets a tenth of the messages; rates stay comparable.
thr_count() {
	case "$1" in
	16) echo 2000000 ;; 256) echo 1000000 ;; 4096) echo 200000 ;;
	65536) echo 20000 ;; 1048576) echo 1200 ;; *) echo 200000 ;;
	esac
}
lat_count() {
	case "$1" in
	16|256) echo 10000 ;; 4096) echo 8000 ;; 65536) echo 3000 ;;
	1048576) echo 300 ;; *) echo 4000 ;;
	esac
}
count_for() { # kind size impl
	local n
	if [ "$1" = thr ]; then n=$(thr_count "$2"); else n=$(lat_count "$2"); fi
	[ "$3" = gozmq ] && n=$((n / 10))
	n=$((n / SCALE))
	[ "$n" -lt 10 ] && n=10
	echo "$n"
}

RAW="$TMP/raw.txt" # one line per measurement: transport size pair kind value
: >"$RAW"
PORT=$((20000 + RANDOM % 20000))
SEQ=0

# next_endpoint TRANSPORT sets EP to a fresh endpoint: a new port or path
# each run, so no run can meet a previous run's lingering socket. (A global,
# not $(...): a subshell would lose the counters.)
EP=
next_endpoint() {
	SEQ=$((SEQ + 1))
	case "$1" in
	tcp) PORT=$((PORT + 1)); [ "$PORT" -gt 60000 ] && PORT=20000; EP="tcp://127.0.0.1:$PORT" ;;
	ipc) EP="ipc://$TMP/ep$SEQ" ;;
	esac
}

# wait_listening: returns once the local side listens on EP (or after 5 s),
# without connecting to it, so the remote side's first connect succeeds. A
# refused first connect would cost a libzmq remote its 100 ms reconnect
# interval, which lands inside remote_lat's timing.
wait_listening() {
	local i
	for i in $(seq 1 500); do
		case "$EP" in
		tcp://*) [ -n "$(ss -Hltn "sport = :${EP##*:}" 2>/dev/null)" ] && return 0 ;;
		ipc://*) [ -S "${EP#ipc://}" ] && return 0 ;;
		esac
		sleep 0.01
	done
}

# field FILE PATTERN: the number before PATTERN on a matching line.
field() { awk -v pat="$2" 'index($0, pat) { for (i = 1; i <= NF; i++) if ($i == pat) print $(i - 1) }' "$1" | head -1; }

record() { echo "$1 $2 $3 $4 $5" >>"$RAW"; }

# run_pair TRANSPORT SIZE LOCAL REMOTE KIND: one measurement between two
# processes; a failure is reported and recorded as missing, not fatal.
run_pair() {
	local tr=$1 size=$2 loc=$3 rem=$4 kind=$5
	local n lout="$TMP/local.out" rout="$TMP/remote.out" lpid ok=1
	# The slower side sets the count, so gozmq pairs get the reduced count.
	n=$(count_for "$kind" "$size" "$loc")
	[ "$rem" = gozmq ] && n=$(count_for "$kind" "$size" gozmq)
	next_endpoint "$tr"
	timeout 120 $(impl_cmd "$loc") "local_$kind" "$EP" "$size" "$n" >"$lout" 2>&1 &
	lpid=$!
	wait_listening
	if [ "$tr" = ipc ] && [ "$loc" = libzmq ] && [ "$kind" = thr ]; then
		# libzmq 4.3's receiver over ipc loses the tail of a stream whose
		# sender closes while the receiver is throttled at its high-water
		# mark (zeromq/libzmq#4660): its local_thr would wait forever for
		# the last few hundred messages. So the remote sends a socket
		# buffer's worth more than the local counts and times, and is
		# stopped once the local is done (its surplus has nowhere to go).
		# (Not under timeout(1): the KILL must reach the sender itself.)
		local rpid i
		$(impl_cmd "$rem") "remote_$kind" "$EP" "$size" $((n + 262144 / size + 16)) >"$rout" 2>&1 &
		rpid=$!
		wait "$lpid" || ok=0
		for i in $(seq 1 50); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.02; done
		kill -KILL "$rpid" 2>/dev/null || true
		wait "$rpid" 2>/dev/null || true
	else
		timeout 120 $(impl_cmd "$rem") "remote_$kind" "$EP" "$size" "$n" >"$rout" 2>&1 || ok=0
		wait "$lpid" || ok=0
	fi
	if [ "$ok" = 0 ]; then
		echo "bench.sh: $tr $size $loc<-$rem $kind failed:" >&2
		cat "$lout" "$rout" | sed 's/^/  /' >&2
		return 0
	fi
	if [ "$kind" = thr ]; then
		record "$tr" "$size" "$loc<-$rem" msgs "$(field "$lout" '[msg/s]')"
		record "$tr" "$size" "$loc<-$rem" mbits "$(field "$lout" '[Mb/s]')"
	else
		record "$tr" "$size" "$loc<-$rem" lat "$(field "$rout" '[us]')"
	fi
}

# run_inproc SIZE IMPL KIND: both sides in one process.
run_inproc() {
	local size=$1 impl=$2 kind=$3 n out="$TMP/inproc.out"
	n=$(count_for "$kind" "$size" "$impl")
	if ! timeout 120 $(impl_cmd "$impl") "inproc_$kind" "$size" "$n" >"$out" 2>&1; then
		echo "bench.sh: inproc $size $impl $kind failed:" >&2
		sed 's/^/  /' "$out" >&2
		return 0
	fi
	if [ "$kind" = thr ]; then
		record inproc "$size" "$impl" msgs "$(field "$out" '[msg/s]')"
		record inproc "$size" "$impl" mbits "$(field "$out" '[Mb/s]')"
	else
		record inproc "$size" "$impl" lat "$(field "$out" '[us]')"
	fi
}

# fan_count SIZE: messages each subscriber receives; about a second for
# libzmq's ten subscribers on two cores.
fan_count() {
	local n
	case "$1" in 16) n=300000 ;; 1024) n=60000 ;; *) n=20000 ;; esac
	n=$((n / SCALE))
	[ "$n" -lt 10 ] && n=10
	echo "$n"
}

# run_fanout SIZE SUBS_IMPL PUB_IMPL: one publisher process, FANOUT_SUBS
# subscriber processes; records 10 x the slowest subscriber's rate.
run_fanout() {
	local size=$1 sub=$2 pub=$3 n i p ok=1 pubpid line
	local pids=()
	n=$(fan_count "$size")
	next_endpoint tcp
	timeout 120 $(impl_cmd "$pub") pub_thr "$EP" "$size" "$n" "$FANOUT_SUBS" >"$TMP/pub.out" 2>&1 &
	pubpid=$!
	wait_listening
	for i in $(seq 1 "$FANOUT_SUBS"); do
		timeout 120 $(impl_cmd "$sub") sub_thr "$EP" "$size" "$n" >"$TMP/sub$i.out" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || ok=0; done
	wait "$pubpid" || ok=0
	if [ "$ok" = 0 ]; then
		echo "bench.sh: fanout $size $sub<-$pub failed:" >&2
		cat "$TMP/pub.out" "$TMP"/sub*.out | sed 's/^/  /' >&2
		return 0
	fi
	# "msgs mbits" of the subscriber with the lowest rate, times the count.
	line=$(for i in $(seq 1 "$FANOUT_SUBS"); do
		echo "$(field "$TMP/sub$i.out" '[msg/s]') $(field "$TMP/sub$i.out" '[Mb/s]')"
	done | sort -n -k1,1 | head -1)
	record fanout "$size" "$sub<-$pub" msgs "$(echo "$line" | awk -v k="$FANOUT_SUBS" '{ printf "%d", $1 * k }')"
	record fanout "$size" "$sub<-$pub" mbits "$(echo "$line" | awk -v k="$FANOUT_SUBS" '{ printf "%.3f", $2 * k }')"
}

# run_router SIZE ROUTER_IMPL DEALER_IMPL: ROUTER<-DEALER throughput over tcp.
run_router() {
	local size=$1 loc=$2 rem=$3 n lpid ok=1
	n=$(count_for thr "$size" "$loc")
	next_endpoint tcp
	timeout 120 $(impl_cmd "$loc") router_thr "$EP" "$size" "$n" >"$TMP/local.out" 2>&1 &
	lpid=$!
	wait_listening
	timeout 120 $(impl_cmd "$rem") dealer_thr "$EP" "$size" "$n" >"$TMP/remote.out" 2>&1 || ok=0
	wait "$lpid" || ok=0
	if [ "$ok" = 0 ]; then
		echo "bench.sh: router $size $loc<-$rem failed:" >&2
		cat "$TMP/local.out" "$TMP/remote.out" | sed 's/^/  /' >&2
		return 0
	fi
	record router "$size" "$loc<-$rem" msgs "$(field "$TMP/local.out" '[msg/s]')"
	record router "$size" "$loc<-$rem" mbits "$(field "$TMP/local.out" '[Mb/s]')"
}

# distfield FILE NAME: remote_latdist's "roundtrip NAME: VALUE [us]".
distfield() { awk -v q="$2:" '$1 == "roundtrip" && $2 == q { print $3 }' "$1" | head -1; }

# run_latdist SIZE SERVER_IMPL CLIENT_IMPL: one open-loop tail-latency run
# over tcp; records the client's round-trip percentiles. Both sides get a
# high-water mark of LATDIST_HWM: a ROUTER drops what its full pipe cannot
# take, and at the default 1000 a client descheduled for some 100 ms (a
# loaded machine) lost echoes and failed the run instead of reporting the
# stall as latency.
run_latdist() {
	local size=$1 loc=$2 rem=$3 n lpid ok=1 q
	n=$((LATDIST_RATE * LATDIST_SECS / SCALE))
	[ "$n" -lt 10 ] && n=10
	next_endpoint tcp
	timeout 120 $(impl_cmd "$loc") --hwm "$LATDIST_HWM" local_latdist "$EP" "$size" "$n" >"$TMP/local.out" 2>&1 &
	lpid=$!
	wait_listening
	timeout 120 $(impl_cmd "$rem") --hwm "$LATDIST_HWM" remote_latdist "$EP" "$size" "$LATDIST_RATE" "$n" >"$TMP/remote.out" 2>&1 || ok=0
	wait "$lpid" || ok=0
	if [ "$ok" = 0 ]; then
		echo "bench.sh: latdist $size $loc<-$rem failed:" >&2
		cat "$TMP/local.out" "$TMP/remote.out" | sed 's/^/  /' >&2
		return 0
	fi
	for q in p50 p90 p99 p99.9 max; do
		record latdist "$size" "$loc<-$rem" "$q" "$(distfield "$TMP/remote.out" "$q")"
	done
	# How late the client's own sender got to its schedule: when this is
	# near p99, the tail is the machine's scheduling of the client, not
	# the path.
	record latdist "$size" "$loc<-$rem" lag99 "$(awk '$1 == "send" && $2 == "lag" && $3 == "p99:" { print $4 }' "$TMP/remote.out" | head -1)"
}

TCP_PAIRS="purezmq<-purezmq gozmq<-gozmq rawtcp<-rawtcp"
IPC_PAIRS="purezmq<-purezmq"
INPROC_IMPLS="purezmq gozmq"
if [ "$HAVE_LIBZMQ" = 1 ]; then
	TCP_PAIRS="libzmq<-libzmq purezmq<-purezmq purezmq<-libzmq libzmq<-purezmq gozmq<-gozmq rawtcp<-rawtcp"
	IPC_PAIRS="libzmq<-libzmq purezmq<-purezmq purezmq<-libzmq libzmq<-purezmq"
	INPROC_IMPLS="libzmq purezmq gozmq"
fi
# Shape pairs are subscribers<-publisher and ROUTER<-DEALER.
FANOUT_PAIRS="purezmq<-purezmq"
ROUTER_PAIRS="purezmq<-purezmq"
if [ "$HAVE_LIBZMQ" = 1 ]; then
	FANOUT_PAIRS="libzmq<-libzmq purezmq<-purezmq libzmq<-purezmq purezmq<-libzmq"
	ROUTER_PAIRS="libzmq<-libzmq purezmq<-purezmq purezmq<-libzmq libzmq<-purezmq"
fi
# Latency-distribution pairs are server<-client.
LATDIST_PAIRS="purezmq<-purezmq"
[ "$HAVE_LIBZMQ" = 1 ] && LATDIST_PAIRS="libzmq<-libzmq purezmq<-purezmq purezmq<-libzmq libzmq<-purezmq"
# The copying Send's pairs: tcp throughput and fan-out (the publisher copies).
COPY_PAIRS="purezmq<-purezmq-copy"
FANOUT_PAIRS="$FANOUT_PAIRS purezmq<-purezmq-copy"

# with_baseline LIST: LIST with, after each pair (or impl) that has purezmq
# on a side, the same pair with the baseline build in its place.
with_baseline() {
	local p l r
	for p in $1; do
		echo "$p"
		[ -n "$BASE_IMPL" ] || continue
		if [[ "$p" == *"<-"* ]]; then
			l=${p%<-*} r=${p#*<-}
			[ "$l" = purezmq ] && l=$BASE_IMPL
			[ "$r" = purezmq ] && r=$BASE_IMPL
			[ "$l<-$r" != "$p" ] && echo "$l<-$r"
		elif [ "$p" = purezmq ]; then
			echo "$BASE_IMPL"
		fi
	done
	return 0
}
TCP_PAIRS=$(with_baseline "$TCP_PAIRS")
IPC_PAIRS=$(with_baseline "$IPC_PAIRS")
INPROC_IMPLS=$(with_baseline "$INPROC_IMPLS")
FANOUT_PAIRS=$(with_baseline "$FANOUT_PAIRS")
ROUTER_PAIRS=$(with_baseline "$ROUTER_PAIRS")
LATDIST_PAIRS=$(with_baseline "$LATDIST_PAIRS")
[ "$SHAPES" = 1 ] || { FANOUT_PAIRS=; ROUTER_PAIRS=; LATDIST_PAIRS=; }
want fanout || FANOUT_PAIRS=
want router || ROUTER_PAIRS=
want latdist || LATDIST_PAIRS=
RUN_PAIRS=1
want pairs || RUN_PAIRS=0

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
started=$(date +%s)
for rep in $(seq 1 "$REPS"); do
	echo "bench.sh: repetition $rep of $REPS" >&2
	[ "$RUN_PAIRS" = 1 ] && for size in $SIZES; do
		for kind in thr lat; do
			for p in $TCP_PAIRS; do run_pair tcp "$size" "${p%<-*}" "${p#*<-}" "$kind"; done
			[ "$kind" = thr ] && for p in $COPY_PAIRS; do run_pair tcp "$size" "${p%<-*}" "${p#*<-}" "$kind"; done
			for p in $IPC_PAIRS; do run_pair ipc "$size" "${p%<-*}" "${p#*<-}" "$kind"; done
			for i in $INPROC_IMPLS; do
				# zmq4 v0.17.0's inproc transport panics (makeslice in
				# Conn.read) on any frame over 255 bytes.
				[ "$i" = gozmq ] && [ "$size" -gt 255 ] && continue
				run_inproc "$size" "$i" "$kind"
			done
		done
	done
	for size in $FANOUT_SIZES; do
		for p in $FANOUT_PAIRS; do run_fanout "$size" "${p%<-*}" "${p#*<-}"; done
	done
	for size in $ROUTER_SIZES; do
		for p in $ROUTER_PAIRS; do run_router "$size" "${p%<-*}" "${p#*<-}"; done
	done
	for size in $LATDIST_SIZES; do
		for p in $LATDIST_PAIRS; do run_latdist "$size" "${p%<-*}" "${p#*<-}"; done
	done
done
elapsed=$(($(date +%s) - started))

# --- report ------------------------------------------------------------------
if [ -z "$OUT" ]; then
	mkdir -p "$ROOT/bench"
	OUT="$ROOT/bench/results-$(date -u +%Y-%m-%d).txt"
	[ -e "$OUT" ] && OUT="$ROOT/bench/results-$(date -u +%Y-%m-%d-%H%M).txt"
fi

{
	echo "purezmq benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m)"
	echo "kernel:  $(uname -sr)"
	echo "go:      $("$GO" version)"
	echo "load:    $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) after (1/5/15-min averages; anything near nproc means the numbers shared the CPUs)"
	echo "libzmq:  $(pkg-config --modversion libzmq 2>/dev/null || echo none) (zmqperf, cc -O2)"
	echo "go-zeromq: github.com/go-zeromq/zmq4 $(cd "$ROOT" && "$GO" list -m -f '{{.Version}}' github.com/go-zeromq/zmq4 2>/dev/null || echo unknown)"
	echo "run:     $REPS repetitions interleaved, medians; $elapsed s; sizes $SIZES$( [ "$SCALE" != 1 ] && echo "; QUICK (counts / $SCALE)")$( [ -n "$ONLY" ] && echo "; only $ONLY")"
	echo "pairs:   local<-remote; thr = local receives (PULL<-PUSH), lat = one-way latency, half the REQ/REP round trip"
	echo "ipc:     a libzmq local_thr gets extra messages it does not count (libzmq#4660 loses a stream's tail over ipc)"
	echo "inproc:  messages pass by reference in both libzmq and purezmq, so inproc MB/s counts bytes referenced, not copied"
	echo "gaps:    gozmq inproc only up to 255 B (zmq4 v0.17.0 panics on longer inproc frames); gozmq has no ipc row"
	[ -n "$FANOUT_PAIRS" ] && echo "fanout:  tcp, PUB -> $FANOUT_SUBS SUB processes; pair = subscribers<-publisher; msgs/s and MB/s = delivered in aggregate, $FANOUT_SUBS x the slowest subscriber's rate; XPUB no-drop, every subscriber checks its count"
	[ -n "$ROUTER_PAIRS" ] && echo "router:  tcp, ROUTER<-one DEALER throughput (pair = router<-dealer), counted like PULL<-PUSH"
	[ -n "$LATDIST_PAIRS" ] && echo "latdist: tcp, DEALER client -> ROUTER echo, open loop at $LATDIST_RATE msg/s for $LATDIST_SECS s, HWM $LATDIST_HWM; pair = server<-client; round trip [us] from each message's scheduled send time (no coordinated omission); p99 x, p99.9 x = ours / libzmq<-libzmq's, lower is better; lag p99 = how late the client's sender was (near p99: the client's scheduling, not the path, made the tail)"
	echo "ratios:  thr x = msgs/s / libzmq's; lat x = latency / libzmq's (lower is better); libzmq = libzmq<-libzmq, same transport and size"
	echo "copy:    purezmq-copy = purezmq sending with the copying Send (bench --copy); purezmq = SendOwned, as libzmq's perf tools send"
	if [ -n "$BASE_IMPL" ]; then
		echo "before:  $BASE_IMPL = commit $BASE_REV, $(git -C "$ROOT" log -1 --format='%cd %s' --date=format:'%Y-%m-%d %H:%M' "$BASE_REV" | cut -c1-90)"
		echo "after:   purezmq = the checked-out tree, commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' plus uncommitted changes')"
		echo "         x@base = the same pair with $BASE_IMPL in place of purezmq, in the same run, against the same libzmq medians"
	fi
	echo
	awk '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		if (n == 0) return ""
		return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	$5 != "" && $1 != "latdist" {
		key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
		vals[key] = vals[key] (vals[key] == "" ? "" : " ") $5
		row = $1 SUBSEP $2 SUBSEP $3
		if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
	}
	# basepair(pair): pair with the baseline build in place of purezmq.
	function basepair(pair,   n, sd, i, out) {
		n = split(pair, sd, "<-")
		out = ""
		for (i = 1; i <= n; i++) out = out (i > 1 ? "<-" : "") (sd[i] == "purezmq" ? bimpl : sd[i])
		return out
	}
	END {
		if (nrows == 0) exit
		printf "%-7s %8s  %-22s %12s %10s %11s %7s %7s", "transp", "size", "pair", "msgs/s", "MB/s", "lat [us]", "thr x", "lat x"
		if (bimpl != "") printf " %10s %10s", "thr x@base", "lat x@base"
		printf "\n"
		# transports in a fixed order, sizes ascending, pairs in run order
		nt = split("tcp ipc inproc fanout router", tr, " ")
		for (ti = 1; ti <= nt; ti++) {
			ns = split(sizes, sz, " ")
			printed = 0
			for (si = 1; si <= ns; si++) {
				base = (tr[ti] == "inproc") ? "libzmq" : "libzmq<-libzmq"
				bm = median(tr[ti] SUBSEP sz[si] SUBSEP base SUBSEP "msgs")
				bl = median(tr[ti] SUBSEP sz[si] SUBSEP base SUBSEP "lat")
				for (r = 1; r <= nrows; r++) {
					split(rows[r], f, SUBSEP)
					if (f[1] != tr[ti] || f[2] != sz[si]) continue
					if (index(f[3], "@")) continue # baseline rows: ratios in x@base
					m = median(rows[r] SUBSEP "msgs"); mb = median(rows[r] SUBSEP "mbits"); l = median(rows[r] SUBSEP "lat")
					tx = (m != "" && bm > 0) ? sprintf("%.2f", m / bm) : "-"
					lx = (l != "" && bl > 0) ? sprintf("%.2f", l / bl) : "-"
					printed = 1
					printf "%-7s %8s  %-22s %12s %10s %11s %7s %7s", f[1], f[2], f[3], \
						(m == "" ? "-" : sprintf("%d", m)), (mb == "" ? "-" : sprintf("%.1f", mb / 8)), \
						(l == "" ? "-" : sprintf("%.2f", l)), tx, lx
					if (bimpl != "") {
						bk = f[1] SUBSEP f[2] SUBSEP basepair(f[3])
						btx = btl = "-"
						if (bk != rows[r] && (bk in seen)) {
							m0 = median(bk SUBSEP "msgs"); l0 = median(bk SUBSEP "lat")
							btx = (m0 != "" && bm > 0) ? sprintf("%.2f", m0 / bm) : "-"
							btl = (l0 != "" && bl > 0) ? sprintf("%.2f", l0 / bl) : "-"
						}
						printf " %10s %10s", btx, btl
					}
					printf "\n"
				}
			}
			if (printed) print ""
		}
	}' bimpl="$BASE_IMPL" sizes="$(echo $SIZES $FANOUT_SIZES $ROUTER_SIZES | tr ' ' '\n' | sort -n -u | tr '\n' ' ')" "$RAW"
	awk '
	function median(key,   n, i, j, t, a) {
		n = split(vals[key], a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		if (n == 0) return ""
		return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	function cell(v) { return v == "" ? "-" : sprintf("%.1f", v) }
	function ratio(v, b) { return (v != "" && b > 0) ? sprintf("%.2f", v / b) : "-" }
	$1 == "latdist" && $5 != "" {
		key = $2 SUBSEP $3 SUBSEP $4
		vals[key] = vals[key] (vals[key] == "" ? "" : " ") $5
		row = $2 SUBSEP $3
		if (!(row in seen)) { seen[row] = 1; rows[++nrows] = row }
	}
	function basepair(pair,   n, sd, i, out) {
		n = split(pair, sd, "<-")
		out = ""
		for (i = 1; i <= n; i++) out = out (i > 1 ? "<-" : "") (sd[i] == "purezmq" ? bimpl : sd[i])
		return out
	}
	END {
		if (nrows == 0) exit
		printf "%-7s %8s  %-22s %9s %9s %9s %9s %9s %7s %7s %9s", "latdist", "size", "pair", "p50 [us]", "p90", "p99", "p99.9", "max", "p99 x", "p99.9 x", "lag p99"
		if (bimpl != "") printf " %10s %10s", "p99 x@base", "p99.9 x@b"
		printf "\n"
		ns = split(sizes, sz, " ")
		for (si = 1; si <= ns; si++) {
			b99 = median(sz[si] SUBSEP "libzmq<-libzmq" SUBSEP "p99")
			b999 = median(sz[si] SUBSEP "libzmq<-libzmq" SUBSEP "p99.9")
			for (r = 1; r <= nrows; r++) {
				split(rows[r], f, SUBSEP)
				if (f[1] != sz[si]) continue
				if (index(f[2], "@")) continue # baseline rows: ratios in x@base
				k = rows[r] SUBSEP
				printf "%-7s %8s  %-22s %9s %9s %9s %9s %9s %7s %7s %9s", "tcp", f[1], f[2], \
					cell(median(k "p50")), cell(median(k "p90")), cell(median(k "p99")), \
					cell(median(k "p99.9")), cell(median(k "max")), \
					ratio(median(k "p99"), b99), ratio(median(k "p99.9"), b999), cell(median(k "lag99"))
				if (bimpl != "") {
					bk = f[1] SUBSEP basepair(f[2])
					if (bk != rows[r] && (bk in seen))
						printf " %10s %10s", ratio(median(bk SUBSEP "p99"), b99), ratio(median(bk SUBSEP "p99.9"), b999)
					else
						printf " %10s %10s", "-", "-"
				}
				printf "\n"
			}
		}
		print ""
	}' bimpl="$BASE_IMPL" sizes="$LATDIST_SIZES" "$RAW"
	echo "raw measurements (transport size pair kind value):"
	sed 's/^/  /' "$RAW"
} >"$OUT"

cat "$OUT"
echo "bench.sh: results in $OUT ($elapsed s)" >&2
