package swapfile

import (
	"hash/crc32"
	"testing"
)

// crcZeros returns crc32.Update(crc, castagnoli, n zero bytes) in
// O(log n) steps instead of O(n): appending zeros is a linear map on the
// CRC register, so it is a 32x32 bit matrix, and the map for n bytes is
// built by squaring the one for a single zero bit. The 32-bit tests need
// the CRC of a 1 GiB zero record, which byte by byte takes close to a
// minute under armv7 emulation.
func crcZeros(crc uint32, n int64) uint32 {
	const poly = 0x82f63b78 // Castagnoli, reflected
	var odd, even [32]uint32
	odd[0] = poly // one zero bit
	for i, row := 1, uint32(1); i < 32; i, row = i+1, row<<1 {
		odd[i] = row
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four
	reg := ^crc            // crc32.Update inverts before and after
	for n > 0 {
		gf2Square(&even, &odd) // 8, 32, 128... bits: 1, 4, 16... bytes
		if n&1 != 0 {
			reg = gf2Times(&even, reg)
		}
		if n >>= 1; n == 0 {
			break
		}
		gf2Square(&odd, &even)
		if n&1 != 0 {
			reg = gf2Times(&odd, reg)
		}
		n >>= 1
	}
	return ^reg
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(sq, mat *[32]uint32) {
	for i := range mat {
		sq[i] = gf2Times(mat, mat[i])
	}
}

// TestCRCZeros: the shortcut agrees with hashing the zeros.
func TestCRCZeros(t *testing.T) {
	zeros := make([]byte, 1<<20+3)
	for _, start := range []uint32{0, 0xdeadbeef} {
		for _, n := range []int{0, 1, 2, 3, 7, 8, 255, 4096, 65537, len(zeros)} {
			want := crc32.Update(start, castagnoli, zeros[:n])
			if got := crcZeros(start, int64(n)); got != want {
				t.Fatalf("crc %#x + %d zeros: %#x, want %#x", start, n, got, want)
			}
		}
	}
}
