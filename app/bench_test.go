package app_test

import (
	"fmt"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/app"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
)

// BenchmarkFinalizeBlockVotes measures the state machine alone (ante chain
// with the membership check and signature verification, message routing,
// commit) on blocks of 100 signed votes; consensus and networking excluded.
func BenchmarkFinalizeBlockVotes(b *testing.B) {
	c := startChain(b)
	acme := c.members[0]
	res := c.block(c.signedTx(acme.priv, 0, 0, nil, proposal(b, acme.addr, paramsMsg())))
	if res[0].Code != 0 {
		b.Fatal(res[0].Log)
	}
	// Votes from the secp256k1 admin: the first decides the proposal and the
	// handler refuses the rest, so every tx runs the full ante chain
	// (membership, signature, sequence) and the message router while the
	// state stays the same size from block to block.
	globex := c.members[1]
	const perBlock = 100
	seq := uint64(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		txs := make([][]byte, perBlock)
		for j := range txs {
			vote := &consortiumtypes.MsgVote{Voter: globex.addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_NO}
			txs[j] = c.signedTx(globex.priv, 1, seq, nil, vote)
			seq++
		}
		b.StartTimer()
		c.block(txs...)
	}
	b.ReportMetric(float64(b.N*perBlock)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkAnteRejectOutsider measures what a non-member costs a validator:
// the tx is refused before any signature is verified.
func BenchmarkAnteRejectOutsider(b *testing.B) {
	c := startChain(b)
	outsider := secp256k1.GenPrivKey()
	addr := sdk.AccAddress(outsider.PubKey().Address())
	tx := c.signedTx(outsider, 0, 0, nil, proposal(b, addr, paramsMsg()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := c.block(tx)
		if res[0].Code == 0 {
			b.Fatal("outsider tx accepted")
		}
	}
}

// anteBench prepares ctx (over the committed state, as in FinalizeBlock of
// the next height) and the decoded tx.
func anteBench(b *testing.B, c *testChain, txBytes []byte) (sdk.Context, sdk.Tx) {
	b.Helper()
	tx, err := c.app.TxConfig().TxDecoder()(txBytes)
	if err != nil {
		b.Fatal(err)
	}
	ctx := c.app.NewContextLegacy(true, cmtproto.Header{ChainID: chainID, Height: c.height + 1, Time: timeAt(c.height + 1)}).
		WithIsCheckTx(false).WithTxBytes(txBytes).WithEventManager(sdk.NewEventManager())
	return ctx, tx
}

// BenchmarkAnteChain runs one signed tx through the whole ante handler
// (identity check, tx-size gas, pubkey, signature gas, signature
// verification, sequence) in a cached context, per account key type. The
// signer's public key is already stored, as for every tx after an
// account's first.
func BenchmarkAnteChain(b *testing.B) {
	c := identityChain(b)
	acme := c.members[0]
	ml, err := mldsa65.GenPrivKey()
	if err != nil {
		b.Fatal(err)
	}
	keys := []struct {
		alg  string
		priv cryptotypes.PrivKey
	}{
		{"ed25519", ed25519.GenPrivKey()},
		{"ml_dsa_65", &ml},
		{"composite", newCompositePrivKey()},
	}
	for i, k := range keys {
		addr := c.registerKey(acme, "acme/ci-1", k.alg, k.priv, time.Hour)
		c.mustDeliver(k.priv, approve(addr, "repo/x", fmt.Sprintf("sha256:%02x", i)))
		ctx, tx := anteBench(b, c, c.tx(k.priv, approve(addr, "repo/y", "sha256:00")))
		ante := c.app.AnteHandler()
		b.Run("key="+k.alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cctx, _ := ctx.CacheContext()
				if _, err := ante(cctx, tx, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// An ML-DSA-65 org admin voting (admin path of Authorize).
	vote := &consortiumtypes.MsgVote{Voter: acme.addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES}
	ctx, tx := anteBench(b, c, c.tx(acme.priv, vote))
	ante := c.app.AnteHandler()
	b.Run("admin=ml_dsa_65", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cctx, _ := ctx.CacheContext()
			if _, err := ante(cctx, tx, false); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIdentityDecorator measures the identity decorator alone against
// the real x/identity keeper: a registered key allowed by a policy, an org
// admin, and an outsider (refused).
func BenchmarkIdentityDecorator(b *testing.B) {
	c := identityChain(b)
	acme := c.members[0]
	key := ed25519.GenPrivKey()
	keyAddr := c.registerKey(acme, "acme/ci-1", "ed25519", key, time.Hour)
	outsider := secp256k1.GenPrivKey()
	outAddr := sdk.AccAddress(outsider.PubKey().Address())
	dec := app.NewIdentityDecorator(app.IdentityAuthorizer{Keeper: c.app.IdentityKeeper}, c.app.InterfaceRegistry().SigningContext())
	next := func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, nil }
	cases := []struct {
		name  string
		priv  cryptotypes.PrivKey
		msg   sdk.Msg
		allow bool
	}{
		{"key-policy", key, approve(keyAddr, "repo/x", "sha256:00"), true},
		{"admin", acme.priv, &consortiumtypes.MsgVote{Voter: acme.addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES}, true},
		{"outsider", outsider, approve(outAddr, "repo/x", "sha256:00"), false},
	}
	for _, tc := range cases {
		ctx, tx := anteBench(b, c, c.tx(tc.priv, tc.msg))
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, err := dec.AnteHandle(ctx, tx, false, next)
				if (err == nil) != tc.allow {
					b.Fatalf("allowed=%v: %v", err == nil, err)
				}
			}
		})
	}
}
