package testpeer

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// PyOptions configures the one socket of a pyzmq peer process.
type PyOptions struct {
	Type        string   // socket type, e.g. "DEALER"
	Bind        []string // endpoints to bind; tcp://127.0.0.1:* picks a port (see Endpoints)
	Connect     []string
	Identity    *string // routing id; nil for none
	Subscribe   []string
	PlainServer bool
	PlainUser   string // PLAIN client credentials when non-empty
	PlainPass   string
	PlainUsers  map[string]string // accepted credentials on a PLAIN server (ZAP)
	SndHWM      *int
	RcvHWM      *int
	Extra       []string // further pypeer.py flags, e.g. "--router-mandatory", "--opt", "IMMEDIATE=1"
}

// Str and Int make optional fields easy to fill.
func Str(s string) *string { return &s }

// Int returns a pointer to n.
func Int(n int) *int { return &n }

// Py is a running pyzmq peer. Its methods are safe for use by one goroutine
// at a time (requests are answered in order).
type Py struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr *strings.Builder
	eps    []string
	mu     sync.Mutex
	closed bool

	waitDone chan struct{} // closed when the process has exited
	waitErr  error
}

// ScriptPath is the pyzmq driver script.
func ScriptPath() string { return filepath.Join(RepoRoot(), "interop", "peers", "pypeer.py") }

// StartPy starts a pyzmq peer and waits until its socket is bound/connecting.
// The process is killed when the test ends.
func StartPy(t testing.TB, o PyOptions) *Py {
	t.Helper()
	py := Python(t)
	args := []string{ScriptPath(), "--type", o.Type}
	for _, e := range o.Bind {
		args = append(args, "--bind", e)
	}
	for _, e := range o.Connect {
		args = append(args, "--connect", e)
	}
	if o.Identity != nil {
		args = append(args, "--identity", *o.Identity)
	}
	for _, s := range o.Subscribe {
		args = append(args, "--subscribe="+s)
	}
	if o.PlainServer {
		args = append(args, "--plain-server")
		var users []string
		for u, p := range o.PlainUsers {
			users = append(users, u+":"+p)
		}
		args = append(args, "--plain-users", strings.Join(users, ","))
	}
	if o.PlainUser != "" {
		args = append(args, "--plain-user", o.PlainUser, "--plain-pass", o.PlainPass)
	}
	if o.SndHWM != nil {
		args = append(args, "--sndhwm", fmt.Sprint(*o.SndHWM))
	}
	if o.RcvHWM != nil {
		args = append(args, "--rcvhwm", fmt.Sprint(*o.RcvHWM))
	}
	args = append(args, o.Extra...)
	cmd := exec.Command(py, args...)
	p := &Py{t: t, cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewReader(stdout)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pyzmq peer: %v", err)
	}
	p.waitDone = make(chan struct{})
	go func() {
		p.waitErr = cmd.Wait()
		close(p.waitDone)
	}()
	t.Cleanup(p.kill)
	var ready struct {
		Ready     bool     `json:"ready"`
		Endpoints []string `json:"endpoints"`
	}
	if err := p.readLine(&ready, 20*time.Second); err != nil || !ready.Ready {
		t.Fatalf("pyzmq peer %v did not start: %v\nstderr: %s", args[1:], err, p.stderr.String())
	}
	p.eps = ready.Endpoints
	return p
}

// Endpoints returns the bound endpoints, with the ports libzmq chose.
func (p *Py) Endpoints() []string { return p.eps }

// Endpoint returns the first bound endpoint.
func (p *Py) Endpoint() string {
	if len(p.eps) == 0 {
		p.t.Fatal("pyzmq peer has no bound endpoint")
	}
	return p.eps[0]
}

func (p *Py) readLine(v any, timeout time.Duration) error {
	type res struct {
		line []byte
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		l, err := p.out.ReadBytes('\n')
		ch <- res{l, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("pyzmq peer: %w (stderr: %s)", r.err, p.stderr.String())
		}
		return json.Unmarshal(r.line, v)
	case <-time.After(timeout):
		// Kill the process so the reading goroutine ends too.
		p.kill()
		<-ch
		return fmt.Errorf("pyzmq peer: no answer within %v", timeout)
	}
}

// Reply is a pyzmq peer's answer to one request.
type Reply struct {
	OK       bool     `json:"ok"`
	Error    string   `json:"error"`
	Frames   []string `json:"frames"`
	N        int      `json:"n"`
	Endpoint string   `json:"endpoint"`
	// Props answers recvmeta: zmq_msg_gets per name, nil where libzmq
	// had no such property.
	Props map[string]*string `json:"props"`
}

// ErrTimeout is returned by Recv when nothing arrived in time.
var ErrTimeout = errors.New("testpeer: receive timed out")

// Call sends one request and waits for its reply; the wait is bounded by
// the request's own timeout plus a margin.
func (p *Py) Call(req map[string]any) (Reply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return Reply{}, errors.New("testpeer: peer closed")
	}
	b, _ := json.Marshal(req)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		return Reply{}, fmt.Errorf("pyzmq peer: write: %w (stderr: %s)", err, p.stderr.String())
	}
	wait := 30 * time.Second
	if ms, ok := req["timeout_ms"].(int); ok {
		wait = time.Duration(ms)*time.Millisecond*time.Duration(max(1, count(req))) + 20*time.Second
	}
	var r Reply
	if err := p.readLine(&r, wait); err != nil {
		return r, err
	}
	if !r.OK {
		if r.Error == "timeout" {
			return r, ErrTimeout
		}
		return r, fmt.Errorf("pyzmq peer: %s", r.Error)
	}
	return r, nil
}

func count(req map[string]any) int {
	if n, ok := req["count"].(int); ok {
		return n
	}
	return 1
}

func enc(frames [][]byte) []string {
	s := make([]string, len(frames))
	for i, f := range frames {
		s[i] = base64.StdEncoding.EncodeToString(f)
	}
	return s
}

// Send sends one multipart message.
func (p *Py) Send(frames ...[]byte) error {
	_, err := p.Call(map[string]any{"op": "send", "frames": enc(frames)})
	return err
}

// Recv receives one multipart message, or ErrTimeout.
func (p *Py) Recv(timeout time.Duration) ([][]byte, error) {
	r, err := p.Call(map[string]any{"op": "recv", "timeout_ms": int(timeout / time.Millisecond)})
	if err != nil {
		return nil, err
	}
	frames := make([][]byte, len(r.Frames))
	for i, f := range r.Frames {
		if frames[i], err = base64.StdEncoding.DecodeString(f); err != nil {
			return nil, err
		}
	}
	return frames, nil
}

// Echo receives n messages and sends each back unchanged (REP, ROUTER, PAIR...).
func (p *Py) Echo(n int, timeout time.Duration) error {
	_, err := p.Call(map[string]any{"op": "echo", "count": n, "timeout_ms": int(timeout / time.Millisecond)})
	return err
}

// Subscribe and Unsubscribe change a SUB peer's subscriptions.
func (p *Py) Subscribe(topic []byte) error {
	_, err := p.Call(map[string]any{"op": "subscribe", "topic": base64.StdEncoding.EncodeToString(topic)})
	return err
}

// Unsubscribe cancels a subscription.
func (p *Py) Unsubscribe(topic []byte) error {
	_, err := p.Call(map[string]any{"op": "unsubscribe", "topic": base64.StdEncoding.EncodeToString(topic)})
	return err
}

// Close asks the peer to close its socket and exit, then waits for it.
func (p *Py) Close() error {
	_, err := p.Call(map[string]any{"op": "close"})
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.stdin.Close()
	select {
	case <-p.waitDone:
		if err == nil {
			err = p.waitErr
		}
	case <-time.After(10 * time.Second):
		p.kill()
	}
	return err
}

// Kill stops the peer at once (like a crash) and waits for it to exit.
func (p *Py) Kill() { p.kill() }

// kill must not take p.mu: it runs from inside Call when a reply times out.
func (p *Py) kill() {
	select {
	case <-p.waitDone:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.waitDone
}
