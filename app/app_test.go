package app_test

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/app"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
)

const chainID = "adf-test-1"

type member struct {
	org  string
	priv cryptotypes.PrivKey
	addr sdk.AccAddress
}

type testChain struct {
	t       testing.TB
	app     *app.App
	members []member
	height  int64
	// skew moves block time forward from timeAt(height), to let keys expire.
	skew time.Duration
}

func newApp(t testing.TB) *app.App {
	t.Helper()
	return app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()), baseapp.SetChainID(chainID))
}

// genesisState builds a consortium of two orgs with one validator each: one
// Ed25519, one ML-DSA-65; the first org's admin uses an ML-DSA-65 account key.
func genesisState(t testing.TB, a *app.App) (map[string]json.RawMessage, []member) {
	t.Helper()
	acmeKey, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	return genesisStateWith(t, a, []member{
		{org: "acme", priv: &acmeKey},
		{org: "globex", priv: secp256k1.GenPrivKey()},
	})
}

// genesisStateWith builds a consortium of the given orgs, each with its admin
// key; the first two orgs have a validator each (ML-DSA-65, Ed25519).
func genesisStateWith(t testing.TB, a *app.App, members []member) (map[string]json.RawMessage, []member) {
	t.Helper()
	cdc := a.AppCodec()
	state := a.DefaultGenesis()
	valKey, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	gs := consortiumtypes.DefaultGenesis()
	var accounts authtypes.GenesisAccounts
	valKeys := []cryptotypes.PubKey{valKey.PubKey(), ed25519.GenPrivKey().PubKey()}
	for i := range members {
		members[i].addr = sdk.AccAddress(members[i].priv.PubKey().Address())
		gs.Organizations = append(gs.Organizations, consortiumtypes.Organization{
			Id: members[i].org, Name: strings.ToUpper(members[i].org), Admins: []string{members[i].addr.String()},
			Status: consortiumtypes.ORG_STATUS_ACTIVE,
		})
		if i < len(valKeys) {
			v, err := consortiumtypes.NewValidator(members[i].org+"-val", members[i].org, valKeys[i], 10)
			require.NoError(t, err)
			gs.Validators = append(gs.Validators, v)
		}
		accounts = append(accounts, authtypes.NewBaseAccount(members[i].addr, nil, uint64(i), 0))
	}
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	state[consortiumtypes.ModuleName] = bz
	packed, err := authtypes.PackAccounts(accounts)
	require.NoError(t, err)
	authGen := authtypes.NewGenesisState(authtypes.DefaultParams(), accounts)
	authGen.Accounts = packed
	state[authtypes.ModuleName] = cdc.MustMarshalJSON(authGen)
	return state, members
}

func consensusParams() *cmtproto.ConsensusParams {
	p := cmttypes.DefaultConsensusParams()
	p.Validator.PubKeyTypes = []string{"ed25519", "ml_dsa_65"}
	pp := p.ToProto()
	return &pp
}

func startChain(t testing.TB) *testChain {
	t.Helper()
	return startChainWith(t, nil)
}

// startChainWith starts a chain whose orgs have the given admins; nil means
// genesisState's two orgs.
func startChainWith(t testing.TB, admins []member) *testChain {
	t.Helper()
	a := newApp(t)
	var state map[string]json.RawMessage
	var members []member
	if admins == nil {
		state, members = genesisState(t, a)
	} else {
		state, members = genesisStateWith(t, a, admins)
	}
	raw, err := json.Marshal(state)
	require.NoError(t, err)
	res, err := a.InitChain(&abci.RequestInitChain{ChainId: chainID, AppStateBytes: raw, ConsensusParams: consensusParams(), InitialHeight: 1})
	require.NoError(t, err)
	require.Len(t, res.Validators, 2, "InitChain must hand CometBFT the genesis validator set")
	c := &testChain{t: t, app: a, members: members}
	c.block()
	return c
}

// blockTime is the time of the current height.
func (c *testChain) blockTime() time.Time { return timeAt(c.height).Add(c.skew) }

// block finalises and commits one block carrying txs, returning their results.
func (c *testChain) block(txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	c.height++
	res, err := c.app.FinalizeBlock(&abci.RequestFinalizeBlock{Height: c.height, Txs: txs, Time: c.blockTime()})
	require.NoError(c.t, err)
	_, err = c.app.Commit()
	require.NoError(c.t, err)
	return res.TxResults
}

func (c *testChain) signedTx(signer cryptotypes.PrivKey, accNum, seq uint64, fee sdk.Coins, msgs ...sdk.Msg) []byte {
	c.t.Helper()
	txCfg := c.app.TxConfig()
	tx, err := simtestutil.GenSignedMockTx(rand.New(rand.NewSource(1)), txCfg, msgs, fee, 1_000_000, chainID, []uint64{accNum}, []uint64{seq}, signer)
	require.NoError(c.t, err)
	bz, err := txCfg.TxEncoder()(tx)
	require.NoError(c.t, err)
	return bz
}

func proposal(t testing.TB, proposer sdk.AccAddress, msgs ...sdk.Msg) *consortiumtypes.MsgSubmitProposal {
	t.Helper()
	anys := make([]*codectypes.Any, 0, len(msgs))
	for _, m := range msgs {
		a, err := codectypes.NewAnyWithValue(m)
		require.NoError(t, err)
		anys = append(anys, a)
	}
	return &consortiumtypes.MsgSubmitProposal{Proposer: proposer.String(), Messages: anys, Title: "t", Summary: "s"}
}

func paramsMsg() *consortiumtypes.MsgUpdateParams {
	p := consortiumtypes.DefaultParams()
	p.MaxValidatorPower = 500
	return &consortiumtypes.MsgUpdateParams{Authority: app.Authority(), Params: p}
}

func TestMemberTransactionsExecute(t *testing.T) {
	c := startChain(t)
	acme := c.members[0]
	// The ML-DSA-65 admin signs a proposal; the Secp256k1 admin of the
	// second org votes for it; 2 of 2 orgs pass it.
	res := c.block(c.signedTx(acme.priv, 0, 0, nil, proposal(t, acme.addr, paramsMsg())))
	require.Equal(t, uint32(0), res[0].Code, res[0].Log)
	globex := c.members[1]
	vote := &consortiumtypes.MsgVote{Voter: acme.addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES}
	res = c.block(c.signedTx(acme.priv, 0, 1, nil, vote))
	require.Equal(t, uint32(0), res[0].Code, res[0].Log)
	vote2 := &consortiumtypes.MsgVote{Voter: globex.addr.String(), ProposalId: 1, Option: consortiumtypes.VOTE_OPTION_YES}
	res = c.block(c.signedTx(globex.priv, 1, 0, nil, vote2))
	require.Equal(t, uint32(0), res[0].Code, res[0].Log)

	ctx := c.app.NewContext(true)
	gs, err := c.app.ConsortiumKeeper.ExportGenesis(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(500), gs.Params.MaxValidatorPower, "the passed proposal must have changed the params")
}

func TestAnteRejectsNonMembersAndFees(t *testing.T) {
	c := startChain(t)
	acme := c.members[0]

	outsider := secp256k1.GenPrivKey()
	outsiderAddr := sdk.AccAddress(outsider.PubKey().Address())
	res := c.block(c.signedTx(outsider, 0, 0, nil, proposal(t, outsiderAddr, paramsMsg())))
	require.NotEqual(t, uint32(0), res[0].Code)
	require.Contains(t, res[0].Log, "neither a registered key nor an admin of an active organization")

	fee := sdk.NewCoins(sdk.NewInt64Coin("uadf", 5))
	res = c.block(c.signedTx(acme.priv, 0, 0, fee, proposal(t, acme.addr, paramsMsg())))
	require.NotEqual(t, uint32(0), res[0].Code)
	require.Contains(t, res[0].Log, "ADF charges no fees")

	// Neither rejected tx consumed the admin's sequence: sequence 0 still works.
	res = c.block(c.signedTx(acme.priv, 0, 0, nil, proposal(t, acme.addr, paramsMsg())))
	require.Equal(t, uint32(0), res[0].Code, res[0].Log)
}

func TestCheckTxRejectsNonMember(t *testing.T) {
	c := startChain(t)
	outsider := secp256k1.GenPrivKey()
	outsiderAddr := sdk.AccAddress(outsider.PubKey().Address())
	resp, err := c.app.CheckTx(&abci.RequestCheckTx{Tx: c.signedTx(outsider, 0, 0, nil, proposal(t, outsiderAddr, paramsMsg())), Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.NotEqual(t, uint32(0), resp.Code)
	require.Contains(t, resp.Log, "neither a registered key nor an admin")
}

func TestExportImportRoundTrip(t *testing.T) {
	c := startChain(t)
	acme := c.members[0]
	res := c.block(c.signedTx(acme.priv, 0, 0, nil, proposal(t, acme.addr, paramsMsg())))
	require.Equal(t, uint32(0), res[0].Code, res[0].Log)

	exported, err := c.app.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	require.Len(t, exported.Validators, 2)

	b := newApp(t)
	_, err = b.InitChain(&abci.RequestInitChain{ChainId: chainID, AppStateBytes: exported.AppState, ConsensusParams: consensusParams(), InitialHeight: exported.Height})
	require.NoError(t, err)
	_, err = b.FinalizeBlock(&abci.RequestFinalizeBlock{Height: exported.Height, Time: timeAt(exported.Height)})
	require.NoError(t, err)
	_, err = b.Commit()
	require.NoError(t, err)
	again, err := b.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	require.JSONEq(t, string(exported.AppState), string(again.AppState))
}

func TestCloseIsIdempotent(t *testing.T) {
	a := newApp(t)
	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
}
