package zmtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestMetadataRoundTrip(t *testing.T) {
	md := Metadata{
		{PropSocketType, []byte("ROUTER")},
		{PropIdentity, []byte{0, 1, 2}},
		{"X-Custom.v1+a_b", []byte(strings.Repeat("v", 70000))},
		{"Empty", nil},
	}
	b, err := AppendMetadata(nil, md)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseMetadata(b)
	if err != nil || len(got) != len(md) {
		t.Fatalf("%v %d", err, len(got))
	}
	for i := range md {
		if got[i].Name != md[i].Name || !bytes.Equal(got[i].Value, md[i].Value) {
			t.Fatalf("property %d differs", i)
		}
	}
	if got.Get("socket-TYPE") != "ROUTER" || got.Get("missing") != "" {
		t.Fatal("case-insensitive Get")
	}
	// Every proper prefix is malformed, except those ending at a property edge.
	edges := map[int]bool{0: true}
	off := 0
	for _, p := range md {
		off += 1 + len(p.Name) + 4 + len(p.Value)
		edges[off] = true
	}
	for i := 0; i < len(b); i++ {
		_, err := ParseMetadata(b[:i])
		if edges[i] != (err == nil) {
			t.Fatalf("prefix %d: %v", i, err)
		}
		if err != nil && !errors.Is(err, ErrMalformedMetadata) {
			t.Fatalf("prefix %d: %v", i, err)
		}
	}
}

func TestMetadataBad(t *testing.T) {
	cases := map[string][]byte{
		"empty name":        hx(t, "00 00000000"),
		"space in name":     cat(hx(t, "03"), []byte("a b"), hx(t, "00000000")),
		"value past end":    cat(hx(t, "01"), []byte("a"), hx(t, "00000005"), []byte("abc")),
		"value over 2^31-1": cat(hx(t, "01"), []byte("a"), hx(t, "80000000")),
		"name past end":     cat(hx(t, "05"), []byte("ab")),
	}
	for name, b := range cases {
		if _, err := ParseMetadata(b); !errors.Is(err, ErrMalformedMetadata) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := AppendProperty(nil, "", nil); !errors.Is(err, ErrMalformedMetadata) {
		t.Error("empty name accepted")
	}
	if _, err := AppendProperty(nil, strings.Repeat("n", 256), nil); !errors.Is(err, ErrMalformedMetadata) {
		t.Error("256-byte name accepted")
	}
	if _, err := AppendProperty(nil, "a:b", nil); !errors.Is(err, ErrMalformedMetadata) {
		t.Error("colon accepted")
	}
}

func FuzzMetadata(f *testing.F) {
	b, _ := AppendMetadata(nil, Metadata{{PropSocketType, []byte("DEALER")}, {PropIdentity, nil}})
	f.Add(b)
	b, _ = AppendMetadata(nil, Metadata{{"X-A", []byte("1")}, {"User-Id", []byte("bob")}})
	f.Add(b)
	f.Add(hx(f, "01 61 00000005 6162"))
	f.Fuzz(func(t *testing.T, b []byte) {
		md, err := ParseMetadata(b)
		if err != nil {
			return
		}
		out, err := AppendMetadata(nil, md)
		if err != nil {
			t.Fatalf("re-append: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("metadata encoding is canonical, yet re-append differs")
		}
		md2, err := ParseMetadata(out)
		if err != nil || len(md2) != len(md) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range md {
			if md[i].Name != md2[i].Name || !bytes.Equal(md[i].Value, md2[i].Value) {
				t.Fatalf("property %d differs", i)
			}
		}
	})
}
