package zmtp

import (
	"errors"
	"testing"
)

// curveFuzzStates are mechanisms waiting for each handshake command and the
// MESSAGE codec of a finished handshake; copies of them meet each fuzz input.
type curveFuzzStates struct {
	atHello, atWelcome, atInitiate, atReady *curveMechanism
	srv                                     *curveCodec
	bodies                                  [][]byte // the valid bodies, in the order of FuzzCurve's which
}

func newCurveFuzzStates(t testing.TB) curveFuzzStates {
	var s curveFuzzStates
	k := newCurveKeys(t)
	_, s.atHello = newCurvePair(t, k, nil)
	w, i, r := snapshotCurveTB(t, k)
	s.atWelcome, s.atInitiate, s.atReady = w.cli, i.srv, r.cli
	hello, err := s.atHello.Start(nil) // a server's Start sends nothing
	if err != nil || len(hello) != 0 {
		t.Fatal(err)
	}
	c, _ := newCurvePair(t, k, nil)
	if hello, err = c.Start(nil); err != nil {
		t.Fatal(err)
	}
	tr := runCurve(t, k)
	s.srv = tr.srv.codec
	for _, f := range [][]byte{w.welcome, i.initiate, r.ready, hello} {
		cmd, _, _ := ParseCommandFrame(f)
		s.bodies = append(s.bodies, cmd.Body)
	}
	msg, _ := tr.cli.codec.EncodeFrame(nil, FlagMore, []byte("payload"))
	s.bodies = append(s.bodies, msg[2:])
	return s
}

// acceptableCurveError is every error a hostile CURVE peer may cause.
func acceptableCurveError(err error) bool {
	var pe *PeerError
	return isCleanCurveFailure(err) || errors.Is(err, ErrUnexpectedCommand) || errors.As(err, &pe)
}

// FuzzCurve feeds arbitrary bodies to every CURVE command parser and to the
// mechanisms and codecs waiting for them: nothing may panic, succeed on
// garbage, or fail with an untyped error.
func FuzzCurve(f *testing.F) {
	st := newCurveFuzzStates(f)
	for i, b := range st.bodies {
		f.Add(uint8(i), b)
	}
	f.Add(uint8(0), []byte{})
	f.Add(uint8(4), []byte(messageHeader))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		// The parsers alone.
		_, _ = parseCurveHello(body)
		_, _ = parseCurveWelcome(body)
		_, _ = parseCurveInitiate(body)
		_, _, _ = parseCurveShortBox(CmdReady, body, curveReadyDataMin)
		_, _, _ = parseCurveMessage(body)

		// A mechanism in the state that expects the command.
		var m curveMechanism
		var name string
		switch which % 5 {
		case 0:
			m, name = *st.atWelcome, CmdWelcome
		case 1:
			m, name = *st.atInitiate, CmdInitiate
		case 2:
			m, name = *st.atReady, CmdReady
		case 3:
			m, name = *st.atHello, CmdHello
		case 4:
			c := *st.srv
			c.plain, c.open = nil, nil
			_, out, err := c.DecodeFrame(FrameHeader{Size: len(body)}, append([]byte(nil), body...))
			if err != nil && !acceptableCurveError(err) {
				t.Fatalf("MESSAGE: untyped error %v", err)
			}
			if err == nil && len(out) > len(body) {
				t.Fatal("decoded frame larger than its MESSAGE")
			}
			return
		}
		_, _, err := m.Next(nil, Command{Name: name, Body: body})
		if err != nil && !acceptableCurveError(err) {
			t.Fatalf("%s: untyped error %v", name, err)
		}
		// HELLO is the only command a stranger can produce valid from scratch.
		if err == nil && name != CmdHello && !isSeed(st.bodies, body) {
			t.Fatalf("%s: forged command accepted", name)
		}
	})
}

func isSeed(seeds [][]byte, b []byte) bool {
	for _, s := range seeds {
		if string(s) == string(b) {
			return true
		}
	}
	return false
}
