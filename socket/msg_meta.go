package socket

// Metadata returns what the handshake of the connection m arrived on
// established about the sender (libzmq's zmq_msg_gets properties): nil for
// a message that was not received, or whose connection reported nothing.
// Every message from one connection shares the same *Metadata.
func (m Msg) Metadata() *Metadata { return m.md }

// Property returns one property of the connection m arrived on, by name in
// any case: Socket-Type, Identity (also as Routing-Id), User-Id,
// Peer-Address, and any other property the peer's READY or INITIATE carried
// or its authenticator added. ok is false when there is no such property.
func (m Msg) Property(name string) (value string, ok bool) { return m.md.Get(name) }
