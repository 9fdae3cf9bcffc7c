package dsse

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testKey returns a deterministic key: seed bytes i, i+1, ...
func testKey(t testing.TB, alg sigscheme.Algorithm, i byte) sigscheme.PrivateKey {
	t.Helper()
	seed := make([]byte, alg.PrivateKeySize())
	for j := range seed {
		seed[j] = i + byte(j)
	}
	sk, err := sigscheme.ParsePrivateKey(alg, seed)
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// TestPAEKnownAnswer checks PAE against the DSSE protocol.md test vector
// ("DSSEv1 29 http://example.com/HelloWorld 11 hello world") and hand-checked
// edge cases.
func TestPAEKnownAnswer(t *testing.T) {
	for _, tc := range []struct {
		typ, body, want string
	}{
		{"http://example.com/HelloWorld", "hello world", "DSSEv1 29 http://example.com/HelloWorld 11 hello world"},
		{"", "", "DSSEv1 0  0 "},
		{"a", "", "DSSEv1 1 a 0 "},
		// lengths are bytes, not runes: "é" is 2 bytes; body contains spaces and a newline
		{"é", "x y\n", "DSSEv1 2 é 4 x y\n"},
		{PayloadTypeInToto, "{}", "DSSEv1 28 application/vnd.in-toto+json 2 {}"},
	} {
		if got := string(PAE(tc.typ, []byte(tc.body))); got != tc.want {
			t.Errorf("PAE(%q, %q) = %q, want %q", tc.typ, tc.body, got, tc.want)
		}
	}
	// 10-byte boundary: "DSSEv1 10 ..." (no leading zeros, two digits).
	if got := string(PAE("0123456789", []byte("0123456789"))); got != "DSSEv1 10 0123456789 10 0123456789" {
		t.Errorf("PAE 10/10 = %q", got)
	}
}

// The DSSE spec test vector (protocol.md "Test Vectors"): an ECDSA P-256
// signature (raw r||s) over PAE. If our PAE differed in a single byte, the
// published signature would not verify.
func TestSpecTestVectorSignatureOverPAE(t *testing.T) {
	e, err := Parse(readFixture(t, "dsse-spec-test-vector.envelope.json"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if e.PayloadType != "http://example.com/HelloWorld" || string(e.Payload) != "hello world" {
		t.Fatalf("parsed %q %q", e.PayloadType, e.Payload)
	}
	if len(e.Signatures) != 1 || e.Signatures[0].KeyID != "" || len(e.Signatures[0].Sig) != 64 {
		t.Fatalf("signatures: %+v", e.Signatures)
	}
	x, _ := new(big.Int).SetString("46950820868899156662930047687818585632848591499744589407958293238635476079160", 10)
	y, _ := new(big.Int).SetString("5640078356564379163099075877009565129882514886557779369047442380624545832820", 10)
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	h := sha256.Sum256(PAE(e.PayloadType, e.Payload))
	sig := e.Signatures[0].Sig
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, h[:], r, s) {
		t.Fatal("spec test vector signature does not verify over our PAE")
	}
	h2 := sha256.Sum256(PAE(e.PayloadType, []byte("hello worle")))
	if ecdsa.Verify(pub, h2[:], r, s) {
		t.Fatal("ECDSA check is vacuous")
	}
}

// Rekor's test envelope: ECDSA P-256 (DER) over PAE, key in a PEM file.
func TestRekorEnvelopeSignatureOverPAE(t *testing.T) {
	e, err := Parse(readFixture(t, "rekor-intoto-dsse.envelope.json"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(readFixture(t, "rekor-intoto-dsse.pem"))
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(PAE(e.PayloadType, e.Payload))
	if !ecdsa.VerifyASN1(k.(*ecdsa.PublicKey), h[:], e.Signatures[0].Sig) {
		t.Fatal("rekor envelope signature does not verify over our PAE")
	}
}

func newTestEnvelope() *Envelope {
	return &Envelope{PayloadType: PayloadTypeInToto, Payload: []byte(`{"_type":"https://in-toto.io/Statement/v1"}`)}
}

func TestSignVerifyRoundTripAllAlgorithms(t *testing.T) {
	for i, alg := range sigscheme.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			sk := testKey(t, alg, byte(10*i))
			e := newTestEnvelope()
			if err := Sign(e, "adf1signer", sk, "adf-test-1"); err != nil {
				t.Fatal(err)
			}
			if len(e.Signatures) != 1 || len(e.Signatures[0].Sig) != alg.SignatureSize() {
				t.Fatalf("signature: %+v", e.Signatures)
			}
			if err := Verify(e, "adf1signer", sk.Public(), "adf-test-1"); err != nil {
				t.Fatalf("verify: %v", err)
			}
			// Through JSON and back.
			b, err := e.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			e2, err := Parse(b, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(e2, "adf1signer", sk.Public(), "adf-test-1"); err != nil {
				t.Fatalf("verify after JSON round trip: %v", err)
			}
			// The signature is over PAE under the "dsse" domain, nothing else.
			if err := sk.Public().Verify(Domain("adf-test-1"), PAE(e.PayloadType, e.Payload), e.Signatures[0].Sig); err != nil {
				t.Fatalf("not a domain signature over PAE: %v", err)
			}
			if err := sigscheme.VerifyRaw(sk.Public(), PAE(e.PayloadType, e.Payload), e.Signatures[0].Sig); err == nil {
				t.Fatal("DSSE signature verifies without domain")
			}
			if err := sk.Public().Verify(sigscheme.Domain{ChainID: "adf-test-1", Purpose: "tx"}, PAE(e.PayloadType, e.Payload), e.Signatures[0].Sig); err == nil {
				t.Fatal("DSSE signature verifies for another purpose")
			}
		})
	}
}

func TestVerifyTamper(t *testing.T) {
	for i, alg := range sigscheme.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			sk := testKey(t, alg, byte(7*i+1))
			pk := sk.Public()
			base := newTestEnvelope()
			if err := Sign(base, "k1", sk, "chain-a"); err != nil {
				t.Fatal(err)
			}
			clone := func() *Envelope {
				e := &Envelope{PayloadType: base.PayloadType, Payload: append([]byte(nil), base.Payload...)}
				for _, s := range base.Signatures {
					e.Signatures = append(e.Signatures, Signature{s.KeyID, append([]byte(nil), s.Sig...)})
				}
				return e
			}
			cases := []struct {
				name    string
				mut     func(*Envelope)
				keyID   string
				chainID string
				want    error
			}{
				{"payload", func(e *Envelope) { e.Payload[3] ^= 1 }, "k1", "chain-a", ErrBadSignature},
				{"payload appended", func(e *Envelope) { e.Payload = append(e.Payload, ' ') }, "k1", "chain-a", ErrBadSignature},
				{"payloadType", func(e *Envelope) { e.PayloadType = "application/json" }, "k1", "chain-a", ErrBadSignature},
				{"sig first byte", func(e *Envelope) { e.Signatures[0].Sig[0] ^= 0x80 }, "k1", "chain-a", ErrBadSignature},
				{"sig last byte", func(e *Envelope) { s := e.Signatures[0].Sig; s[len(s)-1] ^= 1 }, "k1", "chain-a", ErrBadSignature},
				{"sig truncated", func(e *Envelope) { e.Signatures[0].Sig = e.Signatures[0].Sig[:len(e.Signatures[0].Sig)-1] }, "k1", "chain-a", ErrWrongAlgorithm},
				{"keyid changed", func(e *Envelope) { e.Signatures[0].KeyID = "k2" }, "k1", "chain-a", ErrNoSignature},
				{"verify other keyid", func(e *Envelope) {}, "k2", "chain-a", ErrNoSignature},
				{"other chain", func(e *Envelope) {}, "k1", "chain-b", ErrBadSignature},
				{"empty chain", func(e *Envelope) {}, "k1", "", ErrBadSignature},
				{"no signatures", func(e *Envelope) { e.Signatures = nil }, "k1", "chain-a", ErrNoSignature},
			}
			for _, tc := range cases {
				e := clone()
				tc.mut(e)
				err := Verify(e, tc.keyID, pk, tc.chainID)
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
				}
			}
			// Sanity: the unmodified clone verifies.
			if err := Verify(clone(), "k1", pk, "chain-a"); err != nil {
				t.Fatal(err)
			}
			// Wrong key of the same algorithm.
			other := testKey(t, alg, 200)
			if err := Verify(clone(), "k1", other.Public(), "chain-a"); !errors.Is(err, ErrBadSignature) || !errors.Is(err, sigscheme.ErrInvalidSignature) {
				t.Errorf("wrong key: %v", err)
			}
		})
	}
}

func TestVerifyWrongAlgorithm(t *testing.T) {
	ed := testKey(t, sigscheme.Ed25519, 1)
	comp := testKey(t, sigscheme.Composite, 2)
	e := newTestEnvelope()
	if err := Sign(e, "k", ed, "c"); err != nil {
		t.Fatal(err)
	}
	err := Verify(e, "k", comp.Public(), "c")
	if !errors.Is(err, ErrWrongAlgorithm) || !errors.Is(err, sigscheme.ErrSignatureSize) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "ed25519") || !strings.Contains(err.Error(), "composite") {
		t.Errorf("error should name both algorithms: %v", err)
	}
	// A composite signature whose ML-DSA half is valid but Ed25519 half is
	// replaced must fail (both components are required).
	e2 := newTestEnvelope()
	if err := Sign(e2, "k", comp, "c"); err != nil {
		t.Fatal(err)
	}
	e3 := newTestEnvelope()
	if err := Sign(e3, "k", testKey(t, sigscheme.Composite, 3), "c"); err != nil {
		t.Fatal(err)
	}
	sig := e2.Signatures[0].Sig
	copy(sig[len(sig)-64:], e3.Signatures[0].Sig[len(sig)-64:])
	if err := Verify(e2, "k", comp.Public(), "c"); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("mixed composite: %v", err)
	}
}

func TestVerifyMultipleSignatures(t *testing.T) {
	a := testKey(t, sigscheme.Ed25519, 1)
	b := testKey(t, sigscheme.MLDSA65, 2)
	c := testKey(t, sigscheme.Composite, 3)
	e := newTestEnvelope()
	for _, s := range []struct {
		id string
		k  sigscheme.PrivateKey
	}{{"a", a}, {"b", b}, {"c", c}} {
		if err := Sign(e, s.id, s.k, "chain"); err != nil {
			t.Fatal(err)
		}
	}
	if err := Sign(e, "b", b, "chain"); err == nil {
		t.Fatal("Sign accepted a duplicate keyid")
	}
	for _, s := range []struct {
		id string
		k  sigscheme.PrivateKey
	}{{"a", a}, {"b", b}, {"c", c}} {
		if err := Verify(e, s.id, s.k.Public(), "chain"); err != nil {
			t.Errorf("%s: %v", s.id, err)
		}
	}
	// Keys are bound to their keyid: a's key does not verify b's slot.
	if err := Verify(e, "b", a.Public(), "chain"); err == nil {
		t.Fatal("a verified b's signature")
	}
	// Digest does not depend on the signature set.
	d := e.Digest()
	e.Signatures = e.Signatures[:1]
	if e.Digest() != d {
		t.Fatal("digest depends on signatures")
	}
}

func TestSignErrors(t *testing.T) {
	sk := testKey(t, sigscheme.Ed25519, 1)
	if err := Sign(&Envelope{Payload: []byte("x")}, "k", sk, "c"); !errors.Is(err, ErrInvalidEnvelope) {
		t.Errorf("empty payloadType: %v", err)
	}
	if err := Sign(newTestEnvelope(), "k", sk, "bad|chain"); !errors.Is(err, sigscheme.ErrInvalidDomain) {
		t.Errorf("bad chain id: %v", err)
	}
	if err := Sign(nil, "k", sk, "c"); err == nil {
		t.Error("nil envelope")
	}
	if err := Verify(newTestEnvelope(), "k", sk.Public(), "bad|chain"); !errors.Is(err, sigscheme.ErrInvalidDomain) {
		t.Errorf("verify bad chain id: %v", err)
	}
}

func TestDigestCanonical(t *testing.T) {
	e, err := Parse(readFixture(t, "rekor-intoto-multi-dsse.envelope.json"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(PAE(e.PayloadType, e.Payload))
	if e.Digest() != want {
		t.Fatal("Digest != SHA-256(PAE)")
	}
	// Re-serialised canonically, reordered signatures, extra whitespace:
	// same digest.
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	e2, err := Parse(b, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	e2.Signatures[0], e2.Signatures[1] = e2.Signatures[1], e2.Signatures[0]
	b2, _ := e2.Marshal()
	e3, err := Parse([]byte("\n  "+strings.ReplaceAll(string(b2), ",", " ,\n ")+"  \n"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Digest() != want || e3.Digest() != want {
		t.Fatal("digest changed under re-serialisation")
	}
	// But any change to the signed content changes it.
	e3.PayloadType += "x"
	if e3.Digest() == want {
		t.Fatal("digest ignores payloadType")
	}
	// Fixed known answer for the DSSE spec test vector.
	sv, err := Parse(readFixture(t, "dsse-spec-test-vector.envelope.json"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	d := sv.Digest()
	if got := hex.EncodeToString(d[:]); got != "217751fac2c4f14edb2c9297fbc34abcb016ba88e74757e875ec4ac16fb6b6a1" {
		t.Fatalf("spec vector digest %s", got)
	}
}

func TestMarshalCanonical(t *testing.T) {
	e := &Envelope{PayloadType: "a<b>&c", Payload: []byte{0xfb, 0xff}, Signatures: []Signature{{Sig: []byte{1, 2, 3}}}}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"payloadType":"a<b>&c","payload":"+/8=","signatures":[{"keyid":"","sig":"AQID"}]}`
	if string(b) != want {
		t.Fatalf("Marshal = %s\nwant      %s", b, want)
	}
	e2, err := Parse(b, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := e2.Marshal()
	if !bytes.Equal(b, b2) {
		t.Fatal("Marshal(Parse(Marshal(e))) != Marshal(e)")
	}
	if _, err := (&Envelope{PayloadType: "\xff"}).Marshal(); err == nil {
		t.Fatal("Marshal accepted invalid UTF-8")
	}
	b3, _ := (&Envelope{PayloadType: "t"}).Marshal()
	if string(b3) != `{"payloadType":"t","payload":"","signatures":[]}` {
		t.Fatalf("empty envelope: %s", b3)
	}
}

// TestGoldenADFEnvelope pins the exact bytes of an ADF Ed25519 DSSE
// signature (sigscheme signing is deterministic), so any change to PAE, the
// domain or the JSON encoding is caught. Regenerate with -update.
func TestGoldenADFEnvelope(t *testing.T) {
	sk := testKey(t, sigscheme.Ed25519, 0x42)
	e := &Envelope{PayloadType: PayloadTypeInToto, Payload: []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"` + strings.Repeat("ab", 32) + `"}}],"predicateType":"https://example.com/p"}`)}
	if err := Sign(e, "adf1golden", sk, "adf-golden-1"); err != nil {
		t.Fatal(err)
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", "adf-ed25519.envelope.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readFixture(t, "adf-ed25519.envelope.json")
	if !bytes.Equal(b, want) {
		t.Fatalf("golden envelope changed:\n got %s\nwant %s", b, want)
	}
	g, err := Parse(want, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(g, "adf1golden", sk.Public(), "adf-golden-1"); err != nil {
		t.Fatal(err)
	}
}
