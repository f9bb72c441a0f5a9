package main

import (
	"fmt"
	"io"

	"github.com/purezmq/purezmq/swapfile"
)

// runSwap handles "purezmq swap inspect FILE...": what a ring file holds
// and what recovery would keep, without changing it.
func runSwap(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		writeSwapUsage(stdout)
		return exitOK
	}
	if len(args) < 2 || args[0] != "inspect" {
		writeSwapUsage(stderr)
		return exitUsage
	}
	code := exitOK
	for _, path := range args[1:] {
		info, err := swapfile.Inspect(path)
		if err != nil {
			fmt.Fprintf(stderr, "purezmq swap inspect: %v\n", err)
			code = exitError
			continue
		}
		fmt.Fprintln(stdout, info.String())
	}
	return code
}

func writeSwapUsage(w io.Writer) {
	fmt.Fprint(w, `usage: purezmq swap inspect FILE...

Prints a swap ring file's capacity, used bytes, record count, header and
what crash recovery would keep or discard. The file is only read.
`)
}
