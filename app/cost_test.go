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

// TestAnchoringCostPer10000 measures what 10,000 attestations cost the chain
// anchored directly versus through a batcher: transaction bytes and gas of
// real signed transactions executed by the app. It logs the figures that
// docs/benchmarks.md quotes and checks the property batching exists for.
func TestAnchoringCostPer10000(t *testing.T) {
	const attestations = 10_000
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

	// One direct anchor of a typical SLSA provenance: one subject, three
	// materials, composite-signed. Every direct anchor costs about this.
	digest := func(s string) map[string]string {
		d := sha256.Sum256([]byte(s))
		return map[string]string{"sha256": hex.EncodeToString(d[:])}
	}
	var materials []intoto.ResourceDescriptor
	for _, m := range []string{"git+https://github.com/acme/app@main", "go.sum", "Dockerfile"} {
		materials = append(materials, intoto.ResourceDescriptor{URI: m, Digest: digest(m)})
	}
	st, err := intoto.NewStatement([]intoto.ResourceDescriptor{{Name: "app.tar.gz", Digest: digest("app.tar.gz")}},
		intoto.PredicateSLSAProvenanceV1, map[string]any{
			"buildDefinition": map[string]any{"buildType": "https://example.com/build/v1", "externalParameters": map[string]any{"ref": "refs/heads/main"}, "resolvedDependencies": materials},
			"runDetails":      map[string]any{"builder": map[string]any{"id": "https://github.com/acme/runner"}},
		})
	require.NoError(t, err)
	payload, err := st.Marshal()
	require.NoError(t, err)
	env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	require.NoError(t, dsse.Sign(env, ciAddr.String(), ci.sk, chainID))
	envJSON, err := env.Marshal()
	require.NoError(t, err)
	direct := &attestationtypes.MsgAnchorAttestation{Signer: ciAddr.String(), Envelope: envJSON, RiskClass: "release", Scope: "repo/app"}
	directTx := c.tx(ci, direct)
	res := c.block(directTx)[0]
	require.Equal(t, uint32(0), res.Code, res.Log)
	directBytes, directGas := int64(len(directTx))*attestations, res.GasUsed*attestations

	// Batched: the batcher anchors one root per epoch with a consistency
	// proof; measure every anchor transaction for two epoch sizes.
	for _, perRoot := range []int{100, 1000} {
		store := merkle.NewMemStore()
		log := merkle.NewLog(store)
		logID := fmt.Sprintf("log/per-%d", perRoot)
		var txBytes, gas int64
		var roots int
		for log.Size() < attestations {
			prev := log.Size()
			for range perRoot {
				_, err := log.Append(merkle.LeafHash([]byte(fmt.Sprint(log.Size()))))
				require.NoError(t, err)
			}
			msg := &attestationtypes.MsgAnchorRoot{Signer: opsAddr.String(), LogId: logID, TreeSize: log.Size()}
			root := log.Root()
			msg.RootHash = root[:]
			if prev > 0 {
				proof, err := merkle.ConsistencyProof(prev, log.Size(), store)
				require.NoError(t, err)
				msg.ConsistencyProof = hashes(proof)
			}
			tx := c.tx(ops, msg)
			res := c.block(tx)[0]
			require.Equal(t, uint32(0), res.Code, res.Log)
			txBytes += int64(len(tx))
			gas += res.GasUsed
			roots++
		}
		t.Logf("anchoring cost per %d attestations: direct %d txs, %d bytes, %d gas; batched at %d per root: %d txs, %d bytes, %d gas (%.0f× fewer bytes)",
			attestations, attestations, directBytes, directGas, perRoot, roots, txBytes, gas, float64(directBytes)/float64(txBytes))
		require.Less(t, txBytes*10, directBytes, "batching must cost the chain at least 10× fewer bytes than direct anchoring")
		require.Less(t, gas*10, directGas, "and at least 10× less gas")
	}
}
