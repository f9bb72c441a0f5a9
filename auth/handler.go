package auth

import (
	"context"
	"errors"
)

// Handler decides ZAP requests: the Go form of a handler bound at Endpoint.
// A server's handshake calls it once per connecting client, after the
// mechanism has the client's credentials and before the handshake completes.
//
// Authenticate returns a reply with one of the four status codes; an error
// means the handler could not decide and is answered for it (see Resolve).
// It must honour ctx, which the handshake timeout bounds, and be safe for
// concurrent use: many connections authenticate at once.
type Handler interface {
	Authenticate(ctx context.Context, req *Request) (*Reply, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req *Request) (*Reply, error)

// Authenticate calls f.
func (f HandlerFunc) Authenticate(ctx context.Context, req *Request) (*Reply, error) {
	return f(ctx, req)
}

// Resolve asks h about req and always returns the reply the server acts on,
// never nil:
//   - the handler's reply, with the request id echoed; its user id and
//     metadata cleared unless the status is 200;
//   - 300 when ctx ends first (a handler that never answers is bounded by
//     the handshake timeout) or the handler's error matches ErrTemporary,
//     context.DeadlineExceeded or context.Canceled;
//   - 500 when the handler fails otherwise, returns nothing, or returns a
//     reply that could not be sent on the wire (bad status, oversized
//     strings, bad metadata), exactly as a libzmq server treats a malformed
//     reply from a socket handler.
//
// h runs on its own goroutine so that Resolve returns when ctx ends even if
// h ignores ctx; that goroutine ends when h returns.
func Resolve(ctx context.Context, h Handler, req *Request) *Reply {
	rep, err := Decide(ctx, h, req)
	switch {
	case err == nil:
		return rep
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return NewReply(req, StatusTemporary, "ZAP handler did not answer in time")
	case errors.Is(err, ErrMalformedReply) || errors.Is(err, ErrRequestID):
		return NewReply(req, StatusInternal, "ZAP handler gave an invalid reply")
	}
	return replyForError(req, err)
}

// Decide is Resolve for a server's handshake, which must tell a handler that
// answered from one that broke the protocol: it returns the same replies,
// except that
//   - a reply that could not be sent on the wire, or a malformed reply or
//     one answering another request from a handler on a socket
//     (RemoteHandler), is an error matching ErrMalformedReply or
//     ErrRequestID: libzmq closes the connection without answering then;
//   - a handler that has not answered when ctx ends is ctx's error.
//
// Any other failure of the handler is a reply (300 or 500), as in Resolve.
func Decide(ctx context.Context, h Handler, req *Request) (*Reply, error) {
	type result struct {
		rep *Reply
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := h.Authenticate(ctx, req)
		done <- result{rep, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if res.err != nil {
		if errors.Is(res.err, ErrMalformedReply) || errors.Is(res.err, ErrRequestID) {
			return nil, res.err
		}
		return replyForError(req, res.err), nil
	}
	if res.rep == nil {
		return NewReply(req, StatusInternal, "ZAP handler returned no reply"), nil
	}
	rep := *res.rep
	rep.RequestID = req.RequestID
	if rep.Status != StatusOK {
		rep.UserID, rep.Metadata = "", nil
	}
	if _, err := AppendReply(nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// replyForError maps a handler's failure to a reply: temporary failures to
// 300, everything else to 500.
func replyForError(req *Request, err error) *Reply {
	text := err.Error()
	if len(text) > maxString {
		text = text[:maxString]
	}
	if errors.Is(err, ErrTemporary) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return NewReply(req, StatusTemporary, text)
	}
	return NewReply(req, StatusInternal, text)
}
