package sigscheme

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"math/big"
)

type ed25519PublicKey struct{ k ed25519.PublicKey }

type ed25519PrivateKey struct {
	k   ed25519.PrivateKey
	pub *ed25519PublicKey
}

var (
	_ PublicKey  = (*ed25519PublicKey)(nil)
	_ PrivateKey = (*ed25519PrivateKey)(nil)
)

func parseEd25519PublicKey(b []byte) (*ed25519PublicKey, error) {
	if err := checkEd25519Point(b); err != nil {
		return nil, err
	}
	return &ed25519PublicKey{k: append(ed25519.PublicKey(nil), b...)}, nil
}

func newEd25519PrivateKey(seed []byte) *ed25519PrivateKey {
	k := ed25519.NewKeyFromSeed(seed)
	return &ed25519PrivateKey{k: k, pub: &ed25519PublicKey{k: k.Public().(ed25519.PublicKey)}}
}

func (*ed25519PublicKey) Algorithm() Algorithm { return Ed25519 }
func (pk *ed25519PublicKey) Bytes() []byte     { return append([]byte(nil), pk.k...) }
func (pk *ed25519PublicKey) Equal(o PublicKey) bool {
	return equalKeys(pk, o)
}
func (pk *ed25519PublicKey) Verify(d Domain, msg, sig []byte) error {
	return verifyDomain(pk, d, msg, sig)
}

// verifyCtx verifies pure Ed25519 if ctx is empty and Ed25519ctx (RFC 8032
// Section 5.1, dom2(0, ctx)) otherwise.
func (pk *ed25519PublicKey) verifyCtx(ctx, msg, sig []byte) error {
	if err := checkSigSize(Ed25519, sig); err != nil {
		return err
	}
	if !ed25519Verify(pk.k, ctx, msg, sig) {
		return fmt.Errorf("%w: ed25519 verification failed", ErrInvalidSignature)
	}
	return nil
}

func ed25519Verify(pk ed25519.PublicKey, ctx, msg, sig []byte) bool {
	if len(ctx) == 0 {
		return ed25519.Verify(pk, msg, sig)
	}
	return ed25519.VerifyWithOptions(pk, msg, sig, &ed25519.Options{Context: string(ctx)}) == nil
}

func ed25519Sign(sk ed25519.PrivateKey, ctx, msg []byte) ([]byte, error) {
	if len(ctx) == 0 {
		return ed25519.Sign(sk, msg), nil
	}
	return sk.Sign(nil, msg, &ed25519.Options{Hash: crypto.Hash(0), Context: string(ctx)})
}

func (*ed25519PrivateKey) Algorithm() Algorithm { return Ed25519 }
func (sk *ed25519PrivateKey) Public() PublicKey { return sk.pub }
func (sk *ed25519PrivateKey) Bytes() []byte     { return append([]byte(nil), sk.k.Seed()...) }
func (sk *ed25519PrivateKey) Sign(d Domain, msg []byte) ([]byte, error) {
	return signDomain(sk, d, msg)
}
func (sk *ed25519PrivateKey) signCtx(ctx, msg []byte) ([]byte, error) {
	return ed25519Sign(sk.k, ctx, msg)
}

// Curve constants for the point check below.
var (
	edP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	edD = func() *big.Int {
		// d = -121665 / 121666 mod p
		n := new(big.Int).Neg(big.NewInt(121665))
		inv := new(big.Int).ModInverse(big.NewInt(121666), edP)
		n.Mul(n, inv)
		return n.Mod(n, edP)
	}()
)

// checkEd25519Point rejects encodings that are not the canonical encoding of
// a point on edwards25519 (RFC 8032 Section 5.1.3 decoding, plus y < p).
// Verification would reject such keys anyway; checking at parse time keeps
// them out of registries. Small-order points are not rejected here.
func checkEd25519Point(b []byte) error {
	if len(b) != ed25519PublicKeySize {
		return fmt.Errorf("%w: ed25519 public key is %d bytes, want %d", ErrInvalidKey, len(b), ed25519PublicKeySize)
	}
	le := make([]byte, 32)
	for i := range 32 {
		le[31-i] = b[i]
	}
	sign := le[0] >> 7
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le)
	if y.Cmp(edP) >= 0 {
		return fmt.Errorf("%w: ed25519 public key has non-canonical y coordinate", ErrInvalidKey)
	}
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, edP)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	u.Mod(u, edP)
	v := new(big.Int).Mul(edD, y2)
	v.Add(v, big.NewInt(1))
	v.Mod(v, edP)
	x2 := new(big.Int).ModInverse(v, edP)
	if x2 == nil {
		return fmt.Errorf("%w: ed25519 public key is not a curve point", ErrInvalidKey)
	}
	x2.Mul(x2, u)
	x2.Mod(x2, edP)
	x := new(big.Int).ModSqrt(x2, edP)
	if x == nil {
		return fmt.Errorf("%w: ed25519 public key is not a curve point", ErrInvalidKey)
	}
	if x.Sign() == 0 && sign == 1 {
		return fmt.Errorf("%w: ed25519 public key has invalid sign bit for x = 0", ErrInvalidKey)
	}
	return nil
}
