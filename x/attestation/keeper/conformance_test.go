package keeper_test

import (
	"encoding/hex"
	"testing"
	"time"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// TestConformance runs pkg/conformance's root and direct-anchor tables
// against the keeper; the Fabric chaincode's integration test runs the same
// tables over the chaincode gRPC protocol.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	sk := conformance.Key("signer")
	bz := identitytypes.KeyAddress(sk.Algorithm(), sk.Public().Bytes())
	addr, err := ac.BytesToString(bz)
	require.NoError(t, err)
	p := &principal{addr: addr, bz: bz, sk: sk, id: "acme/ci", org: "acme",
		actions: map[string]bool{types.ActionAnchor: true, types.ActionAnchorDirect: true}}
	f.id.byAddr[string(bz)] = p

	for _, s := range conformance.Roots() {
		f.nextBlock(time.Second)
		if s.Want != "" {
			f.requireRejected(s.Want, func() error {
				_, err := f.anchorRoot(p, s.LogID, s.TreeSize, s.RootHash, s.Proof)
				return err
			})
			continue
		}
		res, err := f.anchorRoot(p, s.LogID, s.TreeSize, s.RootHash, s.Proof)
		require.NoError(t, err, s.Name)
		require.Equal(t, s.WantPrev, res.PreviousTreeSize, s.Name)
	}

	for _, s := range conformance.Direct(addr, chainID) {
		f.nextBlock(time.Second)
		if s.Want != "" {
			f.requireRejected(s.Want, func() error {
				_, err := f.anchorAttestation(p, s.Envelope, s.RiskClass, s.Scope)
				return err
			})
			continue
		}
		res, err := f.anchorAttestation(p, s.Envelope, s.RiskClass, s.Scope)
		require.NoError(t, err, s.Name)
		require.Equal(t, s.WantSequence, res.Sequence, s.Name)
		digest, err := hex.DecodeString(res.EnvelopeDigest)
		require.NoError(t, err)
		for _, m := range s.WantLinked {
			mb, err := hex.DecodeString(m)
			require.NoError(t, err)
			has, err := f.k.ProvenanceLinks.Has(f.ctx, collections.Join(mb, digest))
			require.NoError(t, err)
			require.True(t, has, "%s: material %s linked", s.Name, m)
		}
	}
}
