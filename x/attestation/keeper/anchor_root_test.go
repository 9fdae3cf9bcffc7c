package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/attestation/types"
)

const logID = "acme/batcher-1"

// TestAnchorRootSequence anchors three roots of a growing log with real
// RFC 6962 consistency proofs and checks the log, every stored root, the
// queries and the events; then proves that later proofs against any
// anchored root verify.
func TestAnchorRootSequence(t *testing.T) {
	f := newFixture(t)
	b := f.addPrincipal("acme", "batcher-1", sigscheme.Ed25519, types.ActionAnchor)
	l := newTestLog(t)

	l.appendN("entry", 5)
	root5 := l.root()
	res, err := f.anchorRoot(b, logID, 5, root5, nil)
	require.NoError(t, err)
	require.Equal(t, uint64(0), res.PreviousTreeSize)
	require.NotNil(t, findEvent(f.ctx, "adf.attestation.v1.EventLogRegistered"))
	require.NotNil(t, findEvent(f.ctx, "adf.attestation.v1.EventRootAnchored"))
	require.Equal(t, []string{"anchor " + logID}, f.id.calls, "the handler asks x/identity itself")

	f.nextBlock(10 * time.Second)
	l.appendN("entry", 7)
	res, err = f.anchorRoot(b, logID, 12, l.root(), l.proof(5, 12))
	require.NoError(t, err)
	require.Equal(t, uint64(5), res.PreviousTreeSize)
	require.Nil(t, findEvent(f.ctx, "adf.attestation.v1.EventLogRegistered"))

	f.nextBlock(10 * time.Second)
	l.appendN("entry", 20)
	_, err = f.anchorRoot(b, logID, 32, l.root(), l.proof(12, 32))
	require.NoError(t, err)

	lg, err := f.query.Log(f.ctx, &types.QueryLogRequest{LogId: logID})
	require.NoError(t, err)
	require.Equal(t, types.Log{
		LogId: logID, OwnerOrg: "acme", RegisteredBy: b.addr, RegisteredHeight: 1,
		TreeSize: 32, RootHash: l.root(), LatestHeight: 3, LatestTime: genesisTime.Add(20 * time.Second), Anchors: 3,
	}, lg.Log)

	latest, err := f.query.LatestRoot(f.ctx, &types.QueryLatestRootRequest{LogId: logID})
	require.NoError(t, err)
	require.Equal(t, uint64(32), latest.Root.TreeSize)
	require.Equal(t, "acme/batcher-1", latest.Root.PrincipalId)

	r5, err := f.query.Root(f.ctx, &types.QueryRootRequest{LogId: logID, TreeSize: 5})
	require.NoError(t, err)
	require.Equal(t, types.AnchoredRoot{
		LogId: logID, TreeSize: 5, RootHash: root5, Height: 1, Time: genesisTime, Signer: b.addr, PrincipalId: "acme/batcher-1",
	}, r5.Root)
	_, err = f.query.Root(f.ctx, &types.QueryRootRequest{LogId: logID, TreeSize: 6})
	require.ErrorContains(t, err, "no root of log")

	// Every anchored root stays usable: a consistency proof from the first
	// anchored root to the latest, and an inclusion proof of entry 3 in
	// the root anchored at size 12, verify against the stored roots.
	r12, err := f.query.Root(f.ctx, &types.QueryRootRequest{LogId: logID, TreeSize: 12})
	require.NoError(t, err)
	require.NoError(t, merkle.VerifyConsistency(5, 32, toHashes(l.proof(5, 32)), merkle.Hash(r5.Root.RootHash), merkle.Hash(latest.Root.RootHash)))
	incl, err := merkle.InclusionProof(3, 12, l.store)
	require.NoError(t, err)
	require.NoError(t, merkle.VerifyInclusion(3, 12, merkle.LeafHash([]byte("entry-3")), incl, merkle.Hash(r12.Root.RootHash)))
}

func toHashes(p [][]byte) []merkle.Hash {
	out := make([]merkle.Hash, len(p))
	for i := range p {
		out[i] = merkle.Hash(p[i])
	}
	return out
}

// TestAnchorRootRejects: a forked or rewritten log, a wrong proof, a
// shrinking log, another organisation, an unauthorised or revoked key,
// the quota and malformed input are all refused with a clear error and no
// state change.
func TestAnchorRootRejects(t *testing.T) {
	f := newFixture(t)
	b := f.addPrincipal("acme", "batcher-1", sigscheme.Ed25519, types.ActionAnchor)
	honest := newTestLog(t)
	honest.appendN("entry", 5)
	_, err := f.anchorRoot(b, logID, 5, honest.root(), nil)
	require.NoError(t, err)
	f.nextBlock(10 * time.Second)
	honest.appendN("entry", 7) // size 12

	// Forked log: the same first 5 entries, then different ones, grown to
	// the same size. Only one continuation of the anchored root can ever
	// be anchored at a size; once the honest one is, the fork is refused
	// at that size and at every later one.
	fork := newTestLog(t)
	fork.appendN("entry", 5)
	fork.appendN("forked", 7)
	require.Equal(t, honest.size(), fork.size())

	// A proof built from the honest log does not prove the forked root.
	f.requireRejected("invalid consistency proof", func() error {
		_, err := f.anchorRoot(b, logID, 12, fork.root(), honest.proof(5, 12))
		return err
	})
	// Rewritten history: entries 0..4 changed, grown to 12; its proof
	// starts from a root that was never anchored.
	rewritten := newTestLog(t)
	rewritten.appendN("rewritten", 12)
	f.requireRejected("a rewritten or forked log cannot be anchored", func() error {
		_, err := f.anchorRoot(b, logID, 12, rewritten.root(), rewritten.proof(5, 12))
		return err
	})
	// Wrong proofs for the honest root: a flipped bit, a missing hash, an
	// extra hash, a proof for other sizes.
	good := honest.proof(5, 12)
	flipped := cloneProof(good)
	flipped[0][0] ^= 1
	for name, proof := range map[string][][]byte{
		"flipped": flipped, "short": good[:len(good)-1], "long": append(cloneProof(good), good[0]), "other sizes": honest.proof(4, 12),
	} {
		t.Run(name, func(t *testing.T) {
			f.requireRejected("invalid consistency proof", func() error {
				_, err := f.anchorRoot(b, logID, 12, honest.root(), proof)
				return err
			})
		})
	}

	// Now the honest continuation is anchored; the fork can no longer be.
	_, err = f.anchorRoot(b, logID, 12, honest.root(), good)
	require.NoError(t, err)
	f.nextBlock(10 * time.Second)
	f.requireRejected("same tree size, different root", func() error {
		_, err := f.anchorRoot(b, logID, 12, fork.root(), nil)
		return err
	})
	fork.appendN("forked", 4)
	f.requireRejected("invalid consistency proof", func() error {
		_, err := f.anchorRoot(b, logID, 16, fork.root(), fork.proof(12, 16))
		return err
	})
	f.requireRejected("root already anchored", func() error {
		_, err := f.anchorRoot(b, logID, 12, honest.root(), nil)
		return err
	})
	f.requireRejected("tree size must grow", func() error {
		root5, err := merkle.RootAt(5, honest.store)
		require.NoError(t, err)
		_, err = f.anchorRoot(b, logID, 5, root5[:], nil)
		return err
	})

	// Another organisation's batcher may not anchor acme's log.
	g := f.addPrincipal("globex", "batcher-1", sigscheme.Ed25519, types.ActionAnchor)
	honest.appendN("entry", 4) // size 16
	f.requireRejected(`log "acme/batcher-1" belongs to organization "acme"`, func() error {
		_, err := f.anchorRoot(g, logID, 16, honest.root(), honest.proof(12, 16))
		return err
	})
	// Unauthorised and revoked keys: the Authorize reason is in the error.
	ci := f.addPrincipal("acme", "ci-1", sigscheme.Ed25519, types.ActionAnchorDirect)
	f.requireRejected("may not anchor on \"acme/batcher-1\": no policy gives acme/ci-1 action anchor", func() error {
		_, err := f.anchorRoot(ci, logID, 16, honest.root(), honest.proof(12, 16))
		return err
	})
	b.deny = "key cosmos1… was revoked at height 3"
	f.requireRejected("was revoked at height 3", func() error {
		_, err := f.anchorRoot(b, logID, 16, honest.root(), honest.proof(12, 16))
		return err
	})
	b.deny = ""

	// First anchor of a new log takes no proof.
	f.requireRejected("the first root takes no consistency proof", func() error {
		_, err := f.anchorRoot(b, "acme/batcher-2", 16, honest.root(), honest.proof(12, 16))
		return err
	})

	// Malformed input.
	for name, msg := range map[string]*types.MsgAnchorRoot{
		"short root":       {Signer: b.addr, LogId: logID, TreeSize: 16, RootHash: honest.root()[:31]},
		"long root":        {Signer: b.addr, LogId: logID, TreeSize: 16, RootHash: append(honest.root(), 0)},
		"short proof hash": {Signer: b.addr, LogId: logID, TreeSize: 16, RootHash: honest.root(), ConsistencyProof: [][]byte{make([]byte, 31)}},
		"size zero":        {Signer: b.addr, LogId: logID, TreeSize: 0, RootHash: honest.root()},
		"bad log id":       {Signer: b.addr, LogId: "acme batcher", TreeSize: 16, RootHash: honest.root()},
		"bad signer":       {Signer: "nope", LogId: logID, TreeSize: 16, RootHash: honest.root()},
	} {
		t.Run(name, func(t *testing.T) {
			if name != "bad signer" {
				require.Error(t, msg.ValidateBasic())
			}
			f.requireRejected("", func() error {
				_, err := f.msgs.AnchorRoot(f.ctx, msg)
				return err
			})
		})
	}

	// Still consistent after all that: the honest log continues.
	_, err = f.anchorRoot(b, logID, 16, honest.root(), honest.proof(12, 16))
	require.NoError(t, err)
}

func cloneProof(p [][]byte) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i]...)
	}
	return out
}

// TestAnchorRootQuota: one anchor may grow a log by at most
// max_entries_per_epoch_per_org entries, the first anchor included.
func TestAnchorRootQuota(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.MaxEntriesPerEpochPerOrg = 10
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	b := f.addPrincipal("acme", "batcher-1", sigscheme.Ed25519, types.ActionAnchor)
	l := newTestLog(t)
	l.appendN("e", 11)
	f.requireRejected("grows by 11 entries (tree_size 0 → 11); max_entries_per_epoch_per_org is 10", func() error {
		_, err := f.anchorRoot(b, logID, 11, l.root(), nil)
		return err
	})
	root10, err := merkle.RootAt(10, l.store)
	require.NoError(t, err)
	_, err = f.anchorRoot(b, logID, 10, root10[:], nil)
	require.NoError(t, err)
	l.appendN("e", 10) // 21
	f.requireRejected("quota exceeded", func() error {
		_, err := f.anchorRoot(b, logID, 21, l.root(), l.proof(10, 21))
		return err
	})
	root20, err := merkle.RootAt(20, l.store)
	require.NoError(t, err)
	_, err = f.anchorRoot(b, logID, 20, root20[:], l.proof(10, 20))
	require.NoError(t, err)
	_, err = f.anchorRoot(b, logID, 21, l.root(), l.proof(20, 21))
	require.NoError(t, err)
}
