package queue

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type evictLog struct {
	mu sync.Mutex
	ev []string
}

func (l *evictLog) on(key string, p *Pipe, r EvictReason) {
	l.mu.Lock()
	l.ev = append(l.ev, key+":"+r.String())
	l.mu.Unlock()
	p.Discard()
}

func (l *evictLog) String() string { l.mu.Lock(); defer l.mu.Unlock(); return fmt.Sprint(l.ev) }

func TestRetainerTTLFakeClock(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	var log evictLog
	r := NewRetainer(RetainConfig{TTL: time.Minute, Now: clk.Now, OnEvict: log.on})
	defer r.Close()
	_ = r.Park("a", New(Config{}), nil)
	clk.Add(30 * time.Second)
	_ = r.Park("b", New(Config{}), nil)
	clk.Add(31 * time.Second)
	if n := r.Len(); n != 1 {
		t.Fatalf("Len = %d after a's TTL", n)
	}
	if _, _, ok := r.Claim("a"); ok {
		t.Fatal("claimed an expired key")
	}
	if _, _, ok := r.Claim("b"); !ok {
		t.Fatal("b expired early")
	}
	if got := log.String(); got != "[a:expired]" {
		t.Fatalf("evictions %s", got)
	}
	if st := r.Stats(); st.Expired != 1 || st.Claimed != 1 || st.Parked != 2 || st.Retained != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRetainerTTLTimer(t *testing.T) {
	done := make(chan string, 1)
	r := NewRetainer(RetainConfig{TTL: 20 * time.Millisecond, OnEvict: func(k string, p *Pipe, why EvictReason) {
		done <- k + ":" + why.String()
	}})
	defer r.Close()
	_ = r.Park("idle", New(Config{}), nil)
	select {
	case got := <-done:
		if got != "idle:expired" {
			t.Fatal(got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("timer never expired the idle pipe")
	}
	if r.Len() != 0 {
		t.Fatal("still retained")
	}
}

func TestRetainerMaxKeysEvictsOldest(t *testing.T) {
	var log evictLog
	r := NewRetainer(RetainConfig{MaxKeys: 2, OnEvict: log.on})
	for _, k := range []string{"a", "b", "c", "d"} {
		_ = r.Park(k, New(Config{}), k+"-meta")
	}
	var keys []string
	r.Each(func(k string, p *Pipe, meta any) { keys = append(keys, k+"="+meta.(string)) })
	if fmt.Sprint(keys) != "[c=c-meta d=d-meta]" {
		t.Fatalf("retained %v", keys)
	}
	_ = r.Park("c", New(Config{}), nil) // replaces c
	r.Close()
	want := "[a:evicted b:evicted c:replaced d:shutdown c:shutdown]"
	if got := log.String(); got != want {
		t.Fatalf("evictions %s, want %s", got, want)
	}
	if st := r.Stats(); st.Evicted != 3 {
		t.Fatalf("stats %+v", st)
	}
	if err := r.Park("e", New(Config{}), nil); err != ErrClosed {
		t.Fatalf("Park after Close: %v", err)
	}
}

func TestRetainerClaimReturnsBacklogInOrder(t *testing.T) {
	r := NewRetainer(RetainConfig{TTL: time.Hour})
	defer r.Close()
	p := New(Config{HWM: 100, Key: "peer"})
	_ = p.TryPush(msg("1"))
	_ = r.Park("peer", p, []string{"topic"})
	// Routing continues into the parked pipe.
	r.Each(func(k string, p *Pipe, meta any) { _ = p.TryPush(msg("2")) })
	_ = p.TryPush(msg("3"))
	got, meta, ok := r.Claim("peer")
	if !ok || got != p || fmt.Sprint(meta) != "[topic]" {
		t.Fatalf("Claim = %v %v %v", got, meta, ok)
	}
	for _, w := range []string{"1", "2", "3"} {
		mustPop(t, got, w)
	}
	if _, _, ok := r.Claim("peer"); ok {
		t.Fatal("claimed twice")
	}
}

func TestRetainerConcurrent(t *testing.T) {
	r := NewRetainer(RetainConfig{TTL: time.Millisecond, MaxKeys: 8, OnEvict: func(string, *Pipe, EvictReason) {}})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := fmt.Sprint(i % 16)
				_ = r.Park(k, New(Config{}), nil)
				r.Claim(fmt.Sprint((i + g) % 16))
				r.Each(func(string, *Pipe, any) {})
				_ = r.Len()
			}
		}()
	}
	wg.Wait()
	r.Close()
	st := r.Stats()
	if st.Retained != 0 || st.Parked != 2000 {
		t.Fatalf("stats %+v", st)
	}
	if st.Claimed+st.Expired+st.Evicted > st.Parked {
		t.Fatalf("more pipes let go than parked: %+v", st)
	}
}
