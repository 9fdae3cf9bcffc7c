package sigscheme

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// RFC 8032 Section 7.1, TEST 1-3 (Ed25519, pure).
var rfc8032Vectors = []struct{ name, seed, pk, msg, sig string }{
	{"TEST 1",
		"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"TEST 2",
		"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		"72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"TEST 3",
		"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
		"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
		"af82",
		"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
}

func TestKATEd25519RFC8032(t *testing.T) {
	for _, v := range rfc8032Vectors {
		t.Run(v.name, func(t *testing.T) {
			sk, err := ParsePrivateKey(Ed25519, mustHex(t, v.seed))
			if err != nil {
				t.Fatal(err)
			}
			if got := sk.Public().Bytes(); !bytes.Equal(got, mustHex(t, v.pk)) {
				t.Fatalf("public key = %x, want %s", got, v.pk)
			}
			msg := mustHex(t, v.msg)
			sig, err := SignRaw(sk, msg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sig, mustHex(t, v.sig)) {
				t.Fatalf("signature = %x, want %s", sig, v.sig)
			}
			pk, err := ParsePublicKey(Ed25519, mustHex(t, v.pk))
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyRaw(pk, msg, sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// NIST ACVP EDDSA-KeyVer-1.0, ED-25519 group (tgId 1, tcId 1-4): which public
// keys are valid point encodings.
func TestKATEd25519KeyVerACVP(t *testing.T) {
	for _, v := range []struct {
		q    string
		pass bool
	}{
		{"5BC0D8831F8D7FB200E32DAF36C54BF2808E69D40BD48BD915DF585B2696C166", false},
		{"CF1BD87814E4113E9CAB4D5B95A4F85EA04BAC9EB70053023B1D201A85225072", true},
		{"EB0E59A5D0EC784B3EFC7E5A86DFBD244789E5B384A652A43DC0968974E83571", true},
		{"FBB4F7945F521A5CB169883477E9DFAFA14767FD4D973D8FD3667C46253F5943", false},
	} {
		_, err := ParsePublicKey(Ed25519, mustHex(t, v.q))
		if (err == nil) != v.pass {
			t.Errorf("%s: err = %v, want pass=%v", v.q, err, v.pass)
		}
		if err != nil && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: error %v does not wrap ErrInvalidKey", v.q, err)
		}
	}
}

func TestKATMLDSA65KeyGenACVP(t *testing.T) {
	var raw struct {
		Tests []struct {
			TcID int    `json:"tcId"`
			Seed string `json:"seed"`
			Pk   string `json:"pk"`
		} `json:"tests"`
	}
	loadJSON(t, "acvp_mldsa_65_keygen_subset.json", &raw)
	if len(raw.Tests) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range raw.Tests {
		sk, err := ParsePrivateKey(MLDSA65, mustHex(t, v.Seed))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sk.Public().Bytes(), mustHex(t, v.Pk)) {
			t.Errorf("tcId %d: public key mismatch", v.TcID)
		}
		if _, err := ParsePublicKey(MLDSA65, mustHex(t, v.Pk)); err != nil {
			t.Errorf("tcId %d: %v", v.TcID, err)
		}
	}
}

type wycheproofMLDSA struct {
	TestGroups []struct {
		PrivateSeed string `json:"privateSeed"`
		PublicKey   string `json:"publicKey"`
		Tests       []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Msg     string   `json:"msg"`
			Ctx     *string  `json:"ctx"`
			Sig     string   `json:"sig"`
			Result  string   `json:"result"`
			Flags   []string `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// Wycheproof ML-DSA-65 deterministic signing from seed, with contexts. Our
// signer is driven through the same ctx path as Sign/SignRaw.
func TestKATMLDSA65SignWycheproof(t *testing.T) {
	var f wycheproofMLDSA
	loadJSON(t, "wycheproof_mldsa_65_sign_seed_subset.json", &f)
	n := 0
	for _, g := range f.TestGroups {
		sk, err := ParsePrivateKey(MLDSA65, mustHex(t, g.PrivateSeed))
		if err != nil {
			t.Fatal(err)
		}
		s := sk.(ctxSigner)
		for _, v := range g.Tests {
			var ctx []byte
			if v.Ctx != nil {
				ctx = mustHex(t, *v.Ctx)
			}
			msg := mustHex(t, v.Msg)
			sig, err := s.signCtx(ctx, msg)
			if v.Result == "invalid" {
				if err == nil {
					t.Errorf("tcId %d (%s): signing succeeded, want error", v.TcID, v.Comment)
				}
				continue
			}
			if err != nil {
				t.Fatalf("tcId %d: %v", v.TcID, err)
			}
			if !bytes.Equal(sig, mustHex(t, v.Sig)) {
				t.Errorf("tcId %d (%s): signature mismatch", v.TcID, v.Comment)
			}
			if len(ctx) == 0 {
				// Empty context is exactly the raw API.
				raw, err := SignRaw(sk, msg)
				if err != nil || !bytes.Equal(raw, sig) {
					t.Errorf("tcId %d: SignRaw differs from KAT", v.TcID)
				}
				if err := VerifyRaw(sk.Public(), msg, sig); err != nil {
					t.Errorf("tcId %d: VerifyRaw: %v", v.TcID, err)
				}
			}
			n++
		}
	}
	if n < 5 {
		t.Fatalf("only %d vectors ran", n)
	}
}

func TestKATMLDSA65VerifyWycheproof(t *testing.T) {
	var f wycheproofMLDSA
	loadJSON(t, "wycheproof_mldsa_65_verify_subset.json", &f)
	n := 0
	for _, g := range f.TestGroups {
		pk, perr := ParsePublicKey(MLDSA65, mustHex(t, g.PublicKey))
		for _, v := range g.Tests {
			n++
			if perr != nil {
				if v.Result == "valid" {
					t.Errorf("tcId %d: public key rejected: %v", v.TcID, perr)
				}
				continue
			}
			var ctx []byte
			if v.Ctx != nil {
				ctx = mustHex(t, *v.Ctx)
			}
			err := pk.(ctxVerifier).verifyCtx(ctx, mustHex(t, v.Msg), mustHex(t, v.Sig))
			if (err == nil) != (v.Result == "valid") {
				t.Errorf("tcId %d (%s): err = %v, want %s", v.TcID, v.Comment, err, v.Result)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d vectors ran", n)
	}
}

type compositeVectors struct {
	M     string `json:"m"`
	Ctx   string `json:"ctx"`
	Tests []struct {
		TcID         string `json:"tcId"`
		Pk           string `json:"pk"`
		Sk           string `json:"sk"`
		S            string `json:"s"`
		SWithContext string `json:"sWithContext"`
	} `json:"tests"`
}

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Test vectors of draft-ietf-lamps-pq-composite-sigs (src/testvectors.json):
// id-MLDSA65-Ed25519-SHA512 and the standalone id-ML-DSA-65 entry.
func TestKATCompositeDraft(t *testing.T) {
	var f compositeVectors
	loadJSON(t, "composite_draft_testvectors_subset.json", &f)
	m, ctx := b64(t, f.M), b64(t, f.Ctx)
	found := map[string]bool{}
	for _, v := range f.Tests {
		var alg Algorithm
		switch v.TcID {
		case "id-MLDSA65-Ed25519-SHA512":
			alg = Composite
		case "id-ML-DSA-65":
			alg = MLDSA65
		default:
			continue
		}
		found[v.TcID] = true
		t.Run(v.TcID, func(t *testing.T) {
			pkb := b64(t, v.Pk)
			pk, err := ParsePublicKey(alg, pkb)
			if err != nil {
				t.Fatal(err)
			}
			sk, err := ParsePrivateKey(alg, b64(t, v.Sk))
			if err != nil {
				t.Fatal(err)
			}
			if !sk.Public().Equal(pk) {
				t.Fatal("private key does not derive the vector's public key")
			}
			if !bytes.Equal(sk.Bytes(), b64(t, v.Sk)) {
				t.Fatal("private key does not round-trip")
			}
			s, sCtx := b64(t, v.S), b64(t, v.SWithContext)
			if err := VerifyRaw(pk, m, s); err != nil {
				t.Fatalf("s (empty ctx): %v", err)
			}
			if err := pk.(ctxVerifier).verifyCtx(ctx, m, sCtx); err != nil {
				t.Fatalf("sWithContext: %v", err)
			}
			// Cross-check: contexts are not interchangeable.
			if VerifyRaw(pk, m, sCtx) == nil {
				t.Fatal("sWithContext verified with empty ctx")
			}
			// Our signatures verify under the vector's key, and since Ed25519
			// is deterministic and M' is fixed, our Ed25519 component must
			// equal the vector's byte for byte (this pins down M').
			ours, err := SignRaw(sk, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyRaw(pk, m, ours); err != nil {
				t.Fatal(err)
			}
			oursCtx, err := sk.(ctxSigner).signCtx(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if alg == Composite {
				if !bytes.Equal(ours[mldsa65SignatureSize:], s[mldsa65SignatureSize:]) {
					t.Error("Ed25519 component over M' (empty ctx) differs from draft vector")
				}
				if !bytes.Equal(oursCtx[mldsa65SignatureSize:], sCtx[mldsa65SignatureSize:]) {
					t.Error("Ed25519 component over M' (with ctx) differs from draft vector")
				}
			}
			t.Logf("ML-DSA component identical to vector (vector signed deterministically): %v",
				bytes.Equal(ours[:mldsa65SignatureSize], s[:mldsa65SignatureSize]))
		})
	}
	if !found["id-MLDSA65-Ed25519-SHA512"] || !found["id-ML-DSA-65"] {
		t.Fatalf("vectors missing: %v", found)
	}
}

// Independent cross-check of the composite construction using circl and
// crypto/ed25519 directly, with M' built by hand from the draft's definition.
func TestCompositeCrossCheck(t *testing.T) {
	sk, err := GenerateKey(Composite, bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	d := Domain{ChainID: "adf-test-1", Purpose: "release"}
	msg := []byte("artifact digest")
	sig, err := sk.Sign(d, msg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, _ := d.Context()
	var mp []byte
	mp = append(mp, []byte("CompositeAlgorithmSignatures2025")...)
	mp = append(mp, mustHex(t, "434f4d505349472d4d4c44534136352d456432353531392d534841353132")...) // "COMPSIG-MLDSA65-Ed25519-SHA512"
	mp = append(mp, byte(len(ctx)))
	mp = append(mp, ctx...)
	ph := sha512Sum(msg)
	mp = append(mp, ph...)

	pkb := sk.Public().Bytes()
	var mlpk mldsa65.PublicKey
	if err := mlpk.UnmarshalBinary(pkb[:1952]); err != nil {
		t.Fatal(err)
	}
	if !mldsa65.Verify(&mlpk, mp, []byte("COMPSIG-MLDSA65-Ed25519-SHA512"), sig[:3309]) {
		t.Error("ML-DSA component does not verify over M' with the Label as ML-DSA context")
	}
	if !ed25519.Verify(ed25519.PublicKey(pkb[1952:]), mp, sig[3309:]) {
		t.Error("Ed25519 component does not verify over M'")
	}
}

// RFC 8032 Section 7.2 (Ed25519ctx, context "foo"), the construction used for
// Ed25519 domain signatures.
func TestKATEd25519ctxRFC8032(t *testing.T) {
	sk, err := ParsePrivateKey(Ed25519, mustHex(t, "0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sk.Public().Bytes(); !bytes.Equal(got, mustHex(t, "dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292")) {
		t.Fatalf("public key = %x", got)
	}
	msg := mustHex(t, "f726936d19c800494e3fdaff20b276a8")
	sig, err := sk.(ctxSigner).signCtx([]byte("foo"), msg)
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex(t, "55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d")
	if !bytes.Equal(sig, want) {
		t.Fatalf("signature = %x", sig)
	}
	if err := sk.Public().(ctxVerifier).verifyCtx([]byte("foo"), msg, sig); err != nil {
		t.Fatal(err)
	}
	if err := VerifyRaw(sk.Public(), msg, sig); err == nil {
		t.Fatal("Ed25519ctx signature verified as pure Ed25519")
	}
}
