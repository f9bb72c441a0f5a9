// Command crashpub is the publisher of the crash-recovery test
// (interop/crash_test.go): a PUB with retention, swap and write-through on
// a given directory, driven line by line over stdin, reporting on stdout,
// and meant to be killed with SIGKILL mid-stream.
//
// Output lines:
//
//	bound ENDPOINT          once, after Bind
//	event KIND PEER [recovered]   each monitor event
//	ok N                    "Update N" was accepted by Send
//
// Commands:
//
//	sync      publish "sync" every 5ms until the next command arrives
//	pub A B   publish "Update A" ... "Update B-1"
//	flood A   publish "Update A", "Update A+1", ... until the next command
//
// End of input closes the socket (keeping backlogs on disk) and exits.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/purezmq/purezmq/socket"
)

var outMu sync.Mutex

func say(format string, args ...any) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

func main() {
	dir := flag.String("dir", "", "swap directory")
	hwm := flag.Int("hwm", 1000, "send high-water mark")
	flag.Parse()
	if err := run(*dir, *hwm); err != nil {
		fmt.Fprintln(os.Stderr, "crashpub:", err)
		os.Exit(1)
	}
}

func run(dir string, hwm int) error {
	pub, err := socket.New(socket.Pub, socket.WithSendHWM(hwm), socket.WithSwap(64<<20, dir),
		socket.WithWriteThrough(true), socket.WithRetention(socket.Retention{TTL: time.Hour}),
		socket.WithLinger(0))
	if err != nil {
		return err
	}
	monDone := make(chan struct{})
	go func() {
		defer close(monDone)
		for e := range pub.Monitor() {
			suffix := ""
			if errors.Is(e.Err, socket.ErrRecovered) {
				suffix = " recovered"
			}
			say("event %s %s%s", e.Kind, e.Peer, suffix)
		}
	}()
	defer func() { pub.Close(); <-monDone }()
	if err := pub.Bind("tcp://127.0.0.1:0"); err != nil {
		return err
	}
	say("bound %s", pub.Endpoints()[0])

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	ctx := context.Background()
	send := func(s string) error { return pub.Send(ctx, socket.NewMsg([]byte(s))) }
	line, ok := <-lines
	for ok {
		f := strings.Fields(line)
		next := ""
		var more bool
		switch {
		case len(f) == 1 && f[0] == "sync":
			next, more, err = repeat(lines, func(int) error { time.Sleep(5 * time.Millisecond); return send("sync") })
		case len(f) == 3 && f[0] == "pub":
			a, _ := strconv.Atoi(f[1])
			b, _ := strconv.Atoi(f[2])
			for i := a; i < b && err == nil; i++ {
				if err = send(fmt.Sprintf("Update %d", i)); err == nil {
					say("ok %d", i)
				}
			}
			next, more = <-lines
		case len(f) == 2 && f[0] == "flood":
			a, _ := strconv.Atoi(f[1])
			next, more, err = repeat(lines, func(i int) error {
				if err := send(fmt.Sprintf("Update %d", a+i)); err != nil {
					return err
				}
				say("ok %d", a+i)
				return nil
			})
		default:
			err = fmt.Errorf("bad command %q", line)
		}
		if err != nil {
			return err
		}
		line, ok = next, more
	}
	return nil
}

// repeat calls f(0), f(1), ... until a line arrives on lines, and returns it.
func repeat(lines <-chan string, f func(int) error) (string, bool, error) {
	for i := 0; ; i++ {
		select {
		case l, ok := <-lines:
			return l, ok, nil
		default:
		}
		if err := f(i); err != nil {
			return "", false, err
		}
	}
}
