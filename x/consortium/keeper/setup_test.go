package keeper_test

import (
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/baseapp"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/x/consortium/keeper"
	"github.com/adf-consortium/adf/x/consortium/types"
)

var genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fixture is a consortium keeper on a real in-memory store with the real
// x/auth keeper and a real MsgServiceRouter, so proposals really execute.
type fixture struct {
	t         *testing.T
	ctx       sdk.Context
	k         keeper.Keeper
	ak        authkeeper.AccountKeeper
	msgs      types.MsgServer
	query     types.QueryServer
	router    *baseapp.MsgServiceRouter
	key       *storetypes.KVStoreKey
	enc       moduletestutil.TestEncodingConfig
	authority string
	// admins[org] are the admin addresses of the genesis orgs
	admins map[string][]string
	// privs[name] are the genesis validators' keys
	privs map[string]cryptotypes.PrivKey
}

var ac = addresscodec.NewBech32Codec("cosmos")

func addr(seed string) string {
	s, err := ac.BytesToString(ed25519.GenPrivKeyFromSecret([]byte("acct-" + seed)).PubKey().Address())
	if err != nil {
		panic(err)
	}
	return s
}

func edKey(seed string) *ed25519.PrivKey { return ed25519.GenPrivKeyFromSecret([]byte("val-" + seed)) }

func mldsaKey(t *testing.T, seed byte) mldsa65.PrivKey {
	t.Helper()
	s := make([]byte, 32)
	for i := range s {
		s[i] = seed
	}
	k, err := mldsa65.GenPrivKeyFromSeed(s)
	require.NoError(t, err)
	return k
}

// newBareFixture wires the stores, keepers and router without genesis.
func newBareFixture(t *testing.T) *fixture {
	t.Helper()
	enc := moduletestutil.MakeTestEncodingConfig()
	types.RegisterInterfaces(enc.InterfaceRegistry)
	authtypes.RegisterInterfaces(enc.InterfaceRegistry)

	key := storetypes.NewKVStoreKey(types.StoreKey)
	authKey := storetypes.NewKVStoreKey(authtypes.StoreKey)
	ctx := testutil.DefaultContextWithKeys(
		map[string]*storetypes.KVStoreKey{types.StoreKey: key, authtypes.StoreKey: authKey},
		map[string]*storetypes.TransientStoreKey{}, nil)
	ctx = ctx.WithBlockHeader(cmtproto.Header{Height: 1, Time: genesisTime, ChainID: "adf-test"})

	authority, err := ac.BytesToString(authtypes.NewModuleAddress(types.ModuleName))
	require.NoError(t, err)
	ak := authkeeper.NewAccountKeeper(enc.Codec, runtime.NewKVStoreService(authKey), authtypes.ProtoBaseAccount,
		nil, ac, "cosmos", authority)

	router := baseapp.NewMsgServiceRouter()
	router.SetInterfaceRegistry(enc.InterfaceRegistry)
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), ak, router, authority)
	types.RegisterMsgServer(router, keeper.NewMsgServerImpl(k))

	return &fixture{
		t: t, ctx: ctx, k: k, ak: ak, msgs: keeper.NewMsgServerImpl(k), query: keeper.NewQueryServerImpl(k),
		router: router, key: key, enc: enc, authority: authority,
		admins: map[string][]string{}, privs: map[string]cryptotypes.PrivKey{},
	}
}

// fourOrgGenesis: orgs org-a..org-d (org-a has two admins), one ed25519
// validator of power 10 each (val-a..val-d).
func fourOrgGenesis(t *testing.T, f *fixture) *types.GenesisState {
	t.Helper()
	gs := types.DefaultGenesis()
	for _, o := range []string{"a", "b", "c", "d"} {
		id := "org-" + o
		admins := []string{addr(o + "1")}
		if o == "a" {
			admins = append(admins, addr("a2"))
		}
		f.admins[id] = admins
		gs.Organizations = append(gs.Organizations, types.Organization{
			Id: id, Name: "Org " + strings.ToUpper(o), Admins: admins, Status: types.ORG_STATUS_ACTIVE,
		})
		priv := edKey(o)
		f.privs["val-"+o] = priv
		v, err := types.NewValidator("val-"+o, id, priv.PubKey(), 10)
		require.NoError(t, err)
		gs.Validators = append(gs.Validators, v)
	}
	return gs
}

// newFixture is a four-organisation consortium after InitGenesis.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := newBareFixture(t)
	gs := fourOrgGenesis(t, f)
	updates, err := f.k.InitGenesis(f.ctx, gs)
	require.NoError(t, err)
	require.Len(t, updates, 4)
	return f
}

func (f *fixture) admin(org string) string { return f.admins[org][0] }

// nextBlock advances height by one and time by d.
func (f *fixture) nextBlock(d time.Duration) {
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(d)).
		WithEventManager(sdk.NewEventManager())
}

func (f *fixture) submit(proposer string, msgs ...sdk.Msg) (uint64, error) {
	m, err := types.NewMsgSubmitProposal(proposer, msgs, "title", "summary")
	require.NoError(f.t, err)
	res, err := f.msgs.SubmitProposal(f.ctx, m)
	if err != nil {
		return 0, err
	}
	return res.ProposalId, nil
}

func (f *fixture) mustSubmit(proposer string, msgs ...sdk.Msg) uint64 {
	id, err := f.submit(proposer, msgs...)
	require.NoError(f.t, err)
	return id
}

func (f *fixture) vote(voter string, id uint64, opt types.VoteOption) (types.ProposalStatus, error) {
	res, err := f.msgs.Vote(f.ctx, &types.MsgVote{Voter: voter, ProposalId: id, Option: opt})
	if err != nil {
		return types.PROPOSAL_STATUS_UNSPECIFIED, err
	}
	return res.Status, nil
}

func (f *fixture) mustVote(voter string, id uint64, opt types.VoteOption) types.ProposalStatus {
	st, err := f.vote(voter, id, opt)
	require.NoError(f.t, err)
	return st
}

// pass submits msgs and has org-a, org-b and org-c vote yes (3 of 4).
func (f *fixture) pass(msgs ...sdk.Msg) types.Proposal {
	id := f.mustSubmit(f.admin("org-a"), msgs...)
	f.mustVote(f.admin("org-a"), id, types.VOTE_OPTION_YES)
	f.mustVote(f.admin("org-b"), id, types.VOTE_OPTION_YES)
	f.mustVote(f.admin("org-c"), id, types.VOTE_OPTION_YES)
	return f.proposal(id)
}

func (f *fixture) proposal(id uint64) types.Proposal {
	p, err := f.k.Proposals.Get(f.ctx, id)
	require.NoError(f.t, err)
	return p
}

func (f *fixture) validator(name string) types.Validator {
	v, err := f.k.Validators.Get(f.ctx, name)
	require.NoError(f.t, err)
	return v
}

func (f *fixture) endBlock() []abci.ValidatorUpdate {
	var updates []abci.ValidatorUpdate
	require.NotPanics(f.t, func() {
		var err error
		updates, err = f.k.EndBlocker(f.ctx)
		require.NoError(f.t, err)
	})
	return updates
}

func (f *fixture) addValidatorMsg(name, org string, pk cryptotypes.PubKey, power int64) *types.MsgAddValidator {
	m, err := types.NewMsgAddValidator(f.authority, name, org, pk, power)
	require.NoError(f.t, err)
	return m
}

// updatePower finds the update for pk (nil when absent).
func updateFor(t *testing.T, updates []abci.ValidatorUpdate, pk cryptotypes.PubKey) *abci.ValidatorUpdate {
	t.Helper()
	for i := range updates {
		if string(updates[i].PubKey.GetEd25519()) == string(pk.Bytes()) && updates[i].PubKey.GetEd25519() != nil {
			return &updates[i]
		}
		if updates[i].PubKey.GetMldsa65() != nil && string(updates[i].PubKey.GetMldsa65()) == string(pk.Bytes()) {
			return &updates[i]
		}
	}
	return nil
}

func findEvent(ctx sdk.Context, name string) *sdk.Event {
	for _, e := range ctx.EventManager().Events() {
		if e.Type == name {
			return &e
		}
	}
	return nil
}

func eventAttr(e *sdk.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}
