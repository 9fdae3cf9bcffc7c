package chain

import (
	"fmt"
	"os"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
)

// KeyringSigner signs with a key of the Cosmos SDK keyring that adfd uses
// (secp256k1 or ML-DSA-65 org admin keys).
type KeyringSigner struct {
	kr   keyring.Keyring
	name string
	addr sdk.AccAddress
	pk   cryptotypes.PubKey
}

// NewKeyringSigner opens the keyring at home with backend (test, file, os)
// and selects the key called name (or with that bech32 address).
func NewKeyringSigner(enc Encoding, home, backend, name string) (*KeyringSigner, error) {
	if home == "" {
		return nil, fmt.Errorf("keyring key %q: --home (the adfd home holding the keyring) is required", name)
	}
	if _, err := os.Stat(home); err != nil {
		return nil, fmt.Errorf("keyring home: %w", err)
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), backend, home, os.Stdin, enc.Codec)
	if err != nil {
		return nil, fmt.Errorf("opening the %s keyring in %s: %w", backend, home, err)
	}
	rec, err := kr.Key(name)
	if err != nil {
		addr, aerr := sdk.AccAddressFromBech32(name)
		if aerr != nil {
			return nil, fmt.Errorf("key %q is not in the %s keyring at %s: %w", name, backend, home, err)
		}
		if rec, err = kr.KeyByAddress(addr); err != nil {
			return nil, fmt.Errorf("address %s is not in the %s keyring at %s: %w", name, backend, home, err)
		}
	}
	pk, err := rec.GetPubKey()
	if err != nil {
		return nil, err
	}
	return &KeyringSigner{kr: kr, name: rec.Name, addr: sdk.AccAddress(pk.Address()), pk: pk}, nil
}

// Address implements Signer.
func (s *KeyringSigner) Address() sdk.AccAddress { return s.addr }

// PubKey implements Signer.
func (s *KeyringSigner) PubKey() cryptotypes.PubKey { return s.pk }

// SignBytes implements Signer.
func (s *KeyringSigner) SignBytes(msg []byte) ([]byte, error) {
	sig, _, err := s.kr.Sign(s.name, msg, signing.SignMode_SIGN_MODE_DIRECT)
	return sig, err
}
