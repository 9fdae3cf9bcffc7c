package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
)

// tamperingKey signs like its key, then flips the last signature byte.
type tamperingKey struct{ cryptotypes.PrivKey }

func (k tamperingKey) Sign(msg []byte) ([]byte, error) {
	sig, err := k.PrivKey.Sign(msg)
	if err == nil {
		sig[len(sig)-1] ^= 1
	}
	return sig, err
}

// Every ADF account key type signs a transaction that passes the whole ante
// chain in FinalizeBlock, through the SDK's own SetPubKey and
// SigVerification decorators: secp256k1, ML-DSA-65, Ed25519 (accepted by
// x/auth in v0.55) and the composite ML-DSA-65+Ed25519 key.
func TestAccountKeyTypes(t *testing.T) {
	ml, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	c := startChainWith(t, []member{
		{org: "acme", priv: &ml},
		{org: "globex", priv: secp256k1.GenPrivKey()},
		{org: "initech", priv: ed25519.GenPrivKey()},
		{org: "umbrella", priv: newCompositePrivKey()},
	})
	gas := map[string]int64{}
	for i, m := range c.members {
		// A tampered signature is refused and consumes no sequence.
		res := c.block(c.signedTx(tamperingKey{m.priv}, uint64(i), 0, nil, proposal(t, m.addr, paramsMsg())))
		require.NotEqual(t, uint32(0), res[0].Code, m.org)
		require.Contains(t, res[0].Log, "signature verification failed", m.org)

		res = c.block(c.signedTx(m.priv, uint64(i), 0, nil, proposal(t, m.addr, paramsMsg())))
		require.Equal(t, uint32(0), res[0].Code, "%s (%s): %s", m.org, m.priv.Type(), res[0].Log)
		gas[m.priv.Type()] = res[0].GasUsed

		// The account now holds the key, of its own type.
		acc := c.app.AccountKeeper.GetAccount(c.app.NewContext(true), m.addr)
		require.NotNil(t, acc.GetPubKey(), m.org)
		require.True(t, acc.GetPubKey().Equals(m.priv.PubKey()), m.org)
	}
	t.Logf("gas used by one proposal tx: %v", gas)
	require.Greater(t, gas["composite"], gas["ml_dsa_65"])
	require.Greater(t, gas["ml_dsa_65"], gas["ed25519"])
}
