package keeper_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	ctitypes "github.com/adf-consortium/adf/x/cti/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	"github.com/adf-consortium/adf/x/telemetry/keeper"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

var (
	genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ac          = addresscodec.NewBech32Codec("cosmos")
)

type principal struct {
	addr    string
	id, org string
	kind    identitytypes.PrincipalKind
	actions map[string]bool
	// scopes, when not nil, are the only scopes the actions apply to.
	scopes map[string]bool
}

// fakeIdentity stands in for x/identity. Maps are only looked up.
type fakeIdentity struct {
	byAddr map[string]*principal
	byID   map[string]*principal
}

func (f *fakeIdentity) Authorize(_ context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error) {
	p, ok := f.byAddr[string(signer)]
	if !ok {
		return identitytypes.Decision{Reason: "unknown signer"}, nil
	}
	d := identitytypes.Decision{PrincipalId: p.id, OrgId: p.org}
	if p.actions[action] && (p.scopes == nil || p.scopes[scope]) {
		d.Allowed = true
		d.Reason = "policy allows " + action
	} else {
		d.Reason = fmt.Sprintf("no policy gives %s action %s on %q", p.id, action, scope)
	}
	return d, nil
}

func (f *fakeIdentity) GetPrincipal(_ context.Context, id string) (identitytypes.Principal, bool, error) {
	p, ok := f.byID[id]
	if !ok {
		return identitytypes.Principal{}, false, nil
	}
	return identitytypes.Principal{Id: p.id, OrgId: p.org, Kind: p.kind, Status: identitytypes.PRINCIPAL_STATUS_ACTIVE}, true, nil
}

// fakeAttestation knows the anchored subjects.
type fakeAttestation struct{ subjects map[string]bool }

func (f *fakeAttestation) HasSubject(_ context.Context, subject []byte) (bool, error) {
	return f.subjects[string(subject)], nil
}

// fakeCTI answers a decision per purl (pass when unknown) and counts calls.
type fakeCTI struct {
	decisions map[string]string
	calls     int
	purls     int
}

func (f *fakeCTI) MatchDevicePackages(_ context.Context, purls []string) ([]ctitypes.PackageResult, error) {
	f.calls++
	f.purls += len(purls)
	out := make([]ctitypes.PackageResult, 0, len(purls))
	for _, p := range purls {
		r := ctitypes.PackageResult{Purl: p, Decision: "pass"}
		if d, ok := f.decisions[p]; ok {
			r.Decision = d
			r.Matches = []ctitypes.Match{{IndicatorId: "ind-" + p[len(p)-5:], Decision: d}}
		}
		out = append(out, r)
	}
	return out, nil
}

type fixture struct {
	t         testing.TB
	ctx       sdk.Context
	k         keeper.Keeper
	id        *fakeIdentity
	att       *fakeAttestation
	cti       *fakeCTI
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
	id := &fakeIdentity{byAddr: map[string]*principal{}, byID: map[string]*principal{}}
	att := &fakeAttestation{subjects: map[string]bool{}}
	ct := &fakeCTI{decisions: map[string]string{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), id, att, ct, ac, authority)
	require.NoError(t, k.InitGenesis(ctx, types.DefaultGenesis()))
	f := &fixture{t: t, ctx: ctx, k: k, id: id, att: att, cti: ct, msgs: keeper.NewMsgServerImpl(k),
		query: keeper.NewQueryServerImpl(k), key: key, authority: authority}
	f.nextBlock(0)
	return f
}

// nextBlock ends the block (EndBlocker) and starts the next one d later.
func (f *fixture) nextBlock(d time.Duration) {
	require.NoError(f.t, f.k.EndBlocker(f.ctx))
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(d)).
		WithEventManager(sdk.NewEventManager()).WithGasMeter(storetypes.NewInfiniteGasMeter())
}

func (f *fixture) now() int64 { return f.ctx.BlockTime().Unix() }

func (f *fixture) addPrincipal(org, name string, kind identitytypes.PrincipalKind, actions ...string) *principal {
	f.n++
	bz := sdk.AccAddress(fmt.Appendf(nil, "addr-%015d", f.n))
	addr, err := ac.BytesToString(bz)
	require.NoError(f.t, err)
	p := &principal{addr: addr, id: org + "/" + name, org: org, kind: kind, actions: map[string]bool{}}
	for _, a := range actions {
		p.actions[a] = true
	}
	f.id.byAddr[string(bz)] = p
	f.id.byID[p.id] = p
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

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

// anchor marks an artifact digest as anchored.
func (f *fixture) anchor(d string) {
	b, err := hex.DecodeString(d[len("sha256:"):])
	require.NoError(f.t, err)
	f.att.subjects[string(b)] = true
}

func (f *fixture) register(p *principal, id, class, artifact string, channels []string, purls ...string) *types.MsgRegisterDeviceResponse {
	f.t.Helper()
	res, err := f.msgs.RegisterDevice(f.ctx, &types.MsgRegisterDevice{Signer: p.addr, Id: id, Class: class, ArtifactDigest: artifact,
		Firmware: "1.0.0", Channels: channels, Purls: purls})
	require.NoError(f.t, err)
	return res
}

func (f *fixture) input(device string, channels ...string) types.ReportInput {
	now := f.now()
	return types.ReportInput{DeviceId: device, WindowStart: now - 60, WindowEnd: now, Channels: channels,
		Score: 2_000_000, Threshold: 1_000_000, Method: "sparse", ModelDigest: digest("model"), EvidenceDigest: digest(fmt.Sprint("ev", now))}
}

func (f *fixture) submit(p *principal, ins ...types.ReportInput) *types.MsgSubmitReportsResponse {
	f.t.Helper()
	res, err := f.msgs.SubmitReports(f.ctx, &types.MsgSubmitReports{Signer: p.addr, Reports: ins})
	require.NoError(f.t, err)
	return res
}

func (f *fixture) incident(id uint64) types.Incident {
	f.t.Helper()
	res, err := f.query.Incident(f.ctx, &types.QueryIncidentRequest{Id: id})
	require.NoError(f.t, err)
	return res.Incident
}

func (f *fixture) state(id string) *types.QueryDeviceStateResponse {
	f.t.Helper()
	res, err := f.query.DeviceState(f.ctx, &types.QueryDeviceStateRequest{Id: id})
	require.NoError(f.t, err)
	return res
}

// eventTypes lists the types of the events emitted in the current block.
func (f *fixture) eventTypes() []string {
	var out []string
	for _, e := range f.ctx.EventManager().Events() {
		out = append(out, e.Type)
	}
	return out
}

// eventAttr returns an attribute of the last event of type typ.
func (f *fixture) eventAttr(typ, key string) string {
	evs := f.ctx.EventManager().Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type != typ {
			continue
		}
		for _, a := range evs[i].Attributes {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}
