package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

func TestZ85RFCVector(t *testing.T) {
	// RFC 32's test vector.
	raw := hx(t, "86 4F D2 6F B5 59 F7 5B")
	s, err := Z85Encode(raw)
	if err != nil || s != "HelloWorld" {
		t.Fatalf("encode: %q %v", s, err)
	}
	b, err := Z85Decode("HelloWorld")
	if err != nil || !bytes.Equal(b, raw) {
		t.Fatalf("decode: %x %v", b, err)
	}
}

func TestZ85Errors(t *testing.T) {
	if _, err := Z85Encode([]byte{1, 2, 3}); !errors.Is(err, ErrZ85) {
		t.Errorf("3 bytes: %v", err)
	}
	for _, bad := range []string{"Hell", "Hello World", "Hell\"", "Hell~", "%nSc1"} {
		if _, err := Z85Decode(bad); !errors.Is(err, ErrZ85) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// "%nSc0" is 2^32-1, the largest group; one more overflows.
	if b, err := Z85Decode("%nSc0"); err != nil || !bytes.Equal(b, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("max group: %x %v", b, err)
	}
	if _, err := ParseCurveKeyZ85("HelloWorld"); !errors.Is(err, ErrZ85) {
		t.Errorf("short key: %v", err)
	}
	if _, err := ParseCurveKeyZ85("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI "); !errors.Is(err, ErrZ85) {
		t.Errorf("key with a space: %v", err)
	}
}

func TestZ85RoundTrip(t *testing.T) {
	for n := 0; n <= 64; n += 4 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + n)
		}
		s, err := Z85Encode(b)
		if err != nil || len(s) != n/4*5 {
			t.Fatalf("%d bytes: %q %v", n, s, err)
		}
		back, err := Z85Decode(s)
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("%d bytes: %x %v", n, back, err)
		}
	}
}

// The example key pairs of libzmq's zmq_curve(7) page: deriving each public
// key from its secret checks Z85 and Curve25519 against libzmq.
func TestCurveKeysLibzmqExample(t *testing.T) {
	pairs := [][2]string{
		{"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"},
		{"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"},
	}
	for _, p := range pairs {
		pub, err := ParseCurveKeyZ85(p[0])
		if err != nil {
			t.Fatal(err)
		}
		sec, err := ParseCurveKeyZ85(p[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := CurvePublicKey(sec)
		if err != nil || got != pub {
			t.Fatalf("public of %s = %s, want %s (%v)", p[1], CurveKeyZ85(got), p[0], err)
		}
		if CurveKeyZ85(pub) != p[0] {
			t.Fatalf("round trip of %s", p[0])
		}
	}
}

func TestGenerateCurveKeypair(t *testing.T) {
	pub, sec, err := GenerateCurveKeypair()
	if err != nil {
		t.Fatal(err)
	}
	pub2, sec2, err := GenerateCurveKeypair()
	if err != nil {
		t.Fatal(err)
	}
	if pub == pub2 || sec == sec2 || isZeroKey(&pub) {
		t.Fatal("key pairs repeat")
	}
	if got, _ := CurvePublicKey(sec); got != pub {
		t.Fatal("public key does not match the secret key")
	}
}
