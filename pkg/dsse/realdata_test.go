package dsse

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir is the project's shared real-data folder; tests using it skip
// when it is absent (a user's clone has no ../shared).
var sharedDir = filepath.Join("..", "..", "..", "shared", "data", "attestations")

func shared(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedDir, "README.md")); err != nil {
		t.Skipf("shared attestation data not present (%s): %v", sharedDir, err)
	}
	return sharedDir
}

// TestSharedFilesMatchSOURCES checks every file we read against the sha256
// recorded in SOURCES.json, so the expectations below refer to known bytes.
func TestSharedFilesMatchSOURCES(t *testing.T) {
	dir := shared(t)
	var sources []struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "SOURCES.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sources); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range sources {
		data, err := os.ReadFile(filepath.Join(dir, s.File))
		if err != nil {
			t.Errorf("%s: %v", s.File, err)
			continue
		}
		h := sha256.Sum256(data)
		if hex.EncodeToString(h[:]) != s.SHA256 {
			t.Errorf("%s: sha256 %x, SOURCES.json says %s", s.File, h, s.SHA256)
		}
		n++
	}
	if n < 50 {
		t.Errorf("only %d files checked", n)
	}
}

// TestSharedEnvelopesParse parses every DSSE envelope and every DSSE
// Sigstore bundle, and checks each signature the data README says verifies
// (with the key it names) over our PAE, using the standard library's ECDSA
// and RSA. This proves Parse and PAE agree with the producers of real data.
// Signatures the README says do not verify must not verify.
func TestSharedEnvelopesParse(t *testing.T) {
	dir := shared(t)
	key := func(name string) crypto.PublicKey {
		b, err := os.ReadFile(filepath.Join(dir, "keys", name))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	specKey := func() crypto.PublicKey {
		x, _ := new(big.Int).SetString("46950820868899156662930047687818585632848591499744589407958293238635476079160", 10)
		y, _ := new(big.Int).SetString("5640078356564379163099075877009565129882514886557779369047442380624545832820", 10)
		return &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	}
	const leaf = "<leaf>"
	type want struct {
		nsigs  int
		keys   []any // per signature: key file name, leaf, crypto.PublicKey, or nil (unverifiable / must not verify)
		verify []bool
	}
	envelopes := map[string]want{
		"dsse-spec__protocol.md__test-vector-envelope.json": {1, []any{specKey()}, []bool{true}},
		"guac__oci-dsse-att.json":                           {1, []any{nil}, nil},
		"in-toto-golang__clone-dsse.776a00e2.link":          {1, []any{nil}, nil},
		"in-toto-golang__demo.dsse.layout":                  {1, []any{"in-toto-golang__alice.pub"}, []bool{true}},
		"in-toto-golang__dsse-only.root.layout":             {1, []any{"in-toto-golang__alice.pub"}, []bool{true}},
		"in-toto-golang__package-dsse.2f89b927.link":        {1, []any{nil}, nil},
		"in-toto-golang__update-version-dsse.776a00e2.link": {1, []any{nil}, nil},
		"rekor__intoto_dsse.json":                           {1, []any{"rekor__intoto_dsse.pem"}, []bool{true}},
		"rekor__intoto_multi_dsse.json":                     {2, []any{"rekor__intoto_dsse.pem", "rekor__intoto_multi_pub2.pem"}, []bool{true, true}},
		"rekor__rekor-server-tests__envelope.sha512.json":   {1, []any{"rekor__test_sha512.pub"}, []bool{true}},
	}
	bundles := map[string]want{
		"sigstore-go__bundle-provenance.json":                     {1, []any{leaf}, []bool{true}},
		"sigstore-go__bundle-publish.json":                        {1, []any{"sigstore-go__publish_key.pub"}, []bool{true}},
		"sigstore-go__dsse.sigstore.json":                         {1, []any{leaf}, []bool{true}},
		"sigstore-go__dsse-2sigs.sigstore.json":                   {2, []any{leaf, leaf}, []bool{true, false}},
		"sigstore-go__sigstore.js@2.0.0-provenance.sigstore.json": {1, []any{leaf}, []bool{true}},
	}
	check := func(t *testing.T, name string, data []byte, e *Envelope, w want) {
		if len(e.Signatures) != w.nsigs {
			t.Fatalf("%d signatures, want %d", len(e.Signatures), w.nsigs)
		}
		pae := PAE(e.PayloadType, e.Payload)
		for i, s := range e.Signatures {
			var k crypto.PublicKey
			switch v := w.keys[i].(type) {
			case nil:
				continue
			case string:
				if v == leaf {
					k = leafKey(t, data)
				} else {
					k = key(v)
				}
			case crypto.PublicKey:
				k = v
			}
			if got := verifyStd(k, pae, s.Sig); got != w.verify[i] {
				t.Errorf("signatures[%d]: verifies=%v, README says %v", i, got, w.verify[i])
			}
		}
		// Canonical re-serialisation parses back to the same digest.
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		e2, err := Parse(b, DefaultLimits)
		if err != nil || e2.Digest() != e.Digest() {
			t.Fatalf("re-serialised: %v", err)
		}
	}
	n := 0
	files, _ := filepath.Glob(filepath.Join(dir, "dsse-envelopes", "*"))
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			w, ok := envelopes[name]
			if !ok {
				t.Fatalf("new file %s: add its expectations", name)
			}
			data, _ := os.ReadFile(f)
			e, err := Parse(data, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			check(t, name, data, e, w)
			n++
		})
	}
	files, _ = filepath.Glob(filepath.Join(dir, "sigstore-bundles", "*"))
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, _ := os.ReadFile(f)
			e, err := ParseSigstoreBundle(data)
			w, ok := bundles[name]
			if !ok {
				// The README: othername and public-key-validity are
				// messageSignature bundles.
				if !errors.Is(err, ErrNotDSSEBundle) {
					t.Fatalf("want ErrNotDSSEBundle, got %v", err)
				}
				n++
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			check(t, name, data, e, w)
			n++
		})
	}
	if n != len(envelopes)+len(bundles)+2 {
		t.Errorf("checked %d files, want %d", n, len(envelopes)+len(bundles)+2)
	}
}

// leafKey returns the public key of the first certificate of a bundle's
// verificationMaterial (x509CertificateChain or certificate).
func leafKey(t *testing.T, bundle []byte) crypto.PublicKey {
	var b struct {
		VM struct {
			Chain *struct {
				Certificates []struct {
					RawBytes string `json:"rawBytes"`
				} `json:"certificates"`
			} `json:"x509CertificateChain"`
			Cert *struct {
				RawBytes string `json:"rawBytes"`
			} `json:"certificate"`
		} `json:"verificationMaterial"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	var raw string
	switch {
	case b.VM.Chain != nil && len(b.VM.Chain.Certificates) > 0:
		raw = b.VM.Chain.Certificates[0].RawBytes
	case b.VM.Cert != nil:
		raw = b.VM.Cert.RawBytes
	default:
		t.Fatal("bundle has no certificate")
	}
	der, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c.PublicKey
}

// verifyStd verifies sig over msg with SHA-256: ECDSA (DER or raw r||s),
// RSA PKCS#1 v1.5 or RSA-PSS.
func verifyStd(k crypto.PublicKey, msg, sig []byte) bool {
	h := sha256.Sum256(msg)
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		if ecdsa.VerifyASN1(k, h[:], sig) {
			return true
		}
		if len(sig) == 64 {
			return ecdsa.Verify(k, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
		}
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil {
			return true
		}
		return rsa.VerifyPSS(k, crypto.SHA256, h[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
	}
	return false
}
