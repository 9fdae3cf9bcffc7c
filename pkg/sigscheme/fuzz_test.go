package sigscheme

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzParsePublicKey(f *testing.F) {
	for _, alg := range Algorithms() {
		f.Add(string(alg), testKey(f, alg, 1).Public().Bytes())
		f.Add(string(alg), make([]byte, alg.PublicKeySize()))
	}
	f.Add("ed25519", mustHex(f, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
	f.Add("rsa", []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		pk, err := ParsePublicKey(Algorithm(name), b)
		if err != nil {
			if pk != nil {
				t.Fatal("non-nil key with error")
			}
			if !errors.Is(err, ErrUnknownAlgorithm) && !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if string(pk.Algorithm()) != name || !bytes.Equal(pk.Bytes(), b) || len(b) != pk.Algorithm().PublicKeySize() {
			t.Fatal("parsed key does not round-trip")
		}
		pk2, err := ParsePublicKeyText(FormatPublicKey(pk))
		if err != nil || !pk2.Equal(pk) {
			t.Fatalf("text round trip: %v", err)
		}
		// Verification with arbitrary keys must not panic and must reject.
		if pk.Verify(testDomain, b, make([]byte, pk.Algorithm().SignatureSize())) == nil {
			t.Fatal("all-zero signature verified")
		}
	})
}

func FuzzParsePublicKeyText(f *testing.F) {
	for _, alg := range Algorithms() {
		f.Add(FormatPublicKey(testKey(f, alg, 1).Public()))
	}
	f.Add("ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	f.Add("ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	f.Add("composite:")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		pk, err := ParsePublicKeyText(s)
		if err != nil {
			return
		}
		if FormatPublicKey(pk) != s {
			t.Fatalf("non-canonical text accepted: %q", s)
		}
	})
}

// FuzzVerify feeds arbitrary signatures, messages and domains to fixed keys.
// Nothing may panic, and a signature may only verify if it is exactly the
// (deterministic) signature this package produces for that input.
func FuzzVerify(f *testing.F) {
	keys := map[Algorithm]PrivateKey{}
	for _, alg := range Algorithms() {
		keys[alg] = testKey(f, alg, 42)
	}
	msg := []byte("fuzz message")
	for i, alg := range Algorithms() {
		sig, _ := keys[alg].Sign(testDomain, msg)
		f.Add(uint8(i), false, testDomain.ChainID, testDomain.Purpose, msg, sig)
		f.Add(uint8(i), false, testDomain.ChainID, testDomain.Purpose, msg, flip(sig, len(sig)-1))
		raw, _ := SignRaw(keys[alg], msg)
		f.Add(uint8(i), true, "", "", msg, raw)
		f.Add(uint8(i), false, "x", "y", []byte{}, make([]byte, alg.SignatureSize()))
	}
	f.Fuzz(func(t *testing.T, which uint8, raw bool, chainID, purpose string, m, sig []byte) {
		alg := Algorithms()[int(which)%len(Algorithms())]
		sk := keys[alg]
		d := Domain{ChainID: chainID, Purpose: purpose}
		var err error
		if raw {
			err = VerifyRaw(sk.Public(), m, sig)
		} else {
			err = sk.Public().Verify(d, m, sig)
		}
		if err != nil {
			return
		}
		var want []byte
		if raw {
			want, _ = SignRaw(sk, m)
		} else {
			want, _ = sk.Sign(d, m)
		}
		if !bytes.Equal(sig, want) {
			t.Fatalf("%s: forged signature verified (raw=%v, domain=%+v)", alg, raw, d)
		}
	})
}
