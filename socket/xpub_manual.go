package socket

// manualSubs is an XPubManual socket's record of what its subscribers asked
// for, which the application may or may not have applied: it is what tells
// the application, when a subscriber leaves, which topics nobody wants any
// more (libzmq keeps the same second trie).
type manualSubs struct {
	last  *peer                         // sender of the message Recv returned last
	asked map[*peer]map[string]struct{} // per subscriber, the topics it asked for
	count map[string]int                // per topic, how many subscribers asked
}

// manualRequest records p's subscribe or cancel of topic.
func (h *xpubSocket) manualRequest(p *peer, topic []byte, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := &h.man
	key := string(topic)
	set := m.asked[p]
	_, had := set[key]
	switch {
	case on && !had:
		if m.asked == nil {
			m.asked, m.count = make(map[*peer]map[string]struct{}), make(map[string]int)
		}
		if set == nil {
			set = make(map[string]struct{})
			m.asked[p] = set
		}
		set[key] = struct{}{}
		m.count[key]++
	case !on && had:
		delete(set, key)
		if m.count[key]--; m.count[key] == 0 {
			delete(m.count, key)
		}
	}
}

// manualLeave forgets p and returns the topics it asked for that no other
// subscriber asked for.
func (h *xpubSocket) manualLeave(p *peer) (orphaned [][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := &h.man
	for key := range m.asked[p] {
		if m.count[key]--; m.count[key] == 0 {
			delete(m.count, key)
			orphaned = append(orphaned, []byte(key))
		}
	}
	delete(m.asked, p)
	if m.last == p {
		m.last = nil
	}
	return orphaned
}

// manualSubscribe applies a subscription for the subscriber whose message
// Recv returned last, as libzmq's ZMQ_SUBSCRIBE on a manual XPUB does. With
// no such subscriber (none yet, or it left) it does nothing.
func (h *xpubSocket) manualSubscribe(topic []byte, on bool) error {
	if !h.s.opt().ext.xpubManual {
		return ErrNotSupported
	}
	h.mu.Lock()
	p := h.man.last
	h.mu.Unlock()
	if p != nil {
		h.d.subscribe(p, topic, on)
	}
	return nil
}
