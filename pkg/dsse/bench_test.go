package dsse

import (
	"testing"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

func BenchmarkParseEnvelope(b *testing.B) {
	data := readFixture(b, "rekor-intoto-multi-dsse.envelope.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyComposite: DSSE verification of a composite
// (ML-DSA-65 + Ed25519) signature over a ~1 KiB in-toto payload, including
// PAE construction.
func BenchmarkVerifyComposite(b *testing.B) {
	sk := testKey(b, sigscheme.Composite, 9)
	payload := make([]byte, 1024)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	e := &Envelope{PayloadType: PayloadTypeInToto, Payload: payload}
	if err := Sign(e, "adf1bench", sk, "adf-bench"); err != nil {
		b.Fatal(err)
	}
	pk := sk.Public()
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(e, "adf1bench", pk, "adf-bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndVerifyComposite: what the batcher does per submission.
func BenchmarkParseAndVerifyComposite(b *testing.B) {
	sk := testKey(b, sigscheme.Composite, 9)
	e := &Envelope{PayloadType: PayloadTypeInToto, Payload: make([]byte, 1024)}
	if err := Sign(e, "adf1bench", sk, "adf-bench"); err != nil {
		b.Fatal(err)
	}
	data, err := e.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	pk := sk.Public()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		e, err := Parse(data, DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		if err := Verify(e, "adf1bench", pk, "adf-bench"); err != nil {
			b.Fatal(err)
		}
	}
}
