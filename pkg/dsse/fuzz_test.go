package dsse

import (
	"bytes"
	"testing"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/ (real envelopes and bundles
// from testdata plus hand-written edge cases); f.Add adds the fixtures too.

func FuzzParseEnvelope(f *testing.F) {
	for _, name := range []string{"dsse-spec-test-vector.envelope.json", "rekor-intoto-multi-dsse.envelope.json", "adf-ed25519.envelope.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(goodEnv))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxEnvelopeBytes: 64 << 10, MaxSignatures: 4}
		e, err := Parse(data, lim)
		if err != nil {
			if e != nil {
				t.Fatal("non-nil envelope with error")
			}
			return
		}
		if e.PayloadType == "" || len(e.Signatures) == 0 || len(e.Signatures) > 4 {
			t.Fatalf("Parse accepted an invalid envelope: %+v", e)
		}
		b, err := e.Marshal()
		if err != nil {
			t.Fatalf("Marshal of parsed envelope: %v", err)
		}
		if _, c, err := ParseCanonical(data, lim, nil); err != nil || !bytes.Equal(c, b) {
			t.Fatalf("ParseCanonical: %v\n%s\nMarshal:\n%s", err, c, b)
		}
		e2, err := Parse(b, Limits{MaxEnvelopeBytes: 1 << 20, MaxSignatures: 4})
		if err != nil {
			t.Fatalf("Parse(Marshal(e)): %v\n%s", err, b)
		}
		if e2.Digest() != e.Digest() {
			t.Fatal("digest changed across Marshal/Parse")
		}
		b2, _ := e2.Marshal()
		if !bytes.Equal(b, b2) {
			t.Fatalf("Marshal not canonical:\n%s\n%s", b, b2)
		}
	})
}

func FuzzParseSigstoreBundle(f *testing.F) {
	for _, name := range []string{"sigstore-go-bundle-publish.bundle.json", "sigstore-go-public-key-validity.bundle.json"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseSigstoreBundle(data)
		if err != nil {
			return
		}
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(b, Limits{MaxEnvelopeBytes: 4 << 20}); err != nil {
			t.Fatalf("envelope from bundle does not re-parse: %v", err)
		}
	})
}
