package auth_test

import (
	"context"
	"fmt"

	"github.com/purezmq/purezmq/auth"
)

// The stock authenticator as a ZAP handler: an address filter, a PLAIN
// table, and the reply a server's handshake acts on.
func ExampleAuthenticator() {
	a := auth.NewAuthenticator()
	if err := a.Deny("192.0.2.0/24"); err != nil {
		panic(err)
	}
	a.SetPasswords(auth.AnyDomain, map[string]string{"admin": "secret"})

	ask := func(addr, user, pass string) {
		req := &auth.Request{RequestID: []byte("1"), Address: addr, Mechanism: "PLAIN",
			Credentials: [][]byte{[]byte(user), []byte(pass)}}
		rep := auth.Resolve(context.Background(), a, req)
		fmt.Printf("%s %s: %v %q (user id %q)\n", addr, user, int(rep.Status), rep.StatusText, rep.UserID)
	}
	ask("198.51.100.7", "admin", "secret")
	ask("198.51.100.7", "admin", "guess")
	ask("192.0.2.9", "admin", "secret")
	// Output:
	// 198.51.100.7 admin: 200 "OK" (user id "admin")
	// 198.51.100.7 admin: 400 "invalid password" (user id "")
	// 192.0.2.9 admin: 400 "address on the deny list" (user id "")
}
