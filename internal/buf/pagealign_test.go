package buf

import "testing"

// atOffset returns n bytes starting off bytes into a page.
func atOffset(off, n int) []byte {
	b := make([]byte, n+2*PageSize)
	start := (PageSize - PageOffset(b)) & PageMask
	return b[start+off : start+off+n]
}

func TestPageOffset(t *testing.T) {
	for _, off := range []int{0, 1, 11, 2048, 4095} {
		if got := PageOffset(atOffset(off, 10)); got != off {
			t.Errorf("pageOffset = %d, want %d", got, off)
		}
	}
}

func TestCopyHazard(t *testing.T) {
	for _, c := range []struct {
		pre, off int
		want     bool
	}{
		{0, 0, false},     // same offset: fast
		{11, 11, false},   // same offset after a header
		{11, 0, true},     // 11 bytes ahead of its source: slow
		{2, 0, true},      // a short header
		{0, 30, true},     // 30 bytes behind
		{11, 2048, false}, // a pooled buffer (Skew) behind an 11-byte header
		{11, 4000, false}, // 107 bytes ahead modulo the page
		{9, 4095, true},   // 10 bytes ahead across the page boundary
		{4096 + 11, 0, true},
		{0, 4096 - hazardDistance, false},
		{0, 4096 - hazardDistance + 1, true},
	} {
		if got := CopyHazard(c.pre, atOffset(c.off, 64)); got != c.want {
			t.Errorf("CopyHazard(pre %d, offset %d) = %v, want %v", c.pre, c.off, got, c.want)
		}
	}
}

func TestPageCut(t *testing.T) {
	for _, c := range []struct {
		pos    int64
		pre, n int
		want   int
	}{
		{0, 9, 65536, 65536 - 9}, // the header's 9 bytes wait for the next write
		{0, 0, 65536, 65536},     // already ends on a boundary
		{4096, 0, 65536, 65536},  //
		{100, 11, 1 << 20, 1<<20 - 111},
		{5, 10, 1000, 1000}, // the tail would be the whole body
		{0, 9, 4087, 4087},  // ends on the boundary already
		{0, 9, 4088, 4087},  // one byte held back
		{4090, 3, 20000, 20000 - (4093+20000)%4096},
	} {
		got := PageCut(c.pos, c.pre, c.n)
		if got != c.want {
			t.Errorf("PageCut(%d, %d, %d) = %d, want %d", c.pos, c.pre, c.n, got, c.want)
		}
		if got < c.n && (c.pos+int64(c.pre)+int64(got))%PageSize != 0 {
			t.Errorf("PageCut(%d, %d, %d) = %d: the write ends off a page boundary", c.pos, c.pre, c.n, got)
		}
		if c.n-got >= PageSize {
			t.Errorf("PageCut(%d, %d, %d) = %d: holds back %d bytes", c.pos, c.pre, c.n, got, c.n-got)
		}
	}
}
