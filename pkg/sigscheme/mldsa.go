package sigscheme

import (
	"fmt"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

type mldsa65PublicKey struct {
	k *mldsa65.PublicKey
	b []byte
}

type mldsa65PrivateKey struct {
	seed [mldsa65.SeedSize]byte
	k    *mldsa65.PrivateKey
	pub  *mldsa65PublicKey
}

var (
	_ PublicKey  = (*mldsa65PublicKey)(nil)
	_ PrivateKey = (*mldsa65PrivateKey)(nil)
)

func parseMLDSA65PublicKey(b []byte) (*mldsa65PublicKey, error) {
	k := new(mldsa65.PublicKey)
	if err := k.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("%w: ml_dsa_65 public key: %v", ErrInvalidKey, err)
	}
	return &mldsa65PublicKey{k: k, b: append([]byte(nil), b...)}, nil
}

func newMLDSA65PrivateKey(seed []byte) *mldsa65PrivateKey {
	sk := &mldsa65PrivateKey{}
	copy(sk.seed[:], seed)
	pk, k := mldsa65.NewKeyFromSeed(&sk.seed)
	sk.k = k
	sk.pub = &mldsa65PublicKey{k: pk, b: pk.Bytes()}
	return sk
}

func (*mldsa65PublicKey) Algorithm() Algorithm { return MLDSA65 }
func (pk *mldsa65PublicKey) Bytes() []byte     { return append([]byte(nil), pk.b...) }
func (pk *mldsa65PublicKey) Equal(o PublicKey) bool {
	return equalKeys(pk, o)
}
func (pk *mldsa65PublicKey) Verify(d Domain, msg, sig []byte) error {
	return verifyDomain(pk, d, msg, sig)
}

// verifyCtx is FIPS 204 ML-DSA.Verify(pk, msg, sig, ctx) (Algorithm 3).
func (pk *mldsa65PublicKey) verifyCtx(ctx, msg, sig []byte) error {
	if err := checkSigSize(MLDSA65, sig); err != nil {
		return err
	}
	if len(ctx) > maxContextLen {
		return fmt.Errorf("%w: context is %d bytes, limit %d", ErrInvalidDomain, len(ctx), maxContextLen)
	}
	if !mldsa65.Verify(pk.k, msg, ctx, sig) {
		return fmt.Errorf("%w: ml_dsa_65 verification failed", ErrInvalidSignature)
	}
	return nil
}

func (*mldsa65PrivateKey) Algorithm() Algorithm { return MLDSA65 }
func (sk *mldsa65PrivateKey) Public() PublicKey { return sk.pub }
func (sk *mldsa65PrivateKey) Bytes() []byte     { return append([]byte(nil), sk.seed[:]...) }
func (sk *mldsa65PrivateKey) Sign(d Domain, msg []byte) ([]byte, error) {
	return signDomain(sk, d, msg)
}

// signCtx is FIPS 204 ML-DSA.Sign(sk, msg, ctx) (Algorithm 2), deterministic
// variant (rnd = 0^32).
func (sk *mldsa65PrivateKey) signCtx(ctx, msg []byte) ([]byte, error) {
	return mldsa65Sign(sk.k, ctx, msg)
}

func mldsa65Sign(k *mldsa65.PrivateKey, ctx, msg []byte) ([]byte, error) {
	sig := make([]byte, mldsa65.SignatureSize)
	if err := mldsa65.SignTo(k, msg, ctx, false, sig); err != nil {
		return nil, fmt.Errorf("sigscheme: ml_dsa_65 sign: %w", err)
	}
	return sig, nil
}
