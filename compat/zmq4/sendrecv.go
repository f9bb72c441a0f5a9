package zmq4

import (
	"fmt"

	"github.com/purezmq/purezmq/socket"
)

// Send sends one frame; with SNDMORE more frames of the message follow.
// It returns the frame's length.
func (soc *Socket) Send(data string, flags Flag) (int, error) {
	return soc.sendFrames([][]byte{[]byte(data)}, flags)
}

// SendBytes sends one frame, copied as libzmq copies it.
func (soc *Socket) SendBytes(data []byte, flags Flag) (int, error) {
	return soc.sendFrames([][]byte{append([]byte(nil), data...)}, flags)
}

// SendMessage sends a multipart message. Parts are strings, []byte,
// []string or [][]byte (each element a frame); anything else is sent as
// its fmt %v text. Trailing empty []string and [][]byte parts add nothing.
// It returns the total bytes sent.
func (soc *Socket) SendMessage(parts ...interface{}) (total int, err error) {
	return soc.sendMessage(0, parts)
}

// SendMessageDontwait is SendMessage with DONTWAIT.
func (soc *Socket) SendMessageDontwait(parts ...interface{}) (total int, err error) {
	return soc.sendMessage(DONTWAIT, parts)
}

func (soc *Socket) sendMessage(flags Flag, parts []interface{}) (int, error) {
	var frames [][]byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			frames = append(frames, []byte(v))
		case []byte:
			frames = append(frames, append([]byte(nil), v...))
		case []string:
			for _, s := range v {
				frames = append(frames, []byte(s))
			}
		case [][]byte:
			for _, b := range v {
				frames = append(frames, append([]byte(nil), b...))
			}
		default:
			frames = append(frames, []byte(fmt.Sprintf("%v", v)))
		}
	}
	if len(frames) == 0 {
		return 0, nil
	}
	total := 0
	for _, f := range frames {
		total += len(f)
	}
	if _, err := soc.sendFrames(frames, flags); err != nil {
		return -1, err
	}
	return total, nil
}

// sendFrames adds frames to the message being built and sends it unless
// SNDMORE is given. The frames belong to the socket from here on.
func (soc *Socket) sendFrames(frames [][]byte, flags Flag) (int, error) {
	n := len(frames[len(frames)-1])
	soc.mu.Lock()
	s, err := soc.real()
	if err != nil {
		soc.mu.Unlock()
		return -1, err
	}
	if (soc.typ == REQ && soc.awaitReply && !soc.opt.reqRelaxed) || (soc.typ == REP && !soc.haveReq) {
		soc.mu.Unlock()
		return -1, EFSM
	}
	soc.out = append(soc.out, frames...)
	if flags&SNDMORE != 0 {
		soc.mu.Unlock()
		return n, nil
	}
	msg := socket.NewMsg(soc.out...)
	soc.out = nil
	soc.mu.Unlock()

	// The frames are copies made for this send: the socket may own them.
	// SNDTIMEO is the socket's own send timeout; Term ends the wait.
	if flags&DONTWAIT != 0 {
		err = s.TrySendOwned(msg)
	} else {
		err = s.SendOwned(soc.ctx.ctx, msg)
	}
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err != nil {
		e := soc.callErr(err)
		if e == eagain && soc.out == nil {
			soc.out = msg.Frames // not queued: a retry of the last frame sends it all
		}
		return -1, e
	}
	switch soc.typ {
	case REQ:
		soc.awaitReply = true
	case REP:
		soc.haveReq = false
	}
	return n, nil
}

// Recv receives one frame as a string; GetRcvmore tells whether more follow.
func (soc *Socket) Recv(flags Flag) (string, error) {
	b, err := soc.recvFrame(flags)
	return string(b), err
}

// RecvBytes receives one frame.
func (soc *Socket) RecvBytes(flags Flag) ([]byte, error) { return soc.recvFrame(flags) }

// RecvMessage receives the (rest of the) message, frame by frame.
func (soc *Socket) RecvMessage(flags Flag) (msg []string, err error) {
	frames, err := soc.RecvMessageBytes(flags)
	if err != nil {
		return nil, err
	}
	msg = make([]string, len(frames))
	for i, f := range frames {
		msg[i] = string(f)
	}
	return msg, nil
}

// RecvMessageBytes receives the (rest of the) message.
func (soc *Socket) RecvMessageBytes(flags Flag) (msg [][]byte, err error) {
	for {
		f, err := soc.recvFrame(flags)
		if err != nil {
			return nil, err
		}
		msg = append(msg, f)
		more, _ := soc.GetRcvmore()
		if !more {
			return msg, nil
		}
	}
}

// RecvWithMetadata is Recv returning properties of the message
// (zmq_msg_gets): Socket-Type, Identity, User-Id, Peer-Address and the rest
// of what the sender's connection established. A property the message
// does not have is left out of metadata, as pebbe/zmq4 does.
func (soc *Socket) RecvWithMetadata(flags Flag, properties ...string) (msg string, metadata map[string]string, err error) {
	msg, err = soc.Recv(flags)
	return msg, soc.metadata(err, properties), err
}

// RecvBytesWithMetadata: see RecvWithMetadata.
func (soc *Socket) RecvBytesWithMetadata(flags Flag, properties ...string) (msg []byte, metadata map[string]string, err error) {
	msg, err = soc.RecvBytes(flags)
	return msg, soc.metadata(err, properties), err
}

// RecvMessageWithMetadata: see RecvWithMetadata.
func (soc *Socket) RecvMessageWithMetadata(flags Flag, properties ...string) (msg []string, metadata map[string]string, err error) {
	msg, err = soc.RecvMessage(flags)
	return msg, soc.metadata(err, properties), err
}

// RecvMessageBytesWithMetadata: see RecvWithMetadata.
func (soc *Socket) RecvMessageBytesWithMetadata(flags Flag, properties ...string) (msg [][]byte, metadata map[string]string, err error) {
	msg, err = soc.RecvMessageBytes(flags)
	return msg, soc.metadata(err, properties), err
}

// metadata looks up properties on the message just received.
func (soc *Socket) metadata(err error, properties []string) map[string]string {
	md := map[string]string{}
	if err != nil {
		return md
	}
	soc.mu.Lock()
	m := soc.inMD
	soc.mu.Unlock()
	for _, p := range properties {
		if v, ok := m.Get(p); ok {
			md[p] = v
		}
	}
	return md
}

// recvFrame returns the next frame of the current message, receiving a
// new message when the last one is used up.
func (soc *Socket) recvFrame(flags Flag) ([]byte, error) {
	soc.mu.Lock()
	s, err := soc.real()
	if err != nil {
		soc.mu.Unlock()
		return nil, err
	}
	if soc.inNext < len(soc.in) {
		defer soc.mu.Unlock()
		return soc.nextFrame(), nil
	}
	if soc.typ == REQ && !soc.awaitReply {
		soc.mu.Unlock()
		return nil, EFSM
	}
	soc.mu.Unlock()

	// RCVTIMEO is the socket's own receive timeout; Term ends the wait.
	var m socket.Msg
	if flags&DONTWAIT != 0 {
		m, err = s.TryRecv()
	} else {
		m, err = s.Recv(soc.ctx.ctx)
	}
	soc.mu.Lock()
	defer soc.mu.Unlock()
	if err != nil {
		return nil, soc.callErr(err)
	}
	return soc.startMsg(m.Frames, m.Metadata()), nil
}

// startMsg makes frames the message being read and returns its first frame.
// soc.mu is held.
func (soc *Socket) startMsg(frames [][]byte, md *socket.Metadata) []byte {
	soc.inMD = md
	if len(frames) == 0 {
		frames = [][]byte{nil}
	}
	soc.in, soc.inNext = frames, 0
	return soc.nextFrame()
}

// nextFrame returns the next frame of the message being read. soc.mu is held.
func (soc *Socket) nextFrame() []byte {
	f := soc.in[soc.inNext]
	soc.inNext++
	soc.more = soc.inNext < len(soc.in)
	if !soc.more {
		soc.in, soc.inNext = nil, 0
		switch soc.typ {
		case REQ:
			soc.awaitReply = false
		case REP:
			soc.haveReq = true
		}
	}
	return f
}
