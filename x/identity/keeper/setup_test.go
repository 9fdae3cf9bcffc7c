package keeper_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"testing"
	"time"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/identity/keeper"
	"github.com/adf-consortium/adf/x/identity/types"
)

var genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var ac = addresscodec.NewBech32Codec("cosmos")

// fakeConsortium is a small stand-in for x/consortium: admins of orgs and
// org status. Maps are only looked up, never iterated.
type fakeConsortium struct {
	admins map[string]string // address bytes → org id
	orgs   map[string]bool   // org id → active
}

func (c *fakeConsortium) IsActiveMember(_ context.Context, addr sdk.AccAddress) (string, bool, error) {
	org, ok := c.admins[string(addr)]
	if !ok || !c.orgs[org] {
		return "", false, nil
	}
	return org, true, nil
}

func (c *fakeConsortium) IsActiveOrg(_ context.Context, orgID string) (bool, error) {
	return c.orgs[orgID], nil
}

// fixture is an identity keeper on a real in-memory store with the real
// x/auth keeper and a fake consortium of two organisations, acme and globex.
type fixture struct {
	t         testing.TB
	ctx       sdk.Context
	k         keeper.Keeper
	ak        authkeeper.AccountKeeper
	cons      *fakeConsortium
	msgs      types.MsgServer
	query     types.QueryServer
	key       *storetypes.KVStoreKey
	enc       moduletestutil.TestEncodingConfig
	authority string
	admins    map[string]string // org → admin address
}

func acct(seed string) string {
	s, err := ac.BytesToString(ed25519.GenPrivKeyFromSecret([]byte("acct-" + seed)).PubKey().Address())
	if err != nil {
		panic(err)
	}
	return s
}

func mustAddr(s string) sdk.AccAddress {
	bz, err := ac.StringToBytes(s)
	if err != nil {
		panic(err)
	}
	return bz
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	enc := moduletestutil.MakeTestEncodingConfig()
	types.RegisterInterfaces(enc.InterfaceRegistry)
	authtypes.RegisterInterfaces(enc.InterfaceRegistry)

	key := storetypes.NewKVStoreKey(types.StoreKey)
	authKey := storetypes.NewKVStoreKey(authtypes.StoreKey)
	// Each store gets its own prefix of one MemDB (testutil's
	// DefaultContextWithKeys shares the raw DB between stores, which breaks
	// Commit, and the benchmark commits).
	cms := store.NewCommitMultiStore(dbm.NewMemDB(), log.NewNopLogger())
	cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
	cms.MountStoreWithDB(authKey, storetypes.StoreTypeIAVL, nil)
	require.NoError(t, cms.LoadLatestVersion())
	ctx := sdk.NewContext(cms, cmtproto.Header{}, false, log.NewNopLogger())
	ctx = ctx.WithBlockHeader(cmtproto.Header{Height: 1, Time: genesisTime, ChainID: "adf-test"})

	authority, err := ac.BytesToString(authtypes.NewModuleAddress("consortium"))
	require.NoError(t, err)
	ak := authkeeper.NewAccountKeeper(enc.Codec, runtime.NewKVStoreService(authKey), authtypes.ProtoBaseAccount,
		nil, ac, "cosmos", authority)

	cons := &fakeConsortium{admins: map[string]string{}, orgs: map[string]bool{"acme": true, "globex": true}}
	admins := map[string]string{}
	for _, org := range []string{"acme", "globex"} {
		a := acct("admin-" + org)
		admins[org] = a
		cons.admins[string(mustAddr(a))] = org
	}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), ak, cons, authority)
	require.NoError(t, k.InitGenesis(ctx, types.DefaultGenesis()))
	return &fixture{
		t: t, ctx: ctx, k: k, ak: ak, cons: cons,
		msgs: keeper.NewMsgServerImpl(k), query: keeper.NewQueryServerImpl(k),
		key: key, enc: enc, authority: authority, admins: admins,
	}
}

// nextBlock advances height by one and time by d.
func (f *fixture) nextBlock(d time.Duration) {
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(d)).
		WithEventManager(sdk.NewEventManager())
}

// genKey derives a reproducible key pair from seed.
func genKey(t testing.TB, alg sigscheme.Algorithm, seed string) sigscheme.PrivateKey {
	t.Helper()
	sum := sha512.Sum512([]byte(seed))
	sk, err := sigscheme.GenerateKey(alg, bytes.NewReader(sum[:]))
	require.NoError(t, err)
	return sk
}

func (f *fixture) registerPrincipal(org, id string, roles ...string) {
	f.t.Helper()
	_, err := f.msgs.RegisterPrincipal(f.ctx, &types.MsgRegisterPrincipal{
		Admin: f.admins[org], Id: id, Kind: types.PRINCIPAL_KIND_CI_RUNNER, Roles: roles,
	})
	require.NoError(f.t, err)
}

// keyMsg is a register-key message signed by the principal's org admin,
// valid from now for ttl.
func (f *fixture) keyMsg(principal string, alg sigscheme.Algorithm, seed string, ttl time.Duration, scopes ...string) *types.MsgRegisterKey {
	org, _, err := types.SplitPrincipalID(principal)
	require.NoError(f.t, err)
	now := f.ctx.BlockTime()
	return &types.MsgRegisterKey{
		Signer: f.admins[org], PrincipalId: principal, Algorithm: alg.String(),
		PublicKey: genKey(f.t, alg, seed).Public().Bytes(), NotBefore: now, NotAfter: now.Add(ttl), Scopes: scopes,
	}
}

// registerKey registers an ed25519 key (seed) for principal and returns its address.
func (f *fixture) registerKey(principal, seed string, ttl time.Duration, scopes ...string) string {
	f.t.Helper()
	res, err := f.msgs.RegisterKey(f.ctx, f.keyMsg(principal, sigscheme.Ed25519, seed, ttl, scopes...))
	require.NoError(f.t, err)
	return res.Address
}

func (f *fixture) setPolicy(id, role, action, pattern string, approvals uint32) {
	f.t.Helper()
	_, err := f.msgs.SetPolicy(f.ctx, &types.MsgSetPolicy{Authority: f.authority, Policy: types.Policy{
		Id: id, Role: role, Action: action, ScopePattern: pattern, ApprovalsRequired: approvals,
	}})
	require.NoError(f.t, err)
}

func (f *fixture) authorize(signer, action, scope string) types.Decision {
	f.t.Helper()
	d, err := f.k.Authorize(f.ctx, mustAddr(signer), action, scope)
	require.NoError(f.t, err)
	return d
}

func (f *fixture) getKey(addr string) types.Key {
	f.t.Helper()
	k, found, err := f.k.KeyInfo(f.ctx, mustAddr(addr))
	require.NoError(f.t, err)
	require.True(f.t, found, addr)
	return k
}

// dumpStore returns every key/value of the identity store.
func dumpStore(f *fixture) map[string]string {
	out := map[string]string{}
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}

// requireUnchanged runs fn, requires it to fail with an error containing
// want, and requires the identity store and the event list to be unchanged.
func (f *fixture) requireRejected(want string, fn func() error) {
	f.t.Helper()
	before := dumpStore(f)
	events := len(f.ctx.EventManager().Events())
	err := fn()
	require.Error(f.t, err)
	require.Contains(f.t, err.Error(), want)
	require.Equal(f.t, before, dumpStore(f), "a rejected message changed state")
	require.Equal(f.t, events, len(f.ctx.EventManager().Events()), "a rejected message emitted events")
}

func findEvent(ctx sdk.Context, name string) *sdk.Event {
	for _, e := range ctx.EventManager().Events() {
		if e.Type == name {
			return &e
		}
	}
	return nil
}

func joinExpiry(t time.Time, addr sdk.AccAddress) collections.Pair[time.Time, sdk.AccAddress] {
	return collections.Join(t, addr)
}

type collPair = collections.Pair[string, string]

type expiryKey = collections.Pair[time.Time, sdk.AccAddress]
