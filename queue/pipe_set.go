package queue

// SetHWM changes the pipe's high-water mark (0: no limit). Raising it, or
// removing it, wakes a writer waiting for room. Messages already queued
// beyond a lowered mark stay; the pipe takes no more until it drains below
// it. Inproc uses it when a connect-first pipe meets its binder and the
// binder's receive HWM is added to the mark, as libzmq does.
func (p *Pipe) SetHWM(n int) {
	if n < 0 {
		n = 0
	}
	p.mu.Lock()
	wasFull := p.full()
	p.cfg.HWM = n
	var notify func()
	if wasFull && !p.full() {
		notify = p.wakeWritableLocked()
	}
	p.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// HWM returns the pipe's high-water mark (0: no limit).
func (p *Pipe) HWM() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.HWM
}

// SetMute changes what a push into the full pipe does from now on (a
// ROUTER whose mandatory flag was switched after its peers connected).
func (p *Pipe) SetMute(m MuteAction) {
	p.mu.Lock()
	p.cfg.Mute = m
	p.mu.Unlock()
}

// mute returns the mute action under the lock, for readers outside it.
func (p *Pipe) mute() MuteAction {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Mute
}
