package sigscheme

import (
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

// Constants of id-MLDSA65-Ed25519-SHA512, draft-ietf-lamps-pq-composite-sigs-19
// Section 2.2 (Prefix) and Section 6 (Label).
const (
	compositePrefix = "CompositeAlgorithmSignatures2025"
	compositeLabel  = "COMPSIG-MLDSA65-Ed25519-SHA512"
)

type compositePublicKey struct {
	ml *mldsa65.PublicKey
	ed ed25519.PublicKey
	b  []byte
}

type compositePrivateKey struct {
	ml  *mldsa65PrivateKey
	ed  *ed25519PrivateKey
	pub *compositePublicKey
}

var (
	_ PublicKey  = (*compositePublicKey)(nil)
	_ PrivateKey = (*compositePrivateKey)(nil)
)

// compositeMessage returns M' = Prefix || Label || len(ctx) || ctx || SHA-512(M)
// (draft Section 3.2 step 2). ctx must be at most 255 bytes.
func compositeMessage(ctx, msg []byte) []byte {
	ph := sha512.Sum512(msg)
	m := make([]byte, 0, len(compositePrefix)+len(compositeLabel)+1+len(ctx)+len(ph))
	m = append(m, compositePrefix...)
	m = append(m, compositeLabel...)
	m = append(m, byte(len(ctx)))
	m = append(m, ctx...)
	m = append(m, ph[:]...)
	return m
}

func parseCompositePublicKey(b []byte) (*compositePublicKey, error) {
	mlb, edb := b[:mldsa65PublicKeySize], b[mldsa65PublicKeySize:]
	ml, err := parseMLDSA65PublicKey(mlb)
	if err != nil {
		return nil, fmt.Errorf("composite ML-DSA-65 component: %w", err)
	}
	ed, err := parseEd25519PublicKey(edb)
	if err != nil {
		return nil, fmt.Errorf("composite Ed25519 component: %w", err)
	}
	return &compositePublicKey{ml: ml.k, ed: ed.k, b: append([]byte(nil), b...)}, nil
}

func newCompositePrivateKey(b []byte) *compositePrivateKey {
	ml := newMLDSA65PrivateKey(b[:mldsa65SeedSize])
	ed := newEd25519PrivateKey(b[mldsa65SeedSize:])
	pb := make([]byte, 0, Composite.PublicKeySize())
	pb = append(pb, ml.pub.b...)
	pb = append(pb, ed.pub.k...)
	return &compositePrivateKey{ml: ml, ed: ed, pub: &compositePublicKey{ml: ml.pub.k, ed: ed.pub.k, b: pb}}
}

func (*compositePublicKey) Algorithm() Algorithm { return Composite }
func (pk *compositePublicKey) Bytes() []byte     { return append([]byte(nil), pk.b...) }
func (pk *compositePublicKey) Equal(o PublicKey) bool {
	return equalKeys(pk, o)
}
func (pk *compositePublicKey) Verify(d Domain, msg, sig []byte) error {
	return verifyDomain(pk, d, msg, sig)
}

// verifyCtx is Composite-ML-DSA.Verify(pk, M, s, ctx), draft Section 3.3:
// valid only if both the ML-DSA-65 component (over M', with the Label as the
// ML-DSA context) and the Ed25519 component (pure Ed25519 over M') verify.
func (pk *compositePublicKey) verifyCtx(ctx, msg, sig []byte) error {
	if err := checkSigSize(Composite, sig); err != nil {
		return err
	}
	if len(ctx) > maxContextLen {
		return fmt.Errorf("%w: context is %d bytes, limit %d", ErrInvalidDomain, len(ctx), maxContextLen)
	}
	mlSig, edSig := sig[:mldsa65SignatureSize], sig[mldsa65SignatureSize:]
	m := compositeMessage(ctx, msg)
	mlOK := mldsa65.Verify(pk.ml, m, []byte(compositeLabel), mlSig)
	edOK := ed25519.Verify(pk.ed, m, edSig)
	switch {
	case !mlOK && !edOK:
		return fmt.Errorf("%w: composite: ML-DSA-65 and Ed25519 components failed", ErrInvalidSignature)
	case !mlOK:
		return fmt.Errorf("%w: composite: ML-DSA-65 component failed", ErrInvalidSignature)
	case !edOK:
		return fmt.Errorf("%w: composite: Ed25519 component failed", ErrInvalidSignature)
	}
	return nil
}

func (*compositePrivateKey) Algorithm() Algorithm { return Composite }
func (sk *compositePrivateKey) Public() PublicKey { return sk.pub }
func (sk *compositePrivateKey) Bytes() []byte {
	b := make([]byte, 0, Composite.PrivateKeySize())
	b = append(b, sk.ml.seed[:]...)
	return append(b, sk.ed.k.Seed()...)
}
func (sk *compositePrivateKey) Sign(d Domain, msg []byte) ([]byte, error) {
	return signDomain(sk, d, msg)
}

// signCtx is Composite-ML-DSA.Sign(sk, M, ctx), draft Section 3.2, with the
// deterministic ML-DSA variant.
func (sk *compositePrivateKey) signCtx(ctx, msg []byte) ([]byte, error) {
	if len(ctx) > maxContextLen {
		return nil, fmt.Errorf("%w: context is %d bytes, limit %d", ErrInvalidDomain, len(ctx), maxContextLen)
	}
	m := compositeMessage(ctx, msg)
	mlSig, err := mldsa65Sign(sk.ml.k, []byte(compositeLabel), m)
	if err != nil {
		return nil, err
	}
	edSig := ed25519.Sign(sk.ed.k, m)
	return append(mlSig, edSig...), nil
}
