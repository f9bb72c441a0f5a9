// Package chaosproxy is a TCP proxy for tests that cuts its connections at
// random moments: what a flaky network does to a pair of sockets. It uses
// the standard library only.
package chaosproxy

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards every connection accepted on Addr to a target and, every
// MinCut to MaxCut (uniformly at random), cuts all the connections it
// carries at once with a reset, so that whatever sat in the kernel's
// buffers is lost as in a real failure.
type Proxy struct {
	ln     net.Listener
	target string
	min    time.Duration
	max    time.Duration
	rng    *rand.Rand

	mu     sync.Mutex
	pairs  map[*pair]struct{}
	closed bool

	cuts   atomic.Int64
	conns  atomic.Int64
	stop   chan struct{}
	wg     sync.WaitGroup
	paused atomic.Bool
}

type pair struct{ a, b *net.TCPConn }

// Start listens on 127.0.0.1 and proxies to target, cutting every minCut
// to maxCut; seed makes the cut times reproducible.
func Start(target string, minCut, maxCut time.Duration, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, min: minCut, max: maxCut,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), pairs: make(map[*pair]struct{}), stop: make(chan struct{})}
	p.wg.Add(2)
	go p.accept()
	go p.cutter()
	return p, nil
}

// Addr is the proxy's listening address (host:port).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cuts is how many times the proxy cut at least one live connection.
func (p *Proxy) Cuts() int { return int(p.cuts.Load()) }

// Conns is how many connections the proxy accepted.
func (p *Proxy) Conns() int { return int(p.conns.Load()) }

// Pause stops (true) or resumes (false) the cutting, e.g. to let the
// sockets finish once the cuts a test wanted have happened.
func (p *Proxy) Pause(on bool) { p.paused.Store(on) }

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		d, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		pr := &pair{c.(*net.TCPConn), d.(*net.TCPConn)}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			d.Close()
			return
		}
		p.pairs[pr] = struct{}{}
		p.conns.Add(1)
		p.wg.Add(2)
		p.mu.Unlock()
		go p.copy(pr, pr.a, pr.b)
		go p.copy(pr, pr.b, pr.a)
	}
}

func (p *Proxy) copy(pr *pair, dst, src *net.TCPConn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	p.drop(pr)
}

// drop closes both ends of pr with a reset.
func (p *Proxy) drop(pr *pair) {
	p.mu.Lock()
	delete(p.pairs, pr)
	p.mu.Unlock()
	for _, c := range []*net.TCPConn{pr.a, pr.b} {
		_ = c.SetLinger(0)
		_ = c.Close()
	}
}

func (p *Proxy) cutter() {
	defer p.wg.Done()
	for {
		d := p.min
		if p.max > p.min {
			d += time.Duration(p.rng.Int64N(int64(p.max - p.min)))
		}
		t := time.NewTimer(d)
		select {
		case <-p.stop:
			t.Stop()
			return
		case <-t.C:
		}
		if p.paused.Load() {
			continue
		}
		p.mu.Lock()
		live := make([]*pair, 0, len(p.pairs))
		for pr := range p.pairs {
			live = append(live, pr)
		}
		p.mu.Unlock()
		if len(live) > 0 {
			p.cuts.Add(1)
		}
		for _, pr := range live {
			p.drop(pr)
		}
	}
}

// Close stops the proxy, cuts what it carries and waits for its goroutines.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	live := make([]*pair, 0, len(p.pairs))
	for pr := range p.pairs {
		live = append(live, pr)
	}
	p.mu.Unlock()
	close(p.stop)
	p.ln.Close()
	for _, pr := range live {
		p.drop(pr)
	}
	p.wg.Wait()
}
