package keeper_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/attestation/types"
)

const (
	predCommit = "https://adf.example/commit/v1"
	buildGo    = "https://adf.example/buildtypes/go@v1"
	buildOCI   = "https://adf.example/buildtypes/oci-image@v1"
	buildDep   = "https://adf.example/buildtypes/deploy@v1"
)

// supplyChain is a commit → build → image → test → deploy chain anchored
// in five blocks (heights 2..6) by three principals.
type supplyChain struct {
	commit, binary, image, deployment []byte // subject digests
	signers                           []*principal
}

func anchorSupplyChain(t *testing.T, f *fixture) supplyChain {
	t.Helper()
	dev := f.addPrincipal("acme", "dev-1", sigscheme.Ed25519, types.ActionAnchorDirect)
	ci := f.addPrincipal("acme", "ci-1", sigscheme.Composite, types.ActionAnchorDirect)
	ops := f.addPrincipal("acme", "deployer", sigscheme.MLDSA65, types.ActionAnchorDirect)
	c := supplyChain{
		commit: sha("source tree at 1f2e3d"), binary: sha("app binary"), image: sha("app image"), deployment: sha("prod deployment 42"),
		signers: []*principal{dev, ci, ci, ci, ops},
	}
	testResult, err := json.Marshal(intoto.TestResult{Result: intoto.TestResultPassed, PassedTests: []string{"e2e"}})
	require.NoError(t, err)
	testSt, err := intoto.NewStatement([]intoto.ResourceDescriptor{rd("app image", c.image)}, intoto.PredicateTestResultV01, json.RawMessage(testResult))
	require.NoError(t, err)
	testPayload, err := testSt.Marshal()
	require.NoError(t, err)
	payloads := [][]byte{
		statement(t, predCommit, rd("source.tar.gz", c.commit)),
		slsa(t, buildGo, []intoto.ResourceDescriptor{rd("app", c.binary)}, rd("git+https://github.com/acme/app@1f2e3d", c.commit)),
		slsa(t, buildOCI, []intoto.ResourceDescriptor{rd("registry.acme/app", c.image)}, rd("app", c.binary), rd("base image (never attested)", sha("distroless"))),
		testPayload,
		slsa(t, buildDep, []intoto.ResourceDescriptor{rd("prod/app", c.deployment)}, rd("registry.acme/app", c.image)),
	}
	classes := []string{"commit", "build", "image", "test", "production-deploy"}
	for i, p := range payloads {
		f.nextBlock(5 * time.Second)
		_, err := f.anchorAttestation(c.signers[i], envelope(t, c.signers[i], dsse.PayloadTypeInToto, p), classes[i], scopeApp)
		require.NoError(t, err, classes[i])
	}
	return c
}

func TestProvenanceChain(t *testing.T) {
	f := newFixture(t)
	c := anchorSupplyChain(t, f)

	res, err := f.query.Provenance(f.ctx, &types.QueryProvenanceRequest{Subject: hexOf(c.deployment)})
	require.NoError(t, err)
	require.False(t, res.Truncated)
	require.Len(t, res.Steps, 5)
	type row struct {
		pred   string
		signer string
		height int64
		depth  uint32
		seq    uint64
	}
	var got []row
	for _, s := range res.Steps {
		got = append(got, row{s.PredicateType, s.Signer, s.Height, s.Depth, s.Sequence})
	}
	require.Equal(t, []row{
		{predCommit, c.signers[0].addr, 2, 3, 1},
		{intoto.PredicateSLSAProvenanceV1, c.signers[1].addr, 3, 2, 2},
		{intoto.PredicateSLSAProvenanceV1, c.signers[2].addr, 4, 1, 3},
		{intoto.PredicateTestResultV01, c.signers[3].addr, 5, 1, 4},
		{intoto.PredicateSLSAProvenanceV1, c.signers[4].addr, 6, 0, 5},
	}, got, "commit → build → image → test → deploy, oldest first")
	require.Equal(t, [][]byte{c.image}, res.Steps[4].LinkedMaterials)
	require.Equal(t, [][]byte{c.binary}, res.Steps[2].LinkedMaterials, "the never-attested base image is no link")
	require.Equal(t, [][]byte{c.commit}, res.Steps[1].LinkedMaterials)
	require.Equal(t, [][]byte{c.deployment}, res.Steps[4].SubjectDigests)
	require.Equal(t, "production-deploy", res.Steps[4].RiskClass)

	// The links are stored: material → the attestation that used it.
	n := 0
	require.NoError(t, f.k.ProvenanceLinks.Walk(f.ctx, nil, func(collections.Pair[[]byte, []byte]) (bool, error) {
		n++
		return false, nil
	}))
	require.Equal(t, 3, n)

	// From the image: commit, build, image and its test, not the deploy.
	res, err = f.query.Provenance(f.ctx, &types.QueryProvenanceRequest{Subject: "sha256:" + hexOf(c.image)})
	require.NoError(t, err)
	require.Len(t, res.Steps, 4)
	require.Equal(t, int64(5), res.Steps[3].Height)

	// The depth bound cuts the walk and says so.
	p := types.DefaultParams()
	p.MaxProvenanceDepth = 2
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	res, err = f.query.Provenance(f.ctx, &types.QueryProvenanceRequest{Subject: hexOf(c.deployment)})
	require.NoError(t, err)
	require.True(t, res.Truncated)
	require.Len(t, res.Steps, 3) // deploy, image, test

	_, err = f.query.Provenance(f.ctx, &types.QueryProvenanceRequest{Subject: hexOf(sha("unknown"))})
	require.ErrorContains(t, err, "no attestation has subject")
}

// TestProvenanceFanOut: at most max_provenance_fan_out attestations per
// digest are followed, the most recent ones.
func TestProvenanceFanOut(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.MaxProvenanceFanOut = 2
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	ci := f.addPrincipal("acme", "ci-1", sigscheme.Ed25519, types.ActionAnchorDirect)
	artifact := sha("artifact")
	for i := 0; i < 4; i++ {
		f.nextBlock(time.Second)
		_, err := f.anchorAttestation(ci, envelope(t, ci, dsse.PayloadTypeInToto, statement(t, predRelease+"/"+string(rune('a'+i)), rd("a", artifact))), "release", scopeApp)
		require.NoError(t, err)
	}
	res, err := f.query.Provenance(f.ctx, &types.QueryProvenanceRequest{Subject: hexOf(artifact)})
	require.NoError(t, err)
	require.True(t, res.Truncated)
	require.Len(t, res.Steps, 2)
	require.Equal(t, []uint64{3, 4}, []uint64{res.Steps[0].Sequence, res.Steps[1].Sequence})
}

// TestGenesisRoundTrip: export, import into a fresh store, export again:
// the same genesis, the same store bytes (indexes and links rebuilt
// identically), the same answers.
func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	c := anchorSupplyChain(t, f)
	b := f.addPrincipal("acme", "batcher-1", sigscheme.Ed25519, types.ActionAnchor)
	l := newTestLog(t)
	l.appendN("e", 3)
	_, err := f.anchorRoot(b, logID, 3, l.root(), nil)
	require.NoError(t, err)
	l.appendN("e", 5)
	_, err = f.anchorRoot(b, logID, 8, l.root(), l.proof(3, 8))
	require.NoError(t, err)
	f.cms.Commit() // a real commit of the mounted store

	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.Len(t, gs.Logs, 1)
	require.Len(t, gs.Roots, 2)
	require.Len(t, gs.Attestations, 5)
	require.Len(t, gs.DirectUsage, 1)
	require.NoError(t, gs.Validate())

	// Through JSON, as in genesis.json.
	bz, err := f.enc.Codec.MarshalJSON(gs)
	require.NoError(t, err)
	var imported types.GenesisState
	require.NoError(t, f.enc.Codec.UnmarshalJSON(bz, &imported))

	g := newFixture(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, &imported))
	again, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
	require.Equal(t, dumpStore(f), dumpStore(g), "the imported store holds exactly the same keys and values")

	want, err := f.query.Provenance(f.ctx, &types.QueryProvenanceRequest{Subject: hexOf(c.deployment)})
	require.NoError(t, err)
	gotProv, err := g.query.Provenance(g.ctx, &types.QueryProvenanceRequest{Subject: hexOf(c.deployment)})
	require.NoError(t, err)
	require.Equal(t, want, gotProv)

	// The next attestation continues the sequence.
	ci := g.addPrincipal("acme", "ci-9", sigscheme.Ed25519, types.ActionAnchorDirect)
	res, err := g.anchorAttestation(ci, envelope(t, ci, dsse.PayloadTypeInToto, statement(t, predRelease, rd("x", sha("next")))), "release", scopeApp)
	require.NoError(t, err)
	require.Equal(t, uint64(6), res.Sequence)
}
