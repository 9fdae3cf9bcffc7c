package app_test

import (
	"bytes"
	"fmt"
	"time"

	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/adf-consortium/adf/app/crypto/composite"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

var genesisTime = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// timeAt gives blocks deterministic one-second spacing.
func timeAt(height int64) time.Time { return genesisTime.Add(time.Duration(height) * time.Second) }

// compositePrivKey adapts a sigscheme composite key to cryptotypes.PrivKey
// so the SDK's test helpers can sign transactions with it. Sign is
// sigscheme.SignRaw: the Cosmos sign bytes already bind chain and sequence.
type compositePrivKey struct{ sk sigscheme.PrivateKey }

var _ cryptotypes.PrivKey = compositePrivKey{}

func newCompositePrivKey() compositePrivKey {
	sk, err := sigscheme.GenerateKey(sigscheme.Composite, nil)
	if err != nil {
		panic(err)
	}
	return compositePrivKey{sk: sk}
}

func (k compositePrivKey) Reset()        {}
func (k compositePrivKey) ProtoMessage() {}
func (k compositePrivKey) String() string {
	return fmt.Sprintf("compositePrivKey{%X}", k.PubKey().Bytes())
}
func (k compositePrivKey) Bytes() []byte { return k.sk.Bytes() }
func (k compositePrivKey) Type() string  { return composite.KeyType }
func (k compositePrivKey) Sign(msg []byte) ([]byte, error) {
	return sigscheme.SignRaw(k.sk, msg)
}

func (k compositePrivKey) PubKey() cryptotypes.PubKey {
	pk, err := composite.NewPubKey(k.sk.Public().Bytes())
	if err != nil {
		panic(err)
	}
	return pk
}

func (k compositePrivKey) Equals(other cryptotypes.LedgerPrivKey) bool {
	return other.Type() == k.Type() && bytes.Equal(other.Bytes(), k.Bytes())
}
