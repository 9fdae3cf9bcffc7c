package sigscheme

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var testDomain = Domain{ChainID: "adf-devnet-1", Purpose: "release-attestation"}

func testKey(t testing.TB, alg Algorithm, fill byte) PrivateKey {
	t.Helper()
	sk, err := GenerateKey(alg, bytes.NewReader(bytes.Repeat([]byte{fill}, alg.PrivateKeySize())))
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

func TestSizes(t *testing.T) {
	want := map[Algorithm][3]int{
		Ed25519:   {32, 64, 32},
		MLDSA65:   {1952, 3309, 32},
		Composite: {1952 + 32, 3309 + 64, 64},
	}
	if got := Algorithms(); len(got) != 3 || got[0] != Ed25519 || got[1] != MLDSA65 || got[2] != Composite {
		t.Fatalf("Algorithms() = %v", got)
	}
	for alg, w := range want {
		if alg.PublicKeySize() != w[0] || alg.SignatureSize() != w[1] || alg.PrivateKeySize() != w[2] {
			t.Errorf("%s sizes = %d/%d/%d, want %v", alg, alg.PublicKeySize(), alg.SignatureSize(), alg.PrivateKeySize(), w)
		}
		sk := testKey(t, alg, 1)
		sig, err := sk.Sign(testDomain, []byte("m"))
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != w[1] || len(sk.Public().Bytes()) != w[0] || len(sk.Bytes()) != w[2] {
			t.Errorf("%s: actual sizes pk=%d sig=%d sk=%d", alg, len(sk.Public().Bytes()), len(sig), len(sk.Bytes()))
		}
	}
	if Algorithm("rsa").PublicKeySize() != 0 || Algorithm("rsa").SignatureSize() != 0 {
		t.Error("unknown algorithm has non-zero size")
	}
}

func TestParseAlgorithm(t *testing.T) {
	for _, a := range Algorithms() {
		got, err := ParseAlgorithm(string(a))
		if err != nil || got != a {
			t.Errorf("ParseAlgorithm(%q) = %q, %v", a, got, err)
		}
	}
	for _, bad := range []string{"", "ED25519", "ml-dsa-65", "mldsa65", "composite ", "secp256k1"} {
		_, err := ParseAlgorithm(bad)
		if !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("ParseAlgorithm(%q) err = %v", bad, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, `"`+bad+`"`) || !strings.Contains(msg, "ed25519, ml_dsa_65, composite") {
			t.Errorf("error %q should name the bad value and list valid ones", msg)
		}
	}
	if _, err := GenerateKey("rsa", nil); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("GenerateKey(rsa) err = %v", err)
	}
	if _, err := ParsePublicKey("rsa", make([]byte, 32)); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("ParsePublicKey(rsa) err = %v", err)
	}
	if _, err := ParsePrivateKey("rsa", make([]byte, 32)); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("ParsePrivateKey(rsa) err = %v", err)
	}
}

func TestDomainContext(t *testing.T) {
	ctx, err := Domain{ChainID: "adf-1", Purpose: "vote"}.Context()
	if err != nil || string(ctx) != "adf/v1|adf-1|vote" {
		t.Fatalf("Context() = %q, %v", ctx, err)
	}
	ctx, err = Domain{Purpose: "offline"}.Context()
	if err != nil || string(ctx) != "adf/v1||offline" {
		t.Fatalf("Context() = %q, %v", ctx, err)
	}
	maxPurpose := strings.Repeat("p", 255-len("adf/v1|c|"))
	if ctx, err := (Domain{ChainID: "c", Purpose: maxPurpose}).Context(); err != nil || len(ctx) != 255 {
		t.Fatalf("255-byte context: len %d, %v", len(ctx), err)
	}
	for _, d := range []Domain{
		{ChainID: "adf-1"},
		{ChainID: "a|b", Purpose: "p"},
		{ChainID: "a", Purpose: "p|q"},
		{ChainID: "c", Purpose: maxPurpose + "p"},
	} {
		if _, err := d.Context(); !errors.Is(err, ErrInvalidDomain) {
			t.Errorf("%+v: err = %v, want ErrInvalidDomain", d, err)
		}
		for _, alg := range Algorithms() {
			sk := testKey(t, alg, 2)
			if _, err := sk.Sign(d, []byte("m")); !errors.Is(err, ErrInvalidDomain) {
				t.Errorf("%s Sign(%+v) err = %v", alg, d, err)
			}
			if err := sk.Public().Verify(d, []byte("m"), make([]byte, alg.SignatureSize())); !errors.Is(err, ErrInvalidDomain) {
				t.Errorf("%s Verify(%+v) err = %v", alg, d, err)
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, alg := range Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			sk, err := GenerateKey(alg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sk.Algorithm() != alg || sk.Public().Algorithm() != alg {
				t.Fatal("wrong algorithm")
			}
			msg := []byte("sha256:0f1e2d... release v1.2.3")
			sig, err := sk.Sign(testDomain, msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := sk.Public().Verify(testDomain, msg, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			// Deterministic.
			sig2, _ := sk.Sign(testDomain, msg)
			if !bytes.Equal(sig, sig2) {
				t.Error("Sign is not deterministic")
			}
			// Keys round-trip through bytes and text.
			sk2, err := ParsePrivateKey(alg, sk.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !sk2.Public().Equal(sk.Public()) {
				t.Fatal("private key round trip changed public key")
			}
			if sig3, _ := sk2.Sign(testDomain, msg); !bytes.Equal(sig3, sig) {
				t.Error("re-parsed private key signs differently")
			}
			pk, err := ParsePublicKey(alg, sk.Public().Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !pk.Equal(sk.Public()) || !sk.Public().Equal(pk) {
				t.Fatal("public key round trip not Equal")
			}
			if err := pk.Verify(testDomain, msg, sig); err != nil {
				t.Fatal(err)
			}
			txt := FormatPublicKey(pk)
			if !strings.HasPrefix(txt, string(alg)+":") {
				t.Fatalf("text form %q", txt[:20])
			}
			pk3, err := ParsePublicKeyText(txt)
			if err != nil || !pk3.Equal(pk) {
				t.Fatalf("ParsePublicKeyText: %v", err)
			}
			// Raw round trip, and raw/domain separation.
			raw, err := SignRaw(sk, msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyRaw(pk, msg, raw); err != nil {
				t.Fatalf("VerifyRaw: %v", err)
			}
			if err := VerifyRaw(pk, msg, sig); !errors.Is(err, ErrInvalidSignature) {
				t.Errorf("domain signature verified raw: %v", err)
			}
			if err := pk.Verify(testDomain, msg, raw); !errors.Is(err, ErrInvalidSignature) {
				t.Errorf("raw signature verified under domain: %v", err)
			}
			// Returned slices are copies.
			b := pk.Bytes()
			b[0] ^= 0xff
			if !pk.Equal(sk.Public()) {
				t.Error("Bytes() aliases internal state")
			}
			// Different keys are not Equal, nor across algorithms.
			if pk.Equal(testKey(t, alg, 9).Public()) {
				t.Error("different keys Equal")
			}
			for _, other := range Algorithms() {
				if other != alg && pk.Equal(testKey(t, other, 9).Public()) {
					t.Error("keys of different algorithms Equal")
				}
			}
			if pk.Equal(nil) {
				t.Error("Equal(nil)")
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

func TestTamper(t *testing.T) {
	msg := []byte("payload")
	for _, alg := range Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			sk := testKey(t, alg, 3)
			pk := sk.Public()
			sig, _ := sk.Sign(testDomain, msg)
			expectInvalid := func(name string, pk PublicKey, d Domain, m, s []byte) {
				t.Helper()
				err := pk.Verify(d, m, s)
				if !errors.Is(err, ErrInvalidSignature) {
					t.Errorf("%s: err = %v, want ErrInvalidSignature", name, err)
				}
			}
			for _, i := range []int{0, len(msg) - 1} {
				expectInvalid("msg bit flip", pk, testDomain, flip(msg, i), sig)
			}
			expectInvalid("msg appended", pk, testDomain, append(append([]byte(nil), msg...), 0), sig)
			expectInvalid("empty msg", pk, testDomain, nil, sig)
			for _, i := range []int{0, len(sig) / 2, len(sig) - 1} {
				expectInvalid("sig bit flip", pk, testDomain, msg, flip(sig, i))
			}
			if alg == Composite {
				// Each half independently.
				for _, i := range []int{0, 1000, mldsa65SignatureSize - 1} {
					err := pk.Verify(testDomain, msg, flip(sig, i))
					if !errors.Is(err, ErrInvalidSignature) || !strings.Contains(err.Error(), "ML-DSA-65 component") {
						t.Errorf("ML-DSA half flip %d: %v", i, err)
					}
				}
				for _, i := range []int{mldsa65SignatureSize, mldsa65SignatureSize + 40, len(sig) - 1} {
					err := pk.Verify(testDomain, msg, flip(sig, i))
					if !errors.Is(err, ErrInvalidSignature) || !strings.Contains(err.Error(), "Ed25519 component") {
						t.Errorf("Ed25519 half flip %d: %v", i, err)
					}
				}
				// Mix-and-match halves from a signature over another message.
				other, _ := sk.Sign(testDomain, []byte("other"))
				mixed := append(append([]byte(nil), sig[:mldsa65SignatureSize]...), other[mldsa65SignatureSize:]...)
				expectInvalid("mixed halves", pk, testDomain, msg, mixed)
				mixed = append(append([]byte(nil), other[:mldsa65SignatureSize]...), sig[mldsa65SignatureSize:]...)
				expectInvalid("mixed halves 2", pk, testDomain, msg, mixed)
				// Component signatures do not verify standalone (label binding):
				// the ML-DSA half is not an ML-DSA-65 domain signature.
				mlpk, _ := ParsePublicKey(MLDSA65, pk.Bytes()[:mldsa65PublicKeySize])
				if mlpk.Verify(testDomain, msg, sig[:mldsa65SignatureSize]) == nil || VerifyRaw(mlpk, msg, sig[:mldsa65SignatureSize]) == nil {
					t.Error("composite ML-DSA half verified as standalone ML-DSA-65")
				}
				edpk, _ := ParsePublicKey(Ed25519, pk.Bytes()[mldsa65PublicKeySize:])
				if edpk.Verify(testDomain, msg, sig[mldsa65SignatureSize:]) == nil || VerifyRaw(edpk, msg, sig[mldsa65SignatureSize:]) == nil {
					t.Error("composite Ed25519 half verified as standalone Ed25519")
				}
			}
			// Tampered key: flip a bit in the key (each half for composite).
			pkb := pk.Bytes()
			idx := []int{0, len(pkb) - 1}
			if alg == Composite {
				idx = []int{0, mldsa65PublicKeySize - 1, mldsa65PublicKeySize, len(pkb) - 1}
			}
			for _, i := range idx {
				tpk, err := ParsePublicKey(alg, flip(pkb, i))
				if err != nil {
					if !errors.Is(err, ErrInvalidKey) {
						t.Errorf("key flip %d: parse error %v", i, err)
					}
					continue // not even a valid key: fine
				}
				expectInvalid("key bit flip", tpk, testDomain, msg, sig)
			}
			// Another key of the same algorithm.
			expectInvalid("other key", testKey(t, alg, 4).Public(), testDomain, msg, sig)
		})
	}
}

func TestCrossDomain(t *testing.T) {
	msg := []byte("payload")
	others := []Domain{
		{ChainID: "adf-devnet-2", Purpose: testDomain.Purpose},
		{ChainID: testDomain.ChainID, Purpose: "vote"},
		{ChainID: "", Purpose: testDomain.Purpose},
		{ChainID: testDomain.ChainID + "|x", Purpose: "y"}, // invalid domain
		{ChainID: "adf-devnet-1" + "|release", Purpose: "attestation"},
		{ChainID: "adf-devnet-", Purpose: "1|release-attestation"},
	}
	for _, alg := range Algorithms() {
		sk := testKey(t, alg, 5)
		sig, _ := sk.Sign(testDomain, msg)
		for _, d := range others {
			if err := sk.Public().Verify(d, msg, sig); err == nil {
				t.Errorf("%s: signature for %+v verified for %+v", alg, testDomain, d)
			}
		}
	}
}

func TestWrongSizes(t *testing.T) {
	for _, alg := range Algorithms() {
		sk := testKey(t, alg, 6)
		pk := sk.Public()
		sig, _ := sk.Sign(testDomain, []byte("m"))
		for _, n := range []int{0, 1, alg.SignatureSize() - 1, alg.SignatureSize() + 1, 64, 3309} {
			if n == alg.SignatureSize() {
				continue
			}
			s := make([]byte, n)
			copy(s, sig)
			err := pk.Verify(testDomain, []byte("m"), s)
			if !errors.Is(err, ErrSignatureSize) || !strings.Contains(err.Error(), string(alg)) {
				t.Errorf("%s sig len %d: err = %v", alg, n, err)
			}
			if err := VerifyRaw(pk, []byte("m"), s); !errors.Is(err, ErrSignatureSize) {
				t.Errorf("%s raw sig len %d: err = %v", alg, n, err)
			}
		}
		pkb := pk.Bytes()
		for _, n := range []int{0, 31, 33, alg.PublicKeySize() - 1, alg.PublicKeySize() + 1} {
			b := make([]byte, n)
			copy(b, pkb)
			_, err := ParsePublicKey(alg, b)
			if !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), "want") {
				t.Errorf("%s pk len %d: err = %v", alg, n, err)
			}
		}
		for _, n := range []int{0, 31, 33, 63, 65, 4032} {
			if n == alg.PrivateKeySize() {
				continue
			}
			if _, err := ParsePrivateKey(alg, make([]byte, n)); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("%s sk len %d: err = %v", alg, n, err)
			}
		}
	}
	// A key of one algorithm is not accepted as another.
	edpk := testKey(t, Ed25519, 1).Public().Bytes()
	if _, err := ParsePublicKey(MLDSA65, edpk); err == nil {
		t.Error("ed25519 key parsed as ml_dsa_65")
	}
	// Short reader in GenerateKey.
	if _, err := GenerateKey(Composite, bytes.NewReader(make([]byte, 40))); err == nil {
		t.Error("GenerateKey succeeded with short entropy")
	}
}

func TestInvalidEd25519Points(t *testing.T) {
	// y = p (non-canonical encoding of y = 0).
	nonCanon := mustHex(t, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	// y = 1, x = 0 with the sign bit set ("-0").
	negZero := mustHex(t, "0100000000000000000000000000000000000000000000000000000000000080")
	for _, b := range [][]byte{nonCanon, negZero} {
		if _, err := ParsePublicKey(Ed25519, b); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%x: err = %v", b, err)
		}
	}
	// The identity (y = 1) is on the curve and canonical.
	if _, err := ParsePublicKey(Ed25519, mustHex(t, "0100000000000000000000000000000000000000000000000000000000000000")); err != nil {
		t.Errorf("identity rejected: %v", err)
	}
	// Composite with a bad Ed25519 half is rejected.
	pk := testKey(t, Composite, 1).Public().Bytes()
	copy(pk[mldsa65PublicKeySize:], nonCanon)
	if _, err := ParsePublicKey(Composite, pk); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), "Ed25519 component") {
		t.Errorf("composite with bad ed25519 half: %v", err)
	}
}

func TestParsePublicKeyText(t *testing.T) {
	pk := testKey(t, Ed25519, 0)
	// RFC 8032 TEST 1 public key.
	sk, _ := ParsePrivateKey(Ed25519, mustHex(t, rfc8032Vectors[0].seed))
	if got := FormatPublicKey(sk.Public()); got != "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" {
		t.Errorf("FormatPublicKey = %s", got)
	}
	good := FormatPublicKey(pk.Public())
	for _, bad := range []string{
		"",
		"ed25519",
		"ed25519:",
		"rsa:" + good[len("ed25519:"):],
		"ED25519:" + good[len("ed25519:"):],
		"ml_dsa_65:" + good[len("ed25519:"):],
		good + "=",
		good[:len(good)-1],
		" " + good,
		good + "\n",
		strings.Replace(good, "ed25519:", "ed25519: ", 1),
		strings.ReplaceAll(strings.ReplaceAll(good, "+", "-"), "/", "_") + "x",
	} {
		if _, err := ParsePublicKeyText(bad); err == nil {
			t.Errorf("ParsePublicKeyText(%q) succeeded", bad)
		}
	}
	if _, err := ParsePublicKeyText("secp256k1:AAAA"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown algorithm text: %v", err)
	}
}

type foreignKey struct{}

func (foreignKey) Algorithm() Algorithm                { return Ed25519 }
func (foreignKey) Bytes() []byte                       { return make([]byte, 32) }
func (foreignKey) Verify(Domain, []byte, []byte) error { return nil }
func (foreignKey) Equal(PublicKey) bool                { return false }
func (foreignKey) Public() PublicKey                   { return foreignKey{} }
func (foreignKey) Sign(Domain, []byte) ([]byte, error) { return nil, nil }

func TestForeignKeyTypes(t *testing.T) {
	if err := VerifyRaw(foreignKey{}, nil, make([]byte, 64)); err == nil {
		t.Error("VerifyRaw accepted a foreign PublicKey implementation")
	}
	if _, err := SignRaw(foreignKey{}, nil); err == nil {
		t.Error("SignRaw accepted a foreign PrivateKey implementation")
	}
}
