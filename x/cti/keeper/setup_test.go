package keeper_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/x/cti/keeper"
	"github.com/adf-consortium/adf/x/cti/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

var (
	genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ac          = addresscodec.NewBech32Codec("cosmos")
)

type principal struct {
	addr    string
	id, org string
	actions map[string]bool
	// approvals reported for subjects (exceptions needing approvals).
	required, have uint32
	// scopes, when not nil, are the only scopes the actions apply to.
	scopes map[string]bool
}

// fakeIdentity stands in for x/identity: decisions we control. Maps are
// only looked up, never iterated.
type fakeIdentity struct{ byAddr map[string]*principal }

func (f *fakeIdentity) Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error) {
	return f.AuthorizeSubject(ctx, signer, action, scope, "")
}

func (f *fakeIdentity) AuthorizeSubject(_ context.Context, signer sdk.AccAddress, action, scope, subject string) (identitytypes.Decision, error) {
	p, ok := f.byAddr[string(signer)]
	if !ok {
		return identitytypes.Decision{Reason: "unknown signer"}, nil
	}
	d := identitytypes.Decision{PrincipalId: p.id, OrgId: p.org}
	if p.actions[action] && (p.scopes == nil || p.scopes[scope]) {
		d.Allowed = true
		d.ApprovalsRequired, d.ApprovalsHave = p.required, p.have
		d.Reason = "policy allows " + action
	} else {
		d.Reason = fmt.Sprintf("no policy gives %s action %s on %q", p.id, action, scope)
	}
	return d, nil
}

type fixture struct {
	t         testing.TB
	ctx       sdk.Context
	k         keeper.Keeper
	id        *fakeIdentity
	msgs      types.MsgServer
	query     types.QueryServer
	key       *storetypes.KVStoreKey
	authority string
	n         int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	enc := moduletestutil.MakeTestEncodingConfig()
	types.RegisterInterfaces(enc.InterfaceRegistry)
	key := storetypes.NewKVStoreKey(types.StoreKey)
	cms := store.NewCommitMultiStore(dbm.NewMemDB(), log.NewNopLogger())
	cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
	require.NoError(t, cms.LoadLatestVersion())
	ctx := sdk.NewContext(cms, cmtproto.Header{Height: 1, Time: genesisTime}, false, log.NewNopLogger()).
		WithGasMeter(storetypes.NewInfiniteGasMeter())
	authority, err := ac.BytesToString(authtypes.NewModuleAddress("consortium"))
	require.NoError(t, err)
	id := &fakeIdentity{byAddr: map[string]*principal{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), id, ac, authority)
	require.NoError(t, k.InitGenesis(ctx, types.DefaultGenesis()))
	f := &fixture{t: t, ctx: ctx, k: k, id: id, msgs: keeper.NewMsgServerImpl(k), query: keeper.NewQueryServerImpl(k), key: key, authority: authority}
	f.nextBlock(0)
	return f
}

// nextBlock advances height by one and time by d, and runs BeginBlock.
func (f *fixture) nextBlock(d time.Duration) {
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(d)).
		WithEventManager(sdk.NewEventManager()).WithGasMeter(storetypes.NewInfiniteGasMeter())
	require.NoError(f.t, f.k.BeginBlocker(f.ctx))
}

func (f *fixture) addPrincipal(org, name string, actions ...string) *principal {
	f.n++
	bz := sdk.AccAddress(fmt.Appendf(nil, "addr-%015d", f.n))
	addr, err := ac.BytesToString(bz)
	require.NoError(f.t, err)
	p := &principal{addr: addr, id: org + "/" + name, org: org, actions: map[string]bool{}}
	for _, a := range actions {
		p.actions[a] = true
	}
	f.id.byAddr[string(bz)] = p
	return p
}

func dumpStore(f *fixture) map[string]string {
	out := map[string]string{}
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}

// requireRejected requires fn to fail with an error containing want and to
// leave the store and the events unchanged.
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

// malPackage is an OSV MAL- style indicator: every version of a package.
func malPackage(sourceID, eco, name string) types.Indicator {
	return types.IndicatorFromDomain(cti.Indicator{
		ID: cti.IDFor(sourceID), SourceID: sourceID, Kind: cti.KindPackage,
		Package:    &cti.PackageMatch{Ecosystem: eco, Name: name, AllVersions: true},
		Confidence: 100, Severity: cti.SeverityCritical, Labels: []string{cti.LabelMalicious},
		Summary: "Malicious code in " + name,
	})
}

func rangePackage(sourceID, eco, name, introduced, fixed string, confidence uint32) types.Indicator {
	return types.IndicatorFromDomain(cti.Indicator{
		ID: cti.IDFor(sourceID), SourceID: sourceID, Kind: cti.KindPackage,
		Package: &cti.PackageMatch{Ecosystem: eco, Name: name, Ranges: []cti.Range{{Type: cti.RangeEcosystem, Events: []cti.Event{
			{Introduced: introduced}, {Fixed: fixed},
		}}}},
		Confidence: confidence, Severity: cti.SeverityHigh,
	})
}

func valueIndicator(sourceID string, kind cti.Kind, value string, confidence uint32) types.Indicator {
	return types.IndicatorFromDomain(cti.Indicator{ID: cti.IDFor(sourceID), SourceID: sourceID, Kind: kind, Value: value, Confidence: confidence})
}

func (f *fixture) publish(p *principal, ins ...types.Indicator) *types.MsgPublishIndicatorsResponse {
	f.t.Helper()
	res, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: p.addr, Indicators: ins})
	require.NoError(f.t, err)
	return res
}

func (f *fixture) match(purls ...string) *types.QueryMatchPackagesResponse {
	f.t.Helper()
	res, err := f.query.MatchPackages(f.ctx, &types.QueryMatchPackagesRequest{Purls: purls})
	require.NoError(f.t, err)
	require.Len(f.t, res.Results, len(purls))
	return res
}
