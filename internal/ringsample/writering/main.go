// Command writering writes the sample swap ring (package ringsample) to
// the path given. cmd/purezmq's big-endian inspect test runs it built for
// s390x under qemu-user.
package main

import (
	"fmt"
	"os"

	"github.com/purezmq/purezmq/internal/ringsample"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: writering PATH")
		os.Exit(2)
	}
	if err := ringsample.Write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "writering:", err)
		os.Exit(1)
	}
}
