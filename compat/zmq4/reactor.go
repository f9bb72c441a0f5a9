package zmq4

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Reactor runs handlers for sockets that become ready and for values that
// arrive on channels, in one goroutine, until a handler returns an error.
type Reactor struct {
	sockets  map[*Socket]func(State) error
	poller   *Poller
	channels map[uint64]*reactorChan
	nextID   uint64
	removed  []uint64
	verbose  bool
}

type reactorChan struct {
	ch      <-chan interface{}
	limit   int // values handled per round; 0: all that are waiting
	handler func(interface{}) error
}

// NewReactor makes an empty reactor.
func NewReactor() *Reactor {
	return &Reactor{sockets: map[*Socket]func(State) error{}, poller: NewPoller(),
		channels: map[uint64]*reactorChan{}}
}

// AddSocket calls handler with the conditions that hold whenever soc is
// ready for events. Adding a socket again replaces its entry.
func (r *Reactor) AddSocket(soc *Socket, events State, handler func(State) error) {
	r.RemoveSocket(soc)
	r.sockets[soc] = handler
	r.poller.Add(soc, events)
}

// RemoveSocket removes soc.
func (r *Reactor) RemoveSocket(soc *Socket) {
	if _, ok := r.sockets[soc]; ok {
		delete(r.sockets, soc)
		r.poller.RemoveBySocket(soc)
	}
}

// AddChannel calls handler for each value read from ch, at most limit per
// round (0: every value waiting). A closed channel is removed.
func (r *Reactor) AddChannel(ch <-chan interface{}, limit int, handler func(interface{}) error) (id uint64) {
	r.nextID++
	r.channels[r.nextID] = &reactorChan{ch: ch, limit: limit, handler: handler}
	return r.nextID
}

// AddChannelTime is AddChannel for a time channel (a Ticker's, say). A
// goroutine forwards its values until it is closed.
func (r *Reactor) AddChannelTime(ch <-chan time.Time, limit int, handler func(interface{}) error) (id uint64) {
	fwd := make(chan interface{})
	go func() {
		defer close(fwd)
		for t := range ch {
			fwd <- t
		}
	}()
	return r.AddChannel(fwd, limit, handler)
}

// RemoveChannel removes channel id before the next round.
func (r *Reactor) RemoveChannel(id uint64) { r.removed = append(r.removed, id) }

// SetVerbose traces the reactor's activity on standard output.
func (r *Reactor) SetVerbose(verbose bool) { r.verbose = verbose }

// Run alternates between reading the channels (without waiting) and
// polling the sockets for up to interval, calling the handlers, until one
// returns an error, which Run returns. interval must not be negative when
// there are channels.
func (r *Reactor) Run(interval time.Duration) (err error) {
	for {
		for _, id := range r.removed {
			delete(r.channels, id)
		}
		r.removed = r.removed[:0]
		if err := r.readChannels(); err != nil {
			return err
		}
		if len(r.channels) > 0 && interval < 0 {
			return errors.New("zmq4: reactor: a negative interval would starve its channels")
		}
		if len(r.sockets) == 0 {
			if len(r.channels) == 0 {
				return errors.New("zmq4: reactor: nothing to run (no sockets, no channels)")
			}
			time.Sleep(interval)
			continue
		}
		polled, err := r.poller.Poll(interval)
		if err != nil {
			return err
		}
		for _, p := range polled {
			if r.verbose {
				fmt.Printf("Reactor(%p) %v %v\n", r, p.Socket, p.Events)
			}
			if h, ok := r.sockets[p.Socket]; ok {
				if err := h(p.Events); err != nil {
					return err
				}
			}
		}
	}
}

// readChannels handles the values waiting on the channels, in id order.
func (r *Reactor) readChannels() error {
	ids := make([]uint64, 0, len(r.channels))
	for id := range r.channels {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		c := r.channels[id]
		for n := 0; c.limit == 0 || n < c.limit; n++ {
			var v interface{}
			var ok bool
			select {
			case v, ok = <-c.ch:
			default:
				n = -1
			}
			if n < 0 {
				break
			}
			if !ok {
				r.RemoveChannel(id)
				break
			}
			if r.verbose {
				fmt.Printf("Reactor(%p) channel %d: %v\n", r, id, v)
			}
			if err := c.handler(v); err != nil {
				return err
			}
		}
	}
	return nil
}
