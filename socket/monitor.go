package socket

import "fmt"

// Monitor event kinds added after the first sixteen. They are numbered from
// 32 so the original kinds keep their values.
const (
	// EventMonitorOverflow reports monitor events lost because the Monitor
	// channel was full; it comes as soon as the channel has room again, and
	// Err (a *MonitorOverflowError) says how many.
	EventMonitorOverflow EventKind = 32 + iota
	// EventLingerDiscarded: Close's linger time ran out with messages still
	// queued; Err (a *LingerError) says how many were thrown away.
	EventLingerDiscarded
	// EventRetentionNoKey: retention is on but a peer arrived without the
	// key it would be kept under (no Identity, or no authenticated user), so
	// its pipe is transient: what is queued for it goes when it leaves.
	// Peer is its address, Err (a *NoKeyError) says why.
	EventRetentionNoKey
	// EventSwapFailed: the swap could not store messages (they met the
	// mute action) because the disk is full or a write failed; Err (a
	// *queue.SwapError) says which pipe and the system's error. At most
	// one a second while failures go on.
	EventSwapFailed
)

var extraEventNames = map[EventKind]string{
	EventMonitorOverflow: "MONITOR_OVERFLOW",
	EventLingerDiscarded: "LINGER_DISCARDED",
	EventRetentionNoKey:  "RETENTION_NO_KEY",
	EventSwapFailed:      "SWAP_FAILED",
}

// EventMask selects monitor event kinds, one bit per kind (as libzmq's
// ZMQ_EVENT_* flags); combine kinds' Mask with |.
type EventMask uint64

// EventAll selects every kind.
const EventAll = ^EventMask(0)

// Mask returns the bit that selects k.
func (k EventKind) Mask() EventMask { return 1 << (k & 63) }

// Has reports whether m selects k.
func (m EventMask) Has(k EventKind) bool { return m&k.Mask() != 0 }

// WithMonitorMask makes Monitor deliver only the kinds in mask (default:
// EventAll), like the events argument of zmq_socket_monitor. Kinds left
// out are not sent, and so do not count as monitor overflow; they are
// still logged at debug level. SetOption changes it on a live socket.
func WithMonitorMask(mask EventMask) Option {
	return func(o *options) error { o.monitorMute = ^mask; return nil }
}

func (o *options) monitorMaskOrAll() EventMask { return ^o.monitorMute }

// MonitorOverflowError counts monitor events dropped because the Monitor
// channel was full.
type MonitorOverflowError struct {
	Dropped uint64 // since the previous EventMonitorOverflow
	Total   uint64 // over the socket's life (Stats().MonitorDropped)
}

func (e *MonitorOverflowError) Error() string {
	return fmt.Sprintf("socket: monitor events dropped: %d (%d in all): the Monitor channel was full", e.Dropped, e.Total)
}

// deliver puts e on the Monitor channel, or counts it when the channel is
// full. A pending count of lost events goes first, as an
// EventMonitorOverflow, once there is room for it. s.monMu is held.
func (s *Socket) deliver(e Event) {
	if s.monLost > 0 {
		report := Event{Kind: EventMonitorOverflow, Time: e.Time,
			Err: &MonitorOverflowError{Dropped: s.monLost, Total: s.monDropped.Load()}}
		select {
		case s.mon <- report:
			s.monLost = 0
		default:
		}
	}
	select {
	case s.mon <- e:
	default:
		s.monDropped.Add(1)
		s.monLost++
	}
}
