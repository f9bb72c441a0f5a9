// Command purezmq puts one ZeroMQ socket on the command line, and measures
// throughput and latency with the same interface as libzmq's perf tools.
//
//	purezmq TYPE [flags]          a socket: stdin lines out, received messages to stdout
//	purezmq bench VERB ARGS       local_thr, remote_thr, local_lat, remote_lat, inproc_thr, inproc_lat
//	purezmq demo                  the durable-subscriber scenario, three variants
//	purezmq swap inspect FILE     what a swap ring file holds
//	purezmq keygen [--cert NAME]  a CURVE key pair in Z85, or certificate files
//	purezmq proxy --frontend SPEC --backend SPEC [--capture SPEC] [--control SPEC]
//	                              zmq_proxy_steerable between two sockets (purezmq help proxy)
//	purezmq help [TYPE|bench|keygen]  usage
//
// TYPE is pub, sub, xpub, xsub, push, pull, req, rep, dealer, router, pair or
// stream (raw TCP peers: lines are routing id TAB bytes; id TAB alone closes
// that peer, and is what a peer's arrival and departure print).
// Each stdin line is one message to send, TAB separating its frames; each
// received message is one stdout line, frames joined by TAB, flushed at once.
// In the default text mode the bytes a line cannot carry are escaped (\\, \t,
// \n, \r, and \xNN for other control bytes and invalid UTF-8) on output and
// unescaped on input, so any frame survives a round trip; --hex and --base64
// encode every frame instead. A ROUTER's lines start with the peer identity;
// SUB and XSUB subscribe to everything unless given --subscribe.
//
//	purezmq pull --bind tcp://*:5557 --count 3
//	printf 'job 1\njob 2\tpart two\n' | purezmq push --connect tcp://localhost:5557
//	echo ping | purezmq req --connect tcp://localhost:5555
//	purezmq router --bind tcp://*:5555 --echo
//	purezmq stream --bind tcp://*:8080 --echo
//	purezmq pub --bind tcp://*:5556 --retain --swap 25M --swap-dir /var/spool/pz
//
// --count N ends a run after N messages received (sent, for pub and push);
// --timeout ends it with status 1. SIGINT or SIGTERM closes the socket, which
// waits up to --linger to deliver; a second signal ends the process at once.
//
// Exit status: 0 on success, 1 on a runtime error (reported on stderr), 2 on
// bad usage.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	// A signal cancels the context so the socket verbs can close their socket
	// (honouring the linger) instead of dying with messages still queued.
	// Once that first signal has arrived, the default action is restored, so
	// a second one ends the process at once, even during a long linger.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program minus the process: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		writeUsage(stderr)
		return exitUsage
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "help", "-h", "-help", "--help":
		return runHelp(rest, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "swap":
		return runSwap(rest, stdout, stderr)
	case "keygen":
		return runKeygen(rest, stdout, stderr)
	case "proxy":
		return runProxyVerb(ctx, rest, stdout, stderr)
	}
	if !isSocketVerb(verb) {
		fmt.Fprintf(stderr, "purezmq: unknown command %q\n", verb)
		writeUsage(stderr)
		return exitUsage
	}
	cfg, err := parseSocketFlags(verb, rest, stdout, stderr)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	return runSocket(ctx, cfg, stdin, stdout, stderr)
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		writeUsage(stdout)
		return exitOK
	}
	switch {
	case args[0] == "bench":
		writeBenchUsage(stdout)
	case args[0] == "keygen":
		fmt.Fprint(stdout, keygenUsage)
	case args[0] == "proxy":
		return runProxyVerb(context.Background(), []string{"--help"}, stdout, stderr)
	case isSocketVerb(args[0]):
		fs, _ := newSocketFlagSet(args[0])
		fs.SetOutput(stdout)
		fs.Usage()
	default:
		fmt.Fprintf(stderr, "purezmq: no help for %q\n", args[0])
		writeUsage(stderr)
		return exitUsage
	}
	return exitOK
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, `usage: purezmq TYPE [flags]
       purezmq bench VERB ARGS
       purezmq demo
       purezmq swap inspect FILE
       purezmq keygen [--cert NAME [--out DIR]]
       purezmq proxy --frontend SPEC --backend SPEC [--capture SPEC] [--control SPEC]
       purezmq help [TYPE|bench|keygen|proxy]

A ZeroMQ socket on the command line. TYPE is one of:
  pub sub xpub xsub push pull req rep dealer router pair stream

Each stdin line is one message to send, TAB separating its frames; each
received message is one stdout line, frames joined by TAB. See
"purezmq help TYPE" for the flags and the text escapes, and
"purezmq help bench" for the libzmq-compatible perf tools.

Exit status: 0 success, 1 runtime error, 2 bad usage.
`)
}
