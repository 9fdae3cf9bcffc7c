package app_test

import (
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

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
