package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"

	"github.com/adf-consortium/adf/app"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// TestAttestationThroughTheAnteChain runs both anchoring paths as real
// signed transactions: the identity decorator, the gas consumer and the
// x/attestation handlers together.
func TestAttestationThroughTheAnteChain(t *testing.T) {
	c := identityChain(t)
	acme := c.members[0]
	auth := app.Authority()
	c.passProposal(
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "ci-direct", Role: "ci", Action: identitytypes.ActionAnchorDirect, ScopePattern: "repo/*"}},
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "ops-batch", Role: "ops", Action: identitytypes.ActionAnchor, ScopePattern: "log/*"}},
	)
	ci := newCompositePrivKey()
	ciAddr := c.registerKey(acme, "acme/ci-1", "composite", ci, time.Hour)
	ops := ed25519.GenPrivKey()
	opsAddr := c.registerKey(acme, "acme/ops-1", "ed25519", ops, time.Hour)

	// Direct anchor of a composite-signed DSSE envelope.
	artifact := sha256.Sum256([]byte("app-v1.tar.gz"))
	st, err := intoto.NewStatement([]intoto.ResourceDescriptor{{Name: "app-v1.tar.gz", Digest: map[string]string{"sha256": hex.EncodeToString(artifact[:])}}},
		"https://example.com/release/v1", map[string]any{"version": "1.0.0"})
	require.NoError(t, err)
	payload, err := st.Marshal()
	require.NoError(t, err)
	env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	require.NoError(t, dsse.Sign(env, ciAddr.String(), ci.sk, chainID))
	envJSON, err := env.Marshal()
	require.NoError(t, err)
	c.mustDeliver(ci, &attestationtypes.MsgAnchorAttestation{Signer: ciAddr.String(), Envelope: envJSON, RiskClass: "release", Scope: "repo/app"})
	found, err := c.app.AttestationKeeper.HasSubject(c.app.NewContext(true), artifact[:])
	require.NoError(t, err)
	require.True(t, found, "the anchored attestation must be indexed by its subject")
	// Outside its policy's scope, refused by the ante chain before any work.
	c.mustRefuse(ci, fmt.Sprintf("%s may not anchor-direct on \"other/app\"", ciAddr),
		&attestationtypes.MsgAnchorAttestation{Signer: ciAddr.String(), Envelope: envJSON, RiskClass: "release", Scope: "other/app"})

	// Batched anchoring: a CI key has no anchor right; the ops key has.
	store := merkle.NewMemStore()
	log := merkle.NewLog(store)
	for i := range 5 {
		_, err := log.Append(merkle.LeafHash([]byte{byte(i)}))
		require.NoError(t, err)
	}
	root := log.Root()
	c.mustRefuse(ci, fmt.Sprintf("%s may not anchor on \"log/acme\"", ciAddr),
		&attestationtypes.MsgAnchorRoot{Signer: ciAddr.String(), LogId: "log/acme", TreeSize: 5, RootHash: root[:]})
	c.mustDeliver(ops, &attestationtypes.MsgAnchorRoot{Signer: opsAddr.String(), LogId: "log/acme", TreeSize: 5, RootHash: root[:]})

	for i := 5; i < 9; i++ {
		_, err := log.Append(merkle.LeafHash([]byte{byte(i)}))
		require.NoError(t, err)
	}
	proof, err := merkle.ConsistencyProof(5, 9, store)
	require.NoError(t, err)
	root9 := log.Root()
	// A forked log (same size, other leaves) cannot be anchored.
	fork := merkle.NewLog(merkle.NewMemStore())
	for i := range 9 {
		_, err := fork.Append(merkle.LeafHash([]byte{byte(100 + i)}))
		require.NoError(t, err)
	}
	forkRoot := fork.Root()
	c.mustRefuse(ops, "consistency", &attestationtypes.MsgAnchorRoot{Signer: opsAddr.String(), LogId: "log/acme", TreeSize: 9, RootHash: forkRoot[:], ConsistencyProof: hashes(proof)})
	c.mustDeliver(ops, &attestationtypes.MsgAnchorRoot{Signer: opsAddr.String(), LogId: "log/acme", TreeSize: 9, RootHash: root9[:], ConsistencyProof: hashes(proof)})
}

func hashes(hs []merkle.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}
