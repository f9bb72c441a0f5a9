// Package buf holds the buffer pool and the message ownership machinery
// shared by the wire layer (zmtp) and the socket layer.
//
// # Ownership rules
//
// A message is a frame list, [][]byte. Who may touch it, and when:
//
//   - Send copies (the default). After socket.Send returns, the caller's
//     frames are the caller's again: the socket queued a copy, made of one
//     pooled block per message (Copy), or for a small message carved from
//     a slab that is recycled once all its messages are released (Slab).
//     The copy belongs to the socket until
//     a connection writer has written it; the writer then gives the block
//     back (Release). An inproc receiver gets the copy itself and may give
//     it back with Msg.Release.
//   - Zero-copy is an opt-in (socket.SendOwned): the caller hands the frames
//     over and must not touch them afterwards. A received message handed
//     over this way keeps its receive mark, so the writer recycles its
//     bodies once written, unless the socket fans it out to several peers
//     (PUB, XPUB, XSUB), which Disown it first.
//   - What a reader returns belongs to the receiver until it calls Release
//     (socket.Msg.Release, the analogue of zmq_msg_close), even after it
//     sent the message on with a copying Send. Release is optional: memory
//     never released is garbage collected.
//
// # Marks
//
// A frame list whose buffers may be recycled says so in hidden slots just
// past its length, which only this package can fill (the values point at
// package-private arrays, so a list built elsewhere never carries a mark):
//
//   - receive mark, two slots: the list came from a connection reader
//     (RecvSlab): each body of MinPooled bytes or more whose capacity is
//     exactly a pool class goes back to its class on Release, and the
//     message is counted back to the slab (second slot) its small frames
//     and list were carved from, which is recycled once all its messages
//     are. A part of the message kept after Release (a REP's envelope) must
//     be copied first;
//   - block mark, two slots: the list is a Copy; the second slot holds the
//     single pooled block every frame was carved from;
//   - slab mark, two slots: the list is a Slab copy of a small message; the
//     second slot points at the slab, which Release counts the message
//     back to and which is recycled once all its messages are (slab.go).
//
// A suffix of a marked list (msg[k:], a ROUTER stripping the routing id)
// keeps the mark. Join and Prepend move it to a new list; anything else
// (append, re-making the list) loses it, which is harmless: the buffers are
// then garbage collected. Release and Disown clear the mark first, so a
// second Release of the same list does nothing.
package buf
