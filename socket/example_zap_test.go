package socket_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/purezmq/purezmq/auth"
	"github.com/purezmq/purezmq/socket"
	"github.com/purezmq/purezmq/zmtp"
)

// A PLAIN server whose clients the stock ZAP authenticator checks: the right
// password gets in, a wrong one is refused with the status on the monitor.
func ExampleWithZAP() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a := auth.NewAuthenticator()
	a.SetPasswords(auth.AnyDomain, map[string]string{"admin": "secret"})
	pull, _ := socket.New(socket.Pull, socket.WithPlainServer(nil), socket.WithZAP(a))
	defer pull.Close()
	pull.Bind("tcp://127.0.0.1:0")
	ep := pull.Endpoints()[0]

	guest, _ := socket.New(socket.Push, socket.WithPlainClient("admin", "guess"))
	defer guest.Close()
	guest.Connect(ep)
	for e := range pull.Monitor() {
		if e.Kind == socket.EventHandshakeFailed {
			fmt.Println("refused:", errors.Is(e.Err, auth.ErrDenied), errors.Is(e.Err, zmtp.ErrAuthFailed))
			break
		}
	}

	admin, _ := socket.New(socket.Push, socket.WithPlainClient("admin", "secret"))
	defer admin.Close()
	admin.Connect(ep)
	admin.Send(ctx, socket.NewMsg([]byte("hello")))
	m, err := pull.Recv(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", m.Frames[0])
	// Output:
	// refused: true true
	// hello
}
