package main

import "github.com/purezmq/purezmq/socket"

func msgOf(frames ...string) socket.Msg {
	var m socket.Msg
	for _, f := range frames {
		m.Frames = append(m.Frames, []byte(f))
	}
	return m
}
