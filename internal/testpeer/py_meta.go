package testpeer

import (
	"encoding/base64"
	"errors"
	"os"
	"time"
)

// RecvMeta receives one message and libzmq's zmq_msg_gets of each name on
// it: a missing property is absent from props.
func (p *Py) RecvMeta(timeout time.Duration, names ...string) (frames [][]byte, props map[string]string, err error) {
	r, err := p.Call(map[string]any{"op": "recvmeta", "names": names, "timeout_ms": int(timeout / time.Millisecond)})
	if err != nil {
		return nil, nil, err
	}
	frames = make([][]byte, len(r.Frames))
	for i, f := range r.Frames {
		if frames[i], err = base64.StdEncoding.DecodeString(f); err != nil {
			return nil, nil, err
		}
	}
	props = map[string]string{}
	for k, v := range r.Props {
		if v != nil {
			props[k] = *v
		}
	}
	return frames, props, nil
}

// Signal sends sig to the peer process: SIGSTOP freezes it (libzmq's I/O
// thread included, so it stops answering and sending heartbeats) and
// SIGCONT resumes it. A stopped peer is still killed when the test ends.
func (p *Py) Signal(sig os.Signal) error {
	if p.cmd.Process == nil {
		return errors.New("testpeer: peer not started")
	}
	return p.cmd.Process.Signal(sig)
}
