package types_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/x/attestation/types"
)

const addr = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du"

func hash(b byte) []byte {
	h := make([]byte, 32)
	for i := range h {
		h[i] = b
	}
	return h
}

func validGenesis() *types.GenesisState {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &types.GenesisState{
		Params: types.DefaultParams(),
		Logs: []types.Log{{
			LogId: "acme/batcher-1", OwnerOrg: "acme", RegisteredBy: addr, RegisteredHeight: 1,
			TreeSize: 8, RootHash: hash(2), LatestHeight: 2, LatestTime: t0, Anchors: 2,
		}},
		Roots: []types.AnchoredRoot{
			{LogId: "acme/batcher-1", TreeSize: 3, RootHash: hash(1), Height: 1, Time: t0, Signer: addr, PrincipalId: "acme/batcher-1"},
			{LogId: "acme/batcher-1", TreeSize: 8, RootHash: hash(2), Height: 2, Time: t0, Signer: addr},
		},
		Attestations: []types.Attestation{{
			EnvelopeDigest: hash(9), Sequence: 1, SubjectDigests: [][]byte{hash(3)}, MaterialDigests: [][]byte{hash(4)},
			PredicateType: "https://slsa.dev/provenance/v1", Signer: addr, PrincipalId: "acme/ci-1", OrgId: "acme",
			RiskClass: "release", Scope: "github.com/acme/app", Height: 3, Time: t0, Algorithm: "composite",
		}},
		DirectUsage: []types.DirectAnchorUsage{{OrgId: "acme", Day: 20454, Count: 1}},
	}
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())
	require.NoError(t, validGenesis().Validate())

	for want, mutate := range map[string]func(*types.GenesisState){
		"params.max_envelope_bytes:":             func(g *types.GenesisState) { g.Params.MaxEnvelopeBytes = 1 },
		"params.direct_risk_classes[1]:":         func(g *types.GenesisState) { g.Params.DirectRiskClasses = []string{"release", "build"} },
		"logs[0].log_id:":                        func(g *types.GenesisState) { g.Logs[0].LogId = "acme batcher" },
		"logs[0].owner_org:":                     func(g *types.GenesisState) { g.Logs[0].OwnerOrg = "ACME" },
		"logs[0].root_hash: 31 bytes, want 32":   func(g *types.GenesisState) { g.Logs[0].RootHash = hash(2)[:31] },
		"logs[0].root_hash: 0303":                func(g *types.GenesisState) { g.Logs[0].RootHash = hash(3) },
		"logs[0].anchors: 3, but 2 roots":        func(g *types.GenesisState) { g.Logs[0].Anchors = 3 },
		"logs[0].registered_by:":                 func(g *types.GenesisState) { g.Logs[0].RegisteredBy = "nope" },
		"logs[1].log_id: duplicate":              func(g *types.GenesisState) { g.Logs = append(g.Logs, g.Logs[0]) },
		"roots[1].log_id: unknown log":           func(g *types.GenesisState) { g.Roots[1].LogId = "other" },
		"roots[0].tree_size: 9 is not in 1..8":   func(g *types.GenesisState) { g.Roots[0].TreeSize = 9 },
		"roots[1]: duplicate root":               func(g *types.GenesisState) { g.Roots[1].TreeSize = 3 },
		"roots[0].signer:":                       func(g *types.GenesisState) { g.Roots[0].Signer = "" },
		"attestations[0].envelope_digest:":       func(g *types.GenesisState) { g.Attestations[0].EnvelopeDigest = nil },
		"attestations[0].subject_digests: count": func(g *types.GenesisState) { g.Attestations[0].SubjectDigests = nil },
		"attestations[0].subject_digests[0]:":    func(g *types.GenesisState) { g.Attestations[0].SubjectDigests[0] = []byte{1} },
		"attestations[0].material_digests[0]:":   func(g *types.GenesisState) { g.Attestations[0].MaterialDigests[0] = []byte{1} },
		"attestations[0].predicate_type:":        func(g *types.GenesisState) { g.Attestations[0].PredicateType = "" },
		"attestations[0].risk_class:":            func(g *types.GenesisState) { g.Attestations[0].RiskClass = "" },
		"attestations[0].scope:":                 func(g *types.GenesisState) { g.Attestations[0].Scope = "a b" },
		"attestations[0].algorithm:":             func(g *types.GenesisState) { g.Attestations[0].Algorithm = "rsa" },
		"attestations[0].sequence: must be >= 1": func(g *types.GenesisState) { g.Attestations[0].Sequence = 0 },
		"attestations[1].envelope_digest: dup":   func(g *types.GenesisState) { g.Attestations = append(g.Attestations, g.Attestations[0]) },
		"direct_usage[0].org_id:":                func(g *types.GenesisState) { g.DirectUsage[0].OrgId = "" },
	} {
		t.Run(want, func(t *testing.T) {
			g := validGenesis()
			mutate(g)
			err := g.Validate()
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), want), "%q does not start with %q", err, want)
		})
	}
}

func TestParams(t *testing.T) {
	p := types.DefaultParams()
	require.NoError(t, p.Validate())
	require.Equal(t, []string{"production-deploy", "release"}, p.DirectRiskClasses)
	require.Equal(t, 10*time.Second, p.MaxEpochInterval)
	require.Equal(t, uint64(256<<10), p.MaxEnvelopeBytes)
	require.Equal(t, uint64(100_000), p.MaxEntriesPerEpochPerOrg)
	require.Equal(t, uint64(10_000), p.MaxDirectAnchorsPerDayPerOrg)
	require.Equal(t, uint32(16), p.MaxProvenanceDepth)
	require.True(t, p.IsDirectRiskClass("release"))
	require.True(t, p.IsDirectRiskClass("production-deploy"))
	require.False(t, p.IsDirectRiskClass("build"))
	p.MaxEpochInterval = 0
	require.ErrorContains(t, p.Validate(), "max_epoch_interval:")
}

func TestParseDigestAndLogID(t *testing.T) {
	h := strings.Repeat("ab", 32)
	for _, s := range []string{h, "sha256:" + h, strings.ToUpper(h)} {
		d, err := types.ParseDigest(s)
		require.NoError(t, err, s)
		require.Len(t, d, 32)
	}
	for _, s := range []string{"", h[:62], "sha512:" + h, strings.Repeat("zz", 32)} {
		_, err := types.ParseDigest(s)
		require.ErrorIs(t, err, types.ErrInvalidDigest, s)
	}
	for _, id := range []string{"acme/batcher-1", "github.com/acme/log", "a", "urn:adf:log@1"} {
		require.NoError(t, types.ValidateLogID(id), id)
	}
	for _, id := range []string{"", "/acme", "acme/", "acme//x", "acme x", "acme/*", "acme?x", strings.Repeat("a", 257)} {
		require.ErrorIs(t, types.ValidateLogID(id), types.ErrInvalidLogID, id)
	}
}

func TestValidateBasic(t *testing.T) {
	ok := &types.MsgAnchorRoot{Signer: addr, LogId: "acme/b", TreeSize: 1, RootHash: hash(1)}
	require.NoError(t, ok.ValidateBasic())
	bad := *ok
	bad.ConsistencyProof = make([][]byte, types.MaxConsistencyProofHashes+1)
	require.ErrorIs(t, bad.ValidateBasic(), types.ErrInvalidConsistencyProof)
	att := &types.MsgAnchorAttestation{Signer: addr, Envelope: []byte("{}"), RiskClass: "release", Scope: "github.com/acme/app"}
	require.NoError(t, att.ValidateBasic())
	att.Envelope = make([]byte, types.MaxEnvelopeBytesLimit+1)
	require.ErrorIs(t, att.ValidateBasic(), types.ErrEnvelopeTooLarge)
	up := &types.MsgUpdateParams{Authority: addr, Params: types.DefaultParams()}
	require.NoError(t, up.ValidateBasic())
	up.Params.MaxProvenanceDepth = 0
	require.ErrorContains(t, up.ValidateBasic(), "params.max_provenance_depth:")
}
