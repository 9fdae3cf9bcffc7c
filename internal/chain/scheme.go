package chain

import (
	"bytes"
	"fmt"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/app/crypto/composite"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// SDKPubKey maps a sigscheme public key to the SDK key type the chain's
// accounts carry: ed25519 → crypto/keys/ed25519, ml_dsa_65 →
// crypto/keys/mldsa65, composite → app/crypto/composite. All three derive
// the account address as sha256(key)[:20].
func SDKPubKey(pk sigscheme.PublicKey) (cryptotypes.PubKey, error) {
	b := pk.Bytes()
	switch pk.Algorithm() {
	case sigscheme.Ed25519:
		return &ed25519.PubKey{Key: b}, nil
	case sigscheme.MLDSA65:
		return &mldsa65.PubKey{Key: b}, nil
	case sigscheme.Composite:
		return composite.NewPubKey(b)
	default:
		return nil, fmt.Errorf("no account key type for algorithm %q", pk.Algorithm())
	}
}

// KeyAddress is the account address (and key id) of a sigscheme key.
func KeyAddress(pk sigscheme.PublicKey) (sdk.AccAddress, error) {
	spk, err := SDKPubKey(pk)
	if err != nil {
		return nil, err
	}
	return sdk.AccAddress(spk.Address()), nil
}

// SchemeSigner signs with a key of the adf key store (any sigscheme
// algorithm). Transaction signatures use sigscheme.SignRaw: the SDK's sign
// bytes already bind the chain id, account number and sequence.
type SchemeSigner struct {
	sk   sigscheme.PrivateKey
	pk   cryptotypes.PubKey
	addr sdk.AccAddress
}

// NewSchemeSigner wraps a private key.
func NewSchemeSigner(sk sigscheme.PrivateKey) (*SchemeSigner, error) {
	pk, err := SDKPubKey(sk.Public())
	if err != nil {
		return nil, err
	}
	return &SchemeSigner{sk: sk, pk: pk, addr: sdk.AccAddress(pk.Address())}, nil
}

// Address implements Signer.
func (s *SchemeSigner) Address() sdk.AccAddress { return s.addr }

// PubKey implements Signer.
func (s *SchemeSigner) PubKey() cryptotypes.PubKey { return s.pk }

// SignBytes implements Signer.
func (s *SchemeSigner) SignBytes(msg []byte) ([]byte, error) {
	sig, err := sigscheme.SignRaw(s.sk, msg)
	if err != nil {
		return nil, err
	}
	// Refuse to send a signature the chain would reject: a broken key or
	// encoding mismatch is caught here with a clear message.
	if !s.pk.VerifySignature(msg, sig) {
		return nil, fmt.Errorf("%s signature does not verify with the account key type %s (sigscheme and SDK key encodings disagree)", s.sk.Algorithm(), s.pk.Type())
	}
	return bytes.Clone(sig), nil
}
