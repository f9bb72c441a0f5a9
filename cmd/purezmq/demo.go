package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/purezmq/internal/demo"
)

// runDemo runs the durable-subscriber scenario in its three variants and
// prints one table.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	payload := fs.Int("payload", 1000, "padding bytes per update, so the publisher's memory shows")
	quiet := fs.Duration("quiet", 300*time.Millisecond, "how long a subscriber run waits for more before it stops")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: purezmq demo [flags]

Runs ZeroMQ 2.x's durable-subscriber scenario in one process over TCP
loopback: a PUB with retention sends "Update 0".."Update 9" and "END" while a
SUB with identity "Hello" is stopped and restarted twice. Three variants:
no HWM (nothing lost, the backlog grows in memory), HWM 1 (the backlog is
capped, the rest dropped and counted), HWM 1 + swap (nothing lost, memory
flat, the backlog on disk).

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "purezmq demo: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var results []demo.Result
	for _, v := range demo.Variants {
		r, err := demo.Run(ctx, v, demo.Options{Payload: *payload, Quiet: *quiet})
		if err != nil {
			fmt.Fprintf(stderr, "purezmq demo: %s: %v\n", v.Name, err)
			return exitError
		}
		results = append(results, r)
	}
	fmt.Fprintf(stdout, "Durable subscriber \"Hello\": three runs, restarted while the publisher sends Update 0-9 and END\n(%d B per update; runs list the updates each subscriber run printed)\n\n", *payload)
	demo.Print(stdout, results)
	return exitOK
}
