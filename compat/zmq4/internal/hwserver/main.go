// Command hwserver is a program written for github.com/pebbe/zmq4, moved to
// purezmq by changing its import line only: a REP server that answers each
// request with "World", or with -connect a REQ client that sends -n
// requests. `make cross` builds it for linux/arm and linux/arm64 without a C
// toolchain or libzmq.
package main

import (
	"flag"
	"fmt"
	"log"

	zmq "github.com/purezmq/purezmq/compat/zmq4" // was: zmq "github.com/pebbe/zmq4"
)

func main() {
	bind := flag.String("bind", "tcp://*:5555", "endpoint the server binds")
	connect := flag.String("connect", "", "run as client: endpoint to connect to")
	n := flag.Int("n", 10, "requests the client sends (server: requests before exiting, 0 = forever)")
	flag.Parse()
	if *connect != "" {
		client(*connect, *n)
		return
	}
	server(*bind, *n)
}

func server(endpoint string, n int) {
	rep, err := zmq.NewSocket(zmq.REP)
	if err != nil {
		log.Fatal(err)
	}
	defer rep.Close()
	if err := rep.Bind(endpoint); err != nil {
		log.Fatal(err)
	}
	for i := 0; n == 0 || i < n; i++ {
		msg, err := rep.RecvMessage(0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("Received", msg)
		if _, err := rep.SendMessage("World"); err != nil {
			log.Fatal(err)
		}
	}
}

func client(endpoint string, n int) {
	req, err := zmq.NewSocket(zmq.REQ)
	if err != nil {
		log.Fatal(err)
	}
	defer req.Close()
	if err := req.Connect(endpoint); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := req.Send(fmt.Sprint("Hello ", i), 0); err != nil {
			log.Fatal(err)
		}
		reply, err := req.Recv(0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("Received", reply)
	}
}
