package keeper_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/telemetry"
	ctitypes "github.com/adf-consortium/adf/x/cti/types"
	"github.com/adf-consortium/adf/x/telemetry/keeper"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

// tableCTI answers x/cti's gate decisions from the conformance table
// (conformance.TelemetryMatches); a purl the table does not list is an
// error, so that the table and the devices cannot drift apart.
type tableCTI map[string]telemetry.DependencyMatch

func (c tableCTI) MatchDevicePackages(_ context.Context, purls []string) ([]ctitypes.PackageResult, error) {
	out := make([]ctitypes.PackageResult, 0, len(purls))
	for _, p := range purls {
		m, ok := c[p]
		if !ok {
			return nil, fmt.Errorf("purl %s is not in conformance.TelemetryMatches", p)
		}
		r := ctitypes.PackageResult{Purl: p, Decision: m.Decision}
		for _, id := range m.IndicatorIDs {
			r.Matches = append(r.Matches, ctitypes.Match{IndicatorId: id, Decision: m.Decision})
		}
		out = append(out, r)
	}
	return out, nil
}

// newTableFixture is newFixture with the CTI signal taken from the
// conformance table and the table's params.
func newTableFixture(t *testing.T) *fixture {
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
	ct := tableCTI{}
	for _, m := range conformance.TelemetryMatches() {
		ct[m.Purl] = m
	}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), id, att, ct, ac, authority)
	gs := types.DefaultGenesis()
	gs.Params = types.ParamsFromDomain(conformance.TelemetryParams(), types.DefaultGasPerPurl)
	require.NoError(t, k.InitGenesis(ctx, gs))
	f := &fixture{t: t, ctx: ctx, k: k, id: id, att: att, msgs: keeper.NewMsgServerImpl(k),
		query: keeper.NewQueryServerImpl(k), key: key, authority: authority}
	f.nextBlock(0)
	return f
}

// TestConformance runs pkg/conformance's telemetry table against the
// keeper; chaincode/telemetry's TestConformance runs the same table
// against the Fabric contract. Each step runs in a block of its own at the
// table's time.
func TestConformance(t *testing.T) {
	f := newTableFixture(t)
	f.anchor(conformance.TelemetryAttested())
	org := conformance.TelemetryOrg
	by := map[string]*principal{
		conformance.TelemetryOperator: f.addPrincipal(org, "ops", kindOperator, actRegister, actHandle),
		conformance.Detector1:         f.addPrincipal(org, "det-1", kindDetector, actReport),
		conformance.Detector2:         f.addPrincipal(org, "det-2", kindDetector, actReport),
		// The report-anomaly right without the detector kind.
		conformance.TelemetryGateway: f.addPrincipal(org, "gw", kindOperator, actReport),
	}
	for id, p := range by {
		require.Equal(t, id, p.id)
	}
	start := f.now() + 60

	for _, s := range conformance.TelemetrySteps() {
		f.nextBlock(time.Duration(start+s.At-f.now()) * time.Second)
		require.Equal(t, start+s.At, f.now(), s.Name)
		p := by[s.By]
		dev := s.DeviceID
		var run func() error
		var res *types.MsgSubmitReportsResponse
		switch s.Op {
		case conformance.OpRegister:
			dev = s.Device.ID
			run = func() error {
				_, err := f.msgs.RegisterDevice(f.ctx, &types.MsgRegisterDevice{Signer: p.addr, Id: s.Device.ID, Class: s.Device.Class,
					ArtifactDigest: s.Device.Artifact, Firmware: "1.0.0", Channels: s.Device.Channels, Purls: s.Device.Purls})
				return err
			}
		case conformance.OpReport:
			dev = s.Report.DeviceID
			in := s.Report.Input(start)
			run = func() (err error) {
				res, err = f.msgs.SubmitReports(f.ctx, &types.MsgSubmitReports{Signer: p.addr, Reports: []types.ReportInput{{
					DeviceId: in.DeviceID, WindowStart: in.WindowStart, WindowEnd: in.WindowEnd, Channels: in.Channels, Score: in.Score,
					Threshold: in.Threshold, Method: in.Method, ModelDigest: in.ModelDigest, EvidenceDigest: in.EvidenceDigest,
				}}})
				return err
			}
		case conformance.OpAcknowledge:
			run = func() error {
				_, err := f.msgs.AcknowledgeIncident(f.ctx, &types.MsgAcknowledgeIncident{Signer: p.addr, IncidentId: s.Incident, DeviceId: s.DeviceID, Note: "on it"})
				return err
			}
		case conformance.OpResolve:
			run = func() error {
				_, err := f.msgs.ResolveIncident(f.ctx, &types.MsgResolveIncident{Signer: p.addr, IncidentId: s.Incident, DeviceId: s.DeviceID, Note: "fixed"})
				return err
			}
		case conformance.OpObserve:
			// After the end of the block: EndBlock has run at s.At.
			run = func() error { return f.k.EndBlocker(f.ctx) }
		default:
			t.Fatalf("%s: unknown op %q", s.Name, s.Op)
		}

		want, wantErr := s.Want, s.WantError
		if s.CosmosWant != "" {
			t.Logf("%s: x/telemetry differs from the chaincode here: %s", s.Name, s.CosmosWhy)
			want, wantErr = s.CosmosWant, s.CosmosWantError
		}
		if want != "" {
			var err error
			f.requireRejected(want, func() error { err = run(); return err })
			require.Contains(t, err.Error(), wantErr, s.Name)
			continue
		}

		var before telemetry.Level
		if s.WantFrom != 0 {
			st := f.state(dev)
			before = telemetry.Level(st.State.Level)
		}
		require.NoError(t, run(), s.Name)
		escalations, recs := stepEvents(t, f, dev)

		if s.Op == conformance.OpReport {
			require.Len(t, res.Results, 1, s.Name)
			r := res.Results[0]
			require.Equal(t, s.WantReport, r.ReportId, s.Name)
			require.Equal(t, s.WantDuplicate, r.Duplicate, s.Name)
			require.Equal(t, s.WantIncident, r.IncidentId, s.Name)
			require.Equal(t, s.WantTo, telemetry.Level(r.Level), s.Name)
		}
		if s.WantFrom != 0 {
			// The level the step escalated from: that of its last
			// escalation (after an expiry the step applied lazily), or the
			// level before the step when it changed none.
			from := before
			if n := len(escalations); n > 0 {
				e := escalations[n-1]
				from = levelOf(t, e.From)
				require.Equal(t, s.WantTo.String(), e.To, s.Name)
				require.Equal(t, s.WantIncident, e.IncidentId, s.Name)
				require.Equal(t, escalationReason(s), e.Reason, s.Name)
			} else {
				require.Equal(t, s.WantFrom, s.WantTo, "%s: no escalation event", s.Name)
			}
			require.Equal(t, s.WantFrom, from, s.Name)
		}
		if s.Op == conformance.OpReport {
			if s.WantRecommend == nil {
				require.Empty(t, recs, s.Name)
			} else {
				require.Len(t, recs, 1, s.Name)
				require.Equal(t, string(s.WantRecommend.Action), recs[0].Action, s.Name)
				require.Equal(t, s.WantRecommend.Channels, recs[0].Channels, s.Name)
				require.Equal(t, s.WantIncident, recs[0].IncidentId, s.Name)
			}
		}
		if s.WantTo != 0 {
			require.Equal(t, s.WantTo, telemetry.Level(f.state(dev).State.Level), s.Name)
		}
		if s.WantIncident == 0 {
			continue
		}
		inc := f.incident(s.WantIncident)
		require.Equal(t, dev, inc.DeviceId, s.Name)
		require.Equal(t, s.WantStatus, telemetry.IncidentStatus(inc.Status), s.Name)
		reasons := make([]string, len(s.WantReasons))
		for i, r := range s.WantReasons {
			reasons[i] = string(r)
		}
		requireList(t, reasons, inc.Reasons, s.Name+": reasons")
		require.Equal(t, string(s.WantMitigation.Action), inc.Mitigation, s.Name)
		requireList(t, s.WantMitigation.Channels, inc.MitigationChannels, s.Name+": mitigation channels")
		requireList(t, s.WantChannels, inc.Channels, s.Name+": channels")
		requireList(t, s.WantDetectors, inc.Detectors, s.Name+": detectors")
		require.Equal(t, s.WantAttested, inc.Attested, s.Name)
		requireList(t, s.WantCTIMatches, inc.CtiMatches, s.Name+": CTI matches")
		require.Equal(t, s.WantTiming.Abs(start), inc.Timing(), s.Name)
	}
}

// escalationReason is the reason an escalation event of step s carries.
func escalationReason(s conformance.TelemetryStep) string {
	switch {
	case s.Op == conformance.OpResolve:
		return string(telemetry.ReasonResolved)
	case s.WantTo == telemetry.LevelAlert:
		return string(telemetry.ReasonReport)
	}
	return telemetry.JoinReasons(s.WantReasons)
}

func levelOf(t *testing.T, word string) telemetry.Level {
	for _, l := range []telemetry.Level{telemetry.LevelNormal, telemetry.LevelAlert, telemetry.LevelConfirmed} {
		if l.String() == word {
			return l
		}
	}
	t.Fatalf("unknown level %q", word)
	return 0
}

// stepEvents returns the escalations and recommendations of device dev
// emitted in the current block.
func stepEvents(t *testing.T, f *fixture, dev string) ([]*types.EventEscalated, []*types.EventMitigationRecommended) {
	var escs []*types.EventEscalated
	var recs []*types.EventMitigationRecommended
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type != evEscalated && e.Type != evMitigation {
			continue
		}
		m, err := sdk.ParseTypedEvent(abci.Event(e))
		require.NoError(t, err)
		switch ev := m.(type) {
		case *types.EventEscalated:
			if ev.DeviceId == dev {
				escs = append(escs, ev)
			}
		case *types.EventMitigationRecommended:
			if ev.DeviceId == dev {
				recs = append(recs, ev)
			}
		}
	}
	return escs, recs
}

// requireList compares lists, nil and empty alike.
func requireList(t *testing.T, want, got []string, msg string) {
	t.Helper()
	if !slices.Equal(want, got) {
		t.Fatalf("%s: got %q, want %q", msg, got, want)
	}
}
