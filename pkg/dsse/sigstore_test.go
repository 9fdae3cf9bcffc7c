package dsse

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// sigstore-go's examples/publish_key.pub (PEM, see testdata/README.md): the
// key of the bundle-publish.json DSSE signature.
const sigstorePublishKey = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==
-----END PUBLIC KEY-----`

func TestParseSigstoreBundleFixture(t *testing.T) {
	e, err := ParseSigstoreBundle(readFixture(t, "sigstore-go-bundle-publish.bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	if e.PayloadType != PayloadTypeInToto || len(e.Signatures) != 1 ||
		e.Signatures[0].KeyID != "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA" {
		t.Fatalf("%+v", e.Signatures)
	}
	if !strings.Contains(string(e.Payload), `"subject":[{"name":"pkg:npm/sigstore@1.3.0","digest":{"sha512":"76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"}}]`) {
		t.Fatalf("payload: %s", e.Payload)
	}
	// The README says this DSSE signature verifies with publish_key.pub
	// (ECDSA P-256/SHA-256): check it over our PAE. (This is a PAE check,
	// not Sigstore verification: no tlog, no certificate.)
	blk, _ := pem.Decode([]byte(sigstorePublishKey))
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(PAE(e.PayloadType, e.Payload))
	if !ecdsa.VerifyASN1(k.(*ecdsa.PublicKey), h[:], e.Signatures[0].Sig) {
		t.Fatal("bundle DSSE signature does not verify over our PAE")
	}
}

func TestParseSigstoreBundleMessageSignature(t *testing.T) {
	_, err := ParseSigstoreBundle(readFixture(t, "sigstore-go-public-key-validity.bundle.json"))
	if !errors.Is(err, ErrNotDSSEBundle) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "messageSignature") {
		t.Errorf("error should say what the bundle holds: %v", err)
	}
}

func TestParseSigstoreBundleBad(t *testing.T) {
	env := `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQID","keyid":""}]}`
	vm := `"verificationMaterial":{"publicKey":{"hint":"x"}}`
	mt := `"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"`
	for _, tc := range []struct {
		name, in string
		want     error
		mention  string
	}{
		{"ok v0.3", `{` + mt + `,` + vm + `,"dsseEnvelope":` + env + `}`, nil, ""},
		{"ok v0.2", `{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.2",` + vm + `,"dsseEnvelope":` + env + `}`, nil, ""},
		{"malformed", `{` + mt, ErrInvalidBundle, "invalid JSON"},
		{"not object", `"x"`, ErrInvalidBundle, "want a JSON object"},
		{"no mediaType", `{` + vm + `,"dsseEnvelope":` + env + `}`, ErrInvalidBundle, "mediaType is missing"},
		{"unknown mediaType", `{"mediaType":"application/json",` + vm + `,"dsseEnvelope":` + env + `}`, ErrInvalidBundle, `mediaType "application/json"`},
		{"no verificationMaterial", `{` + mt + `,"dsseEnvelope":` + env + `}`, ErrInvalidBundle, "verificationMaterial is missing"},
		{"no content", `{` + mt + `,` + vm + `}`, ErrInvalidBundle, "neither dsseEnvelope nor messageSignature"},
		{"both", `{` + mt + `,` + vm + `,"dsseEnvelope":` + env + `,"messageSignature":{}}`, ErrInvalidBundle, "both"},
		{"message signature", `{` + mt + `,` + vm + `,"messageSignature":{}}`, ErrNotDSSEBundle, "not dsseEnvelope"},
		{"unknown field", `{` + mt + `,` + vm + `,"dsse_envelope":` + env + `}`, ErrInvalidBundle, `unknown field "dsse_envelope"`},
		{"duplicate envelope", `{` + mt + `,` + vm + `,"dsseEnvelope":` + env + `,"dsseEnvelope":` + env + `}`, ErrInvalidBundle, `duplicate field "dsseEnvelope"`},
		{"bad envelope", `{` + mt + `,` + vm + `,"dsseEnvelope":{"payload":"AQID","signatures":[{"sig":"AQID"}]}}`, ErrInvalidEnvelope, "dsseEnvelope: dsse: invalid envelope: payloadType is missing"},
		{"envelope URL-safe", `{` + mt + `,` + vm + `,"dsseEnvelope":{"payloadType":"t","payload":"_w==","signatures":[{"sig":"AQID"}]}}`, ErrInvalidEnvelope, "URL-safe"},
	} {
		e, err := ParseSigstoreBundle([]byte(tc.in))
		if tc.want == nil {
			if err != nil || e == nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: got %v, want %v mentioning %q", tc.name, err, tc.want, tc.mention)
		}
	}
	big := make([]byte, MaxSigstoreBundleBytes+1)
	if _, err := ParseSigstoreBundle(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized bundle: %v", err)
	}
}
