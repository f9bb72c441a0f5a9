package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/purezmq/purezmq/zmtp"
)

func frames(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func eqFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// RFC 27's example exchanges, without the delimiter frame a REQ/REP pair adds.
func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name string
		req  Request
		wire [][]byte
	}{
		{"NULL", Request{RequestID: []byte("0001"), Domain: "test", Address: "192.168.55.1", Identity: []byte("BOB"), Mechanism: "NULL"},
			frames("1.0", "0001", "test", "192.168.55.1", "BOB", "NULL")},
		{"PLAIN", Request{RequestID: []byte("0001"), Domain: "test", Address: "192.168.55.1", Identity: []byte("BOB"), Mechanism: "PLAIN",
			Credentials: frames("admin", "secret")},
			frames("1.0", "0001", "test", "192.168.55.1", "BOB", "PLAIN", "admin", "secret")},
		{"CURVE", Request{RequestID: []byte("1"), Address: "::1", Mechanism: "CURVE", Credentials: [][]byte{bytes.Repeat([]byte{7}, 32)}},
			append(frames("1.0", "1", "", "::1", "", "CURVE"), bytes.Repeat([]byte{7}, 32))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendRequest(nil, &tc.req)
			if err != nil || !eqFrames(got, tc.wire) {
				t.Fatalf("append: %q %v", got, err)
			}
			r, err := ParseRequest(tc.wire)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := AppendRequest(nil, r)
			if !eqFrames(again, tc.wire) {
				t.Fatalf("round trip: %q", again)
			}
			// Every truncation fails cleanly.
			for i := range tc.wire {
				if _, err := ParseRequest(tc.wire[:i]); !errors.Is(err, ErrMalformedRequest) {
					t.Fatalf("%d frames: %v", i, err)
				}
			}
		})
	}
	r, _ := ParseRequest(frames("1.0", "0001", "test", "1.2.3.4", "", "PLAIN", "admin", "secret"))
	if u, p, ok := r.PlainCredentials(); !ok || u != "admin" || p != "secret" {
		t.Fatalf("PlainCredentials = %q %q %v", u, p, ok)
	}
}

func TestParseRequestRejects(t *testing.T) {
	long := strings.Repeat("x", 256)
	cases := []struct {
		name  string
		wire  [][]byte
		frame int
	}{
		{"version", frames("2.0", "1", "", "", "", "NULL"), 0},
		{"long domain", frames("1.0", "1", long, "", "", "NULL"), 2},
		{"long address", frames("1.0", "1", "", long, "", "NULL"), 3},
		{"long identity", frames("1.0", "1", "", "", long, "NULL"), 4},
		{"empty mechanism", frames("1.0", "1", "", "", "", ""), 5},
		{"NULL with credentials", frames("1.0", "1", "", "", "", "NULL", "x"), -1},
		{"PLAIN with one frame", frames("1.0", "1", "", "", "", "PLAIN", "x"), -1},
		{"PLAIN long password", frames("1.0", "1", "", "", "", "PLAIN", "u", long), 7},
		{"CURVE short key", frames("1.0", "1", "", "", "", "CURVE", "short"), 6},
	}
	for _, tc := range cases {
		_, err := ParseRequest(tc.wire)
		var me *MalformedError
		if !errors.As(err, &me) || !errors.Is(err, ErrMalformedRequest) || me.Reply || me.Frame != tc.frame {
			t.Errorf("%s: %v (%+v)", tc.name, err, me)
		}
	}
	// Unknown mechanisms carry any credentials.
	if _, err := ParseRequest(frames("1.0", "1", "", "", "", "X-MINE", "a", "b", "c")); err != nil {
		t.Fatal(err)
	}
}

func TestReplyGolden(t *testing.T) {
	md := zmtp.Metadata{{Name: "Hello", Value: []byte("World")}}
	mdWire, _ := zmtp.AppendMetadata(nil, md)
	cases := []struct {
		name string
		rep  Reply
		wire [][]byte
	}{
		{"RFC 27 example", Reply{RequestID: []byte("0001"), Status: StatusOK, StatusText: "OK", UserID: "joe"},
			frames("1.0", "0001", "200", "OK", "joe", "")},
		{"metadata", Reply{RequestID: []byte("1"), Status: StatusOK, UserID: "joe", Metadata: md},
			[][]byte{[]byte("1.0"), []byte("1"), []byte("200"), {}, []byte("joe"), mdWire}},
		{"denied", Reply{RequestID: []byte("1"), Status: StatusDenied, StatusText: "no"},
			frames("1.0", "1", "400", "no", "", "")},
		{"temporary", Reply{RequestID: []byte("1"), Status: StatusTemporary}, frames("1.0", "1", "300", "", "", "")},
		{"internal", Reply{RequestID: []byte("1"), Status: StatusInternal}, frames("1.0", "1", "500", "", "", "")},
	}
	for _, tc := range cases {
		got, err := AppendReply(nil, &tc.rep)
		if err != nil || !eqFrames(got, tc.wire) {
			t.Fatalf("%s: append %q %v", tc.name, got, err)
		}
		r, err := ParseReply(tc.wire)
		if err != nil || r.Status != tc.rep.Status || r.UserID != tc.rep.UserID || r.StatusText != tc.rep.StatusText ||
			r.Metadata.Get("hello") != tc.rep.Metadata.Get("Hello") {
			t.Fatalf("%s: parse %+v %v", tc.name, r, err)
		}
		if (r.Err() == nil) != (tc.rep.Status == StatusOK) {
			t.Fatalf("%s: Err() = %v", tc.name, r.Err())
		}
	}
	// A refusal drops the user id even if the handler sent one.
	r, err := ParseReply(frames("1.0", "1", "400", "", "mallory", ""))
	if err != nil || r.UserID != "" {
		t.Fatalf("400 with user id: %+v %v", r, err)
	}
	if err := r.Err(); !errors.Is(err, ErrDenied) || !errors.Is(err, zmtp.ErrAuthFailed) {
		t.Fatalf("400 Err: %v", err)
	}
	if err := (&Reply{Status: StatusTemporary}).Err(); !errors.Is(err, ErrTemporary) {
		t.Fatalf("300 Err: %v", err)
	}
}

func TestParseReplyRejects(t *testing.T) {
	cases := []struct {
		name  string
		wire  [][]byte
		frame int
		cause error
	}{
		{"five frames", frames("1.0", "1", "200", "", ""), -1, nil},
		{"seven frames", frames("1.0", "1", "200", "", "", "", ""), -1, nil},
		{"version", frames("1.1", "1", "200", "", "", ""), 0, nil},
		{"status 201", frames("1.0", "1", "201", "", "", ""), 2, nil},
		{"status 600", frames("1.0", "1", "600", "", "", ""), 2, nil},
		{"status 20", frames("1.0", "1", "20", "", "", ""), 2, nil},
		{"status text", frames("1.0", "1", "200", strings.Repeat("t", 256), "", ""), 3, nil},
		{"user id", frames("1.0", "1", "200", "", strings.Repeat("u", 256), ""), 4, nil},
		{"metadata runs past the end", frames("1.0", "1", "200", "", "", "\x05Hello\x00\x00\x00\x09World"), 5, zmtp.ErrMalformedMetadata},
		{"metadata bad name", frames("1.0", "1", "200", "", "", "\x02a b\x00\x00\x00\x00"), 5, zmtp.ErrMalformedMetadata},
	}
	for _, tc := range cases {
		_, err := ParseReply(tc.wire)
		var me *MalformedError
		if !errors.As(err, &me) || !errors.Is(err, ErrMalformedReply) || !me.Reply || me.Frame != tc.frame {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.cause != nil && !errors.Is(err, tc.cause) {
			t.Errorf("%s: %v does not match %v", tc.name, err, tc.cause)
		}
	}
	if _, err := AppendReply(nil, &Reply{Status: 250}); !errors.Is(err, ErrMalformedReply) {
		t.Fatalf("append status 250: %v", err)
	}
	if _, err := AppendReply(nil, &Reply{Status: StatusOK, Metadata: zmtp.Metadata{{Name: "bad name"}}}); !errors.Is(err, zmtp.ErrMalformedMetadata) {
		t.Fatalf("append bad metadata: %v", err)
	}
}

func FuzzZAPReply(f *testing.F) {
	f.Add([]byte("1.0\x001\x00200\x00OK\x00joe\x00"))
	f.Add([]byte("1.0\x001\x00400\x00no\x00\x00\x05Hello\x00\x00\x00\x05World"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := bytes.Split(b, []byte{0})
		if r, err := ParseReply(fr); err == nil {
			re, err := AppendReply(nil, r)
			if err != nil {
				t.Fatalf("parsed reply does not encode: %v", err)
			}
			r2, err := ParseReply(re)
			if err != nil || r2.Status != r.Status || r2.UserID != r.UserID || len(r2.Metadata) != len(r.Metadata) {
				t.Fatalf("round trip: %+v %v", r2, err)
			}
		}
		if r, err := ParseRequest(fr); err == nil {
			re, err := AppendRequest(nil, r)
			if err != nil || !eqFrames(re, fr) {
				t.Fatalf("request round trip: %q %v", re, err)
			}
		}
	})
}
