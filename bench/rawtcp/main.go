// Command rawtcp is the ceiling for scripts/bench.sh: the perf tools'
// interface and output lines (local_thr, remote_thr, local_lat, remote_lat)
// over bare loopback TCP with no messaging layer at all. Throughput moves
// COUNT payloads of SIZE bytes through a 64 KiB buffered writer, the
// batching a ZMTP writer does at best; latency bounces SIZE bytes back and
// forth with one write and one full read each way.
//
//	rawtcp [--unbuffered] local_thr  tcp://HOST:PORT SIZE COUNT
//	rawtcp [--unbuffered] remote_thr tcp://HOST:PORT SIZE COUNT
//	rawtcp local_lat  tcp://HOST:PORT SIZE ROUNDTRIPS
//	rawtcp remote_lat tcp://HOST:PORT SIZE ROUNDTRIPS
//
// --unbuffered makes remote_thr issue one write per payload instead.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

var errEndpoint = errors.New("rawtcp: want tcp://HOST:PORT")

func run(args []string, stdout, stderr io.Writer) int {
	unbuffered := false
	if len(args) > 0 && args[0] == "--unbuffered" {
		unbuffered, args = true, args[1:]
	}
	if len(args) != 4 {
		fmt.Fprintln(stderr, "usage: rawtcp [--unbuffered] local_thr|remote_thr|local_lat|remote_lat tcp://HOST:PORT SIZE COUNT")
		return 2
	}
	verb, ep := args[0], args[1]
	size, err1 := strconv.Atoi(args[2])
	count, err2 := strconv.Atoi(args[3])
	addr, ok := strings.CutPrefix(ep, "tcp://")
	if err1 != nil || err2 != nil || size <= 0 || count < 0 || !ok {
		fmt.Fprintln(stderr, "rawtcp: bad arguments:", errEndpoint)
		return 2
	}
	var err error
	switch verb {
	case "local_thr":
		err = localThr(stdout, addr, size, count)
	case "remote_thr":
		err = remoteThr(addr, size, count, unbuffered)
	case "local_lat":
		err = localLat(addr, size, count)
	case "remote_lat":
		err = remoteLat(stdout, addr, size, count)
	default:
		fmt.Fprintln(stderr, "rawtcp: unknown verb", verb)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "rawtcp %s: %v\n", verb, err)
		return 1
	}
	return 0
}

func accept(addr string) (net.Conn, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return l.Accept()
}

// dial retries for a while, like a ZeroMQ connect, because the two sides
// start at the same time.
func dial(addr string) (net.Conn, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil || time.Now().After(deadline) {
			return c, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func localThr(w io.Writer, addr string, size, count int) error {
	c, err := accept(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, max(256<<10, size))
	total := int64(size) * int64(count)
	if total == 0 {
		printThr(w, size, count, 0)
		return nil
	}
	// Timing starts with the first payload, as in the perf tools.
	if _, err := io.ReadFull(c, buf[:size]); err != nil {
		return err
	}
	start := time.Now()
	for got := int64(size); got < total; {
		n, err := c.Read(buf[:min(int64(len(buf)), total-got)])
		got += int64(n)
		if err != nil && got < total {
			return err
		}
	}
	printThr(w, size, count, time.Since(start))
	return nil
}

func remoteThr(addr string, size, count int, unbuffered bool) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	payload := []byte(strings.Repeat("x", size))
	var out io.Writer = c
	var bw *bufio.Writer
	if !unbuffered {
		bw = bufio.NewWriterSize(c, 64<<10)
		out = bw
	}
	for range count {
		if _, err := out.Write(payload); err != nil {
			return err
		}
	}
	if bw != nil {
		return bw.Flush()
	}
	return nil
}

func localLat(addr string, size, count int) error {
	c, err := accept(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, size)
	for range count {
		if _, err := io.ReadFull(c, buf); err != nil {
			return err
		}
		if _, err := c.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func remoteLat(w io.Writer, addr string, size, count int) error {
	c, err := dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, size)
	start := time.Now()
	for range count {
		if _, err := c.Write(buf); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return err
		}
	}
	d := time.Since(start)
	lat := 0.0
	if count > 0 {
		lat = float64(d.Nanoseconds()) / 1e3 / (2 * float64(count))
	}
	fmt.Fprintf(w, "message size: %d [B]\nroundtrip count: %d\naverage latency: %.3f [us]\n", size, count, lat)
	return nil
}

func printThr(w io.Writer, size, count int, d time.Duration) {
	us := float64(d.Microseconds())
	if us <= 0 {
		us = 1
	}
	msgs := float64(count) * 1e6 / us
	fmt.Fprintf(w, "message size: %d [B]\nmessage count: %d\nmean throughput: %d [msg/s]\nmean throughput: %.3f [Mb/s]\n",
		size, count, int64(msgs), msgs*float64(size)*8/1e6)
}
