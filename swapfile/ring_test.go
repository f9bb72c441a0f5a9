package swapfile

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAppendPopReopen(t *testing.T) {
	r, path := tempRing(t, 4096, Options{})
	var want [][]byte
	for i := range 20 {
		p := payload(i, i*5)
		want = append(want, p)
		if err := r.Append(p); err != nil {
			t.Fatal(err)
		}
	}
	if r.Len() != 20 {
		t.Fatalf("Len %d", r.Len())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r, rec := mustOpen(t, path, Options{})
	defer r.Close()
	if rec.Records != 20 || rec.DiscardedBytes != 0 || rec.Reason != "" || rec.Beyond != 0 {
		t.Fatalf("recovery %+v", rec)
	}
	if err := equalRecords(drain(t, r), want); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyRing(t *testing.T) {
	r, _ := tempRing(t, 64, Options{})
	defer r.Close()
	if _, err := r.Peek(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("Peek: %v", err)
	}
	if _, err := r.Pop(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("Pop: %v", err)
	}
	if err := r.Discard(); !errors.Is(err, ErrEmpty) {
		t.Fatalf("Discard: %v", err)
	}
	if r.Len() != 0 || r.Used() != 0 || r.Free() != 64 || r.Cap() != 64 {
		t.Fatalf("len %d used %d free %d cap %d", r.Len(), r.Used(), r.Free(), r.Cap())
	}
}

func TestFullAndTooLarge(t *testing.T) {
	const capacity = 256
	r, path := tempRing(t, capacity, Options{})
	if err := r.Append(make([]byte, capacity-recordHeaderSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	// Four records of 64 bytes fill the ring exactly.
	for i := range 4 {
		if err := r.Append(payload(i, 64-recordHeaderSize)); err != nil {
			t.Fatal(i, err)
		}
	}
	if r.Free() != 0 {
		t.Fatalf("free %d", r.Free())
	}
	if err := r.Append(nil); !errors.Is(err, ErrFull) {
		t.Fatalf("append to full ring: %v", err)
	}
	if err := r.Discard(); err != nil {
		t.Fatal(err)
	}
	if err := r.Append(payload(4, 64-recordHeaderSize)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	r, _ = mustOpen(t, path, Options{})
	got := drain(t, r)
	if err := equalRecords(got, [][]byte{payload(1, 48), payload(2, 48), payload(3, 48), payload(4, 48)}); err != nil {
		t.Fatal(err)
	}
	// A record of exactly the capacity fits an empty ring.
	if err := r.Append(payload(9, capacity-recordHeaderSize)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	r, _ = mustOpen(t, path, Options{})
	defer r.Close()
	if err := equalRecords(drain(t, r), [][]byte{payload(9, capacity-recordHeaderSize)}); err != nil {
		t.Fatal(err)
	}
}

func TestAppendV(t *testing.T) {
	r, _ := tempRing(t, 1024, Options{})
	defer r.Close()
	if err := r.AppendV([]byte("ab"), nil, []byte("cde"), []byte("f")); err != nil {
		t.Fatal(err)
	}
	if err := r.AppendV(); err != nil {
		t.Fatal(err)
	}
	if err := r.AppendV(make([]byte, 1000), make([]byte, 100)); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	if err := equalRecords(drain(t, r), [][]byte{[]byte("abcdef"), {}}); err != nil {
		t.Fatal(err)
	}
}

func TestClosed(t *testing.T) {
	r, path := tempRing(t, 64, Options{})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Append": r.Append(nil), "Sync": r.Sync(), "Close": r.Close(), "Discard": r.Discard(), "Reset": r.Reset(),
	} {
		if !errors.Is(err, ErrClosed) || !errors.Is(err, net.ErrClosed) || !errors.Is(err, os.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	if _, err := r.Pop(); !errors.Is(err, ErrClosed) {
		t.Errorf("Pop: %v", err)
	}
	if err := r.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file left after Remove: %v", err)
	}
}

func TestCreateExisting(t *testing.T) {
	r, path := tempRing(t, 64, Options{})
	defer r.Close()
	if _, err := Create(path, 64, Options{}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over existing: %v", err)
	}
	if _, err := Create(filepath.Join(t.TempDir(), "x"), 8, Options{}); err == nil {
		t.Fatal("capacity 8 accepted")
	}
}

func TestOpenOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ring")
	r, rec, err := OpenOrCreate(path, 512, Options{})
	if err != nil || rec.Records != 0 {
		t.Fatal(err, rec)
	}
	r.Append([]byte("x"))
	r.Close()
	r, rec, err = OpenOrCreate(path, 999, Options{})
	if err != nil || rec.Records != 1 || r.Cap() != 512 {
		t.Fatal(err, rec, r.Cap())
	}
	r.Close()
	// A blank file (interrupted Create) is replaced.
	os.WriteFile(path, nil, 0o600)
	r, rec, err = OpenOrCreate(path, 128, Options{})
	if err != nil || rec.Records != 0 || r.Cap() != 128 {
		t.Fatal(err, rec)
	}
	r.Close()
	// A damaged one is not.
	os.WriteFile(path, []byte("not a ring"), 0o600)
	if _, _, err := OpenOrCreate(path, 128, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatal(err)
	}
}

func TestLocked(t *testing.T) {
	r, path := tempRing(t, 64, Options{})
	defer r.Close()
	if _, _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Skipf("no flock here: %v", err)
	}
}

func TestSyncPolicies(t *testing.T) {
	for _, opts := range []Options{
		{Sync: SyncAlways},
		{Sync: SyncEveryN, SyncEvery: 3},
		{Sync: SyncInterval, SyncInterval: time.Millisecond},
	} {
		t.Run(opts.Sync.String(), func(t *testing.T) {
			r, path := tempRing(t, 300, opts)
			var want [][]byte
			for i := range 50 {
				p := payload(i, i%40)
				for {
					err := r.Append(p)
					if err == nil {
						break
					}
					if !errors.Is(err, ErrFull) {
						t.Fatal(err)
					}
					want = want[1:]
					if err := r.Discard(); err != nil {
						t.Fatal(err)
					}
				}
				want = append(want, p)
				if i%7 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			if err := r.Sync(); err != nil {
				t.Fatal(err)
			}
			r.abandon()
			r, rec := mustOpen(t, path, opts)
			defer r.Close()
			if rec.DiscardedBytes != 0 {
				t.Fatal(rec)
			}
			if err := equalRecords(drain(t, r), want); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := Create(filepath.Join(t.TempDir(), "x"), 64, Options{Sync: SyncEveryN}); err == nil {
		t.Fatal("SyncEveryN without SyncEvery accepted")
	}
}

func TestReset(t *testing.T) {
	r, path := tempRing(t, 128, Options{})
	for i := range 3 {
		r.Append(payload(i, 10))
	}
	if err := r.Reset(); err != nil {
		t.Fatal(err)
	}
	r.Append(payload(7, 10))
	r.abandon()
	r, _ = mustOpen(t, path, Options{})
	defer r.Close()
	if err := equalRecords(drain(t, r), [][]byte{payload(7, 10)}); err != nil {
		t.Fatal(err)
	}
}
