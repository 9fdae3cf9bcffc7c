// Package composite is the composite ML-DSA-65 + Ed25519 account key type of
// the ADF chain: a cryptotypes.PubKey whose signatures verify only if both the
// ML-DSA-65 (FIPS 204) and the Ed25519 component verify. The encoding and the
// verification rule come from pkg/sigscheme; this package only adapts them to
// the Cosmos SDK's key interfaces and codecs.
package composite

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"github.com/cometbft/cometbft/crypto"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/multisig"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

const (
	// KeyType is what Type() returns.
	KeyType = "composite"
	// PubKeyName is the amino name (also the proto option amino.name).
	PubKeyName = "adf/PubKeyCompositeMlDsa65Ed25519"
)

var (
	_ cryptotypes.PubKey   = &CompositePubKey{}
	_ codec.AminoMarshaler = &CompositePubKey{}
)

// NewPubKey validates b as a composite public key (strict size and both
// components well formed) and wraps it.
func NewPubKey(b []byte) (*CompositePubKey, error) {
	if _, err := sigscheme.ParsePublicKey(sigscheme.Composite, b); err != nil {
		return nil, fmt.Errorf("composite public key: %w", err)
	}
	return &CompositePubKey{Key: bytes.Clone(b)}, nil
}

// Address is the first 20 bytes of SHA-256 over the key bytes: the rule of
// the SDK's ed25519 and mldsa65 keys (tmhash.SumTruncated). Unlike those it
// does not panic on a malformed key; such a key never verifies a signature,
// so its address can never authorise anything.
func (pubKey *CompositePubKey) Address() crypto.Address {
	sum := sha256.Sum256(pubKey.Key)
	return crypto.Address(sum[:crypto.AddressSize])
}

// Bytes returns the key bytes: the ML-DSA-65 public key followed by the
// Ed25519 public key.
func (pubKey *CompositePubKey) Bytes() []byte { return pubKey.Key }

// Type returns "composite".
func (*CompositePubKey) Type() string { return KeyType }

// Equals is true for another composite key with the same bytes.
func (pubKey *CompositePubKey) Equals(other cryptotypes.PubKey) bool {
	return other != nil && pubKey.Type() == other.Type() && bytes.Equal(pubKey.Bytes(), other.Bytes())
}

// String returns the hex form of the key.
func (pubKey *CompositePubKey) String() string {
	return fmt.Sprintf("PubKeyCompositeMlDsa65Ed25519{%X}", pubKey.Key)
}

// VerifySignature verifies a composite signature over msg with
// sigscheme.VerifyRaw: no ADF domain context (an empty FIPS 204 context for
// ML-DSA-65, an empty context in the composite message representative).
// That is enough here because msg is the Cosmos sign bytes, which already
// bind the chain id, the account number and the account sequence, so a
// signature cannot be replayed on another chain, account or sequence. Key
// and signature sizes are strict: anything else is rejected.
func (pubKey *CompositePubKey) VerifySignature(msg, sig []byte) bool {
	pk, err := sigscheme.ParsePublicKey(sigscheme.Composite, pubKey.Key)
	if err != nil {
		return false
	}
	return sigscheme.VerifyRaw(pk, msg, sig) == nil
}

// MarshalAmino encodes the key as its bytes, like the SDK's keys.
func (pubKey CompositePubKey) MarshalAmino() ([]byte, error) { return pubKey.Key, nil }

// UnmarshalAmino decodes the key bytes, checking them.
func (pubKey *CompositePubKey) UnmarshalAmino(bz []byte) error {
	if _, err := sigscheme.ParsePublicKey(sigscheme.Composite, bz); err != nil {
		return fmt.Errorf("composite public key: %w", err)
	}
	pubKey.Key = bz
	return nil
}

// MarshalAminoJSON encodes the key for amino JSON.
func (pubKey CompositePubKey) MarshalAminoJSON() ([]byte, error) { return pubKey.MarshalAmino() }

// UnmarshalAminoJSON decodes the key from amino JSON.
func (pubKey *CompositePubKey) UnmarshalAminoJSON(bz []byte) error {
	return pubKey.UnmarshalAmino(bz)
}

// RegisterInterfaces registers CompositePubKey as a cryptotypes.PubKey
// implementation, as the SDK's crypto/codec does for its key types. Call it
// after std.RegisterInterfaces.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*cryptotypes.PubKey)(nil), &CompositePubKey{})
}

// RegisterLegacyAminoCodec registers the key with an amino codec (the app's
// legacy amino codec, used for JSON in the CLI).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&CompositePubKey{}, PubKeyName, nil)
}

// The SDK keeps two package-level amino codecs that know a fixed list of key
// types: multisig.AminoCdc computes a multisig key's Bytes and therefore its
// address, and legacy.Cdc decodes keys in several client paths. A composite
// key inside a multisig needs both.
func init() {
	RegisterLegacyAminoCodec(multisig.AminoCdc)
	RegisterLegacyAminoCodec(legacy.Cdc)
}
