package socket

// probe sends PROBE_ROUTER's empty message on a new connection, ahead of
// anything queued, so that a ROUTER peer hears of us at once. It holds wmu
// as any writer does (a REQ's Send may write directly).
func (c *streamConn) probe() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.zc.WriteMessage([][]byte{{}})
	if err == nil {
		err = c.zc.Flush()
	}
	if err != nil {
		c.shutdown(err)
	}
}

// probeInproc is probe for an inproc peer: the empty message is queued on
// the pipe towards it.
func (s *Socket) probeInproc(p *peer) {
	if s.opt().ext.probeRouter {
		_ = p.out.TryPush([][]byte{{}})
	}
}
