package socket

// subTrie is a prefix trie of subscriptions with counts: subscribing twice to
// a topic needs two cancels, as in libzmq. SUB and XSUB keep one to filter
// (SUB) and to resend their subscriptions when a connection is made.
type subTrie struct {
	root  trieNode
	count int // distinct topics
}

type trieNode struct {
	refs int // subscriptions ending here
	next map[byte]*trieNode
}

// add counts one subscription to topic and reports whether it is new.
func (t *subTrie) add(topic []byte) bool {
	n := &t.root
	for _, c := range topic {
		if n.next == nil {
			n.next = make(map[byte]*trieNode)
		}
		m := n.next[c]
		if m == nil {
			m = &trieNode{}
			n.next[c] = m
		}
		n = m
	}
	n.refs++
	if n.refs == 1 {
		t.count++
		return true
	}
	return false
}

// remove cancels one subscription to topic and reports whether it was the
// last one (false too when there was none). Emptied branches are pruned.
func (t *subTrie) remove(topic []byte) bool {
	path := make([]*trieNode, 0, len(topic)+1)
	n := &t.root
	path = append(path, n)
	for _, c := range topic {
		n = n.next[c]
		if n == nil {
			return false
		}
		path = append(path, n)
	}
	if n.refs == 0 {
		return false
	}
	n.refs--
	if n.refs > 0 {
		return false
	}
	t.count--
	for i := len(topic); i > 0; i-- {
		m := path[i]
		if m.refs > 0 || len(m.next) > 0 {
			break
		}
		delete(path[i-1].next, topic[i-1])
	}
	return true
}

// match reports whether some subscription is a prefix of data.
func (t *subTrie) match(data []byte) bool {
	n := &t.root
	if n.refs > 0 {
		return true
	}
	for _, c := range data {
		if n = n.next[c]; n == nil {
			return false
		}
		if n.refs > 0 {
			return true
		}
	}
	return false
}

// topics calls f for every distinct subscribed topic.
func (t *subTrie) topics(f func(topic []byte)) {
	var walk func(n *trieNode, prefix []byte)
	walk = func(n *trieNode, prefix []byte) {
		if n.refs > 0 {
			f(append([]byte(nil), prefix...))
		}
		for c, m := range n.next {
			walk(m, append(prefix, c))
		}
	}
	walk(&t.root, nil)
}

// peerTrie maps topics to the set of peers subscribed to them; PUB and XPUB
// use it to find the subscribers a message goes to. A peer is in a topic's
// set at most once (libzmq's mtrie): repeated subscriptions from one peer are
// counted by that peer, which sends one cancel when its own count reaches 0.
type peerTrie struct {
	root peerNode
}

type peerNode struct {
	peers map[*peer]struct{}
	next  map[byte]*peerNode
}

// add subscribes p to topic; it reports whether topic had no subscriber before.
func (t *peerTrie) add(topic []byte, p *peer) (first bool) {
	n := &t.root
	for _, c := range topic {
		if n.next == nil {
			n.next = make(map[byte]*peerNode)
		}
		m := n.next[c]
		if m == nil {
			m = &peerNode{}
			n.next[c] = m
		}
		n = m
	}
	if n.peers == nil {
		n.peers = make(map[*peer]struct{})
	}
	first = len(n.peers) == 0
	n.peers[p] = struct{}{}
	return first
}

// remove unsubscribes p from topic; it reports whether p was subscribed and
// whether the topic now has no subscriber.
func (t *peerTrie) remove(topic []byte, p *peer) (was, last bool) {
	path := make([]*peerNode, 0, len(topic)+1)
	n := &t.root
	path = append(path, n)
	for _, c := range topic {
		n = n.next[c]
		if n == nil {
			return false, false
		}
		path = append(path, n)
	}
	if _, ok := n.peers[p]; !ok {
		return false, false
	}
	delete(n.peers, p)
	last = len(n.peers) == 0
	for i := len(topic); i > 0; i-- {
		m := path[i]
		if len(m.peers) > 0 || len(m.next) > 0 {
			break
		}
		delete(path[i-1].next, topic[i-1])
	}
	return true, last
}

// match calls f for every peer with a subscription that is a prefix of data;
// a peer may be reported more than once (one per matching topic).
func (t *peerTrie) match(data []byte, f func(p *peer)) {
	n := &t.root
	for {
		for p := range n.peers {
			f(p)
		}
		if len(data) == 0 || n.next == nil {
			return
		}
		if n = n.next[data[0]]; n == nil {
			return
		}
		data = data[1:]
	}
}
