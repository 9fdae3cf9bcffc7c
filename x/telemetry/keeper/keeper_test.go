package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	"github.com/adf-consortium/adf/x/telemetry/keeper"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

const (
	actRegister = types.ActionRegisterDevice
	actReport   = types.ActionReportAnomaly
	actHandle   = types.ActionHandleIncident

	kindDetector = identitytypes.PRINCIPAL_KIND_DETECTOR
	kindOperator = identitytypes.PRINCIPAL_KIND_OPERATOR
)

var (
	evMitigation = "adf.telemetry.v1.EventMitigationRecommended"
	evEscalated  = "adf.telemetry.v1.EventEscalated"
)

type world struct {
	*fixture
	ops, det1, det2 *principal
	artifact        string
}

// newWorld: an acme operator that registers and handles acme devices, two
// detectors of other organisations, an anchored artifact.
func newWorld(t *testing.T) *world {
	f := newFixture(t)
	w := &world{fixture: f, artifact: digest("pump firmware")}
	w.ops = f.addPrincipal("acme", "ops", kindOperator, actRegister, actHandle)
	w.det1 = f.addPrincipal("globex", "det-1", kindDetector, actReport)
	w.det2 = f.addPrincipal("initech", "det-2", kindDetector, actReport)
	f.anchor(w.artifact)
	return w
}

func TestRegisterDevice(t *testing.T) {
	w := newWorld(t)
	res := w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"temp", "flow", "flow"}, "pkg:npm/left-pad@1.3.0", "pkg:npm/a@1.0.0")
	require.False(t, res.Updated)
	d, err := w.query.Device(w.ctx, &types.QueryDeviceRequest{Id: "acme/pump-1"})
	require.NoError(t, err)
	require.Equal(t, []string{"flow", "temp"}, d.Device.Channels, "sorted, unique")
	require.Equal(t, []string{"pkg:npm/a@1.0.0", "pkg:npm/left-pad@1.3.0"}, d.Device.Purls)
	require.Equal(t, "acme", d.Device.OrgId)
	require.Equal(t, "acme/ops", d.Device.RegisteredBy)
	require.Contains(t, w.eventTypes(), "adf.telemetry.v1.EventDeviceRegistered")

	w.nextBlock(time.Second)
	res = w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	require.True(t, res.Updated)
	d, _ = w.query.Device(w.ctx, &types.QueryDeviceRequest{Id: "acme/pump-1"})
	require.Equal(t, int64(2), d.Device.RegisteredHeight)
	require.Equal(t, int64(3), d.Device.UpdatedHeight)
	require.Empty(t, d.Device.Purls)

	list, err := w.query.Devices(w.ctx, &types.QueryDevicesRequest{OrgId: "acme"})
	require.NoError(t, err)
	require.Len(t, list.Devices, 1)
	list, _ = w.query.Devices(w.ctx, &types.QueryDevicesRequest{OrgId: "globex"})
	require.Empty(t, list.Devices)
}

func TestRegisterDeviceRefused(t *testing.T) {
	w := newWorld(t)
	other := w.addPrincipal("globex", "ops", kindOperator, actRegister)
	scoped := w.addPrincipal("acme", "line-2", kindOperator, actRegister)
	scoped.scopes = map[string]bool{"acme/line-2-pump": true}
	msg := func(s *principal, mod func(*types.MsgRegisterDevice)) func() error {
		return func() error {
			m := &types.MsgRegisterDevice{Signer: s.addr, Id: "acme/pump-1", Class: "pump", ArtifactDigest: w.artifact, Firmware: "1", Channels: []string{"a"}}
			if mod != nil {
				mod(m)
			}
			_, err := w.msgs.RegisterDevice(w.ctx, m)
			return err
		}
	}
	w.requireRejected("may not register-device", msg(w.det1, nil))
	w.requireRejected("may not register-device", msg(scoped, nil))
	w.requireRejected("organisation acme's namespace", msg(other, nil))
	w.requireRejected("want <org_id>/<name>", msg(w.ops, func(m *types.MsgRegisterDevice) { m.Id = "pump-1" }))
	w.requireRejected("artifact digest", msg(w.ops, func(m *types.MsgRegisterDevice) { m.ArtifactDigest = "md5:abc" }))
	w.requireRejected("no channels", msg(w.ops, func(m *types.MsgRegisterDevice) { m.Channels = nil }))
	w.requireRejected("class", msg(w.ops, func(m *types.MsgRegisterDevice) { m.Class = "PLC" }))
	w.requireRejected("no version", msg(w.ops, func(m *types.MsgRegisterDevice) { m.Purls = []string{"pkg:npm/x"} }))
	w.requireRejected("max_dependencies", msg(w.ops, func(m *types.MsgRegisterDevice) {
		for i := 0; i <= int(types.DefaultParams().MaxDependencies); i++ {
			m.Purls = append(m.Purls, "pkg:npm/x@1")
		}
	}))
	w.requireRejected("invalid address", msg(&principal{addr: "nonsense"}, nil))
}

// The whole escalation: alert on one report, confirmation by a second
// detector with a mitigation, acknowledgement and resolution with times.
func TestAlertConfirmAcknowledgeResolve(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow", "pressure", "temp"}, "pkg:npm/left-pad@1.3.0")
	w.nextBlock(5 * time.Second)

	res := w.submit(w.det1, w.input("acme/pump-1", "flow"))
	require.Len(t, res.Results, 1)
	r0 := res.Results[0]
	require.Equal(t, uint64(1), r0.ReportId)
	require.Equal(t, types.LEVEL_ALERT, r0.Level)
	require.False(t, r0.Duplicate)
	require.NotContains(t, w.eventTypes(), evMitigation)
	require.Equal(t, `"alert"`, w.eventAttr(evEscalated, "to"))
	require.Equal(t, `"report"`, w.eventAttr(evEscalated, "reason"))
	inc := w.incident(r0.IncidentId)
	require.Equal(t, types.INCIDENT_STATUS_ALERT, inc.Status)
	require.True(t, inc.Attested)
	require.Equal(t, w.now()+types.DefaultParams().AlertExpiry, inc.ExpiresAt)
	require.Equal(t, 1, w.cti.calls, "the CTI signal is evaluated for an unconfirmed device")
	openedAt := w.now()

	w.nextBlock(10 * time.Second)
	res = w.submit(w.det2, w.input("acme/pump-1", "pressure", "flow", "pressure"))
	require.Equal(t, types.LEVEL_CONFIRMED, res.Results[0].Level)
	require.Equal(t, r0.IncidentId, res.Results[0].IncidentId)
	require.Equal(t, `"confirmed"`, w.eventAttr(evEscalated, "to"))
	require.Equal(t, `"detectors"`, w.eventAttr(evEscalated, "reason"))
	require.Equal(t, `"quarantine-channel"`, w.eventAttr(evMitigation, "action"))
	require.Equal(t, `["flow","pressure"]`, w.eventAttr(evMitigation, "channels"))
	require.Contains(t, w.eventTypes(), "adf.telemetry.v1.EventIncidentConfirmed")
	inc = w.incident(r0.IncidentId)
	require.Equal(t, types.INCIDENT_STATUS_CONFIRMED, inc.Status)
	require.Equal(t, []string{"detectors"}, inc.Reasons)
	require.Equal(t, []string{"globex/det-1", "initech/det-2"}, inc.Detectors)
	require.Equal(t, w.now(), inc.ConfirmedTime)
	require.Equal(t, openedAt-60, inc.FirstWindowStart)
	require.Equal(t, inc.ConfirmedTime-inc.FirstWindowStart, inc.TimeToDetect)
	require.Zero(t, inc.ExpiresAt)
	st := w.state("acme/pump-1")
	require.Equal(t, types.LEVEL_CONFIRMED, st.State.Level)
	require.NotNil(t, st.Incident)

	// A third channel: safe mode (safe_mode_channels 3), signals not asked again.
	w.nextBlock(time.Second)
	calls := w.cti.calls
	w.submit(w.det1, w.input("acme/pump-1", "temp"))
	require.Equal(t, calls, w.cti.calls)
	require.Equal(t, `"safe-mode"`, w.eventAttr(evMitigation, "action"))
	require.NotContains(t, w.eventTypes(), evEscalated, "no level change")

	// Acknowledge and resolve.
	w.nextBlock(30 * time.Second)
	ack, err := w.msgs.AcknowledgeIncident(w.ctx, &types.MsgAcknowledgeIncident{Signer: w.ops.addr, IncidentId: inc.Id, DeviceId: "acme/pump-1", Note: "on it"})
	require.NoError(t, err)
	require.Equal(t, w.now()-inc.ConfirmedTime, ack.TimeToAcknowledge)
	w.requireRejected("already acknowledged", func() error {
		_, err := w.msgs.AcknowledgeIncident(w.ctx, &types.MsgAcknowledgeIncident{Signer: w.ops.addr, IncidentId: inc.Id, DeviceId: "acme/pump-1"})
		return err
	})
	w.nextBlock(120 * time.Second)
	rs, err := w.msgs.ResolveIncident(w.ctx, &types.MsgResolveIncident{Signer: w.ops.addr, IncidentId: inc.Id, DeviceId: "acme/pump-1", Note: "sensor replaced"})
	require.NoError(t, err)
	require.Equal(t, w.now()-inc.ConfirmedTime, rs.TimeToResolve)
	require.Equal(t, int64(151), rs.TimeToResolve)
	inc = w.incident(inc.Id)
	require.Equal(t, types.INCIDENT_STATUS_RESOLVED, inc.Status)
	require.Equal(t, "acme/ops", inc.ResolvedBy)
	require.Equal(t, "sensor replaced", inc.ResolveNote)
	require.Equal(t, int64(31), inc.TimeToAcknowledge)
	require.Equal(t, `"normal"`, w.eventAttr(evEscalated, "to"))
	require.Equal(t, `"resolved"`, w.eventAttr(evEscalated, "reason"))
	st = w.state("acme/pump-1")
	require.Equal(t, types.LEVEL_NORMAL, st.State.Level)
	require.Nil(t, st.Incident)
	w.requireRejected("already resolved", func() error {
		_, err := w.msgs.ResolveIncident(w.ctx, &types.MsgResolveIncident{Signer: w.ops.addr, IncidentId: inc.Id, DeviceId: "acme/pump-1"})
		return err
	})

	// A new report opens a new incident; the old reports do not count.
	w.nextBlock(time.Second)
	res = w.submit(w.det2, w.input("acme/pump-1", "flow"))
	require.Equal(t, types.LEVEL_ALERT, res.Results[0].Level)
	require.NotEqual(t, inc.Id, res.Results[0].IncidentId)

	reports, err := w.query.Reports(w.ctx, &types.QueryReportsRequest{DeviceId: "acme/pump-1"})
	require.NoError(t, err)
	require.Len(t, reports.Reports, 4)
	for i, r := range reports.Reports {
		require.Equal(t, uint64(i+1), r.Id)
	}
	incs, err := w.query.Incidents(w.ctx, &types.QueryIncidentsRequest{DeviceId: "acme/pump-1", Status: "resolved"})
	require.NoError(t, err)
	require.Len(t, incs.Incidents, 1)
	incs, err = w.query.Incidents(w.ctx, &types.QueryIncidentsRequest{Status: "alert"})
	require.NoError(t, err)
	require.Len(t, incs.Incidents, 1)
	_, err = w.query.Incidents(w.ctx, &types.QueryIncidentsRequest{Status: "open"})
	require.ErrorContains(t, err, "unknown incident status")
}

func TestSecondDetectorOutsideWindowDoesNotConfirm(t *testing.T) {
	w := newWorld(t)
	p := types.DefaultParams()
	p.ConfirmWindow, p.AlertExpiry = 60, 600
	_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.authority, Params: p})
	require.NoError(t, err)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	w.submit(w.det1, w.input("acme/pump-1", "flow"))
	w.nextBlock(61 * time.Second)
	res := w.submit(w.det2, w.input("acme/pump-1", "flow"))
	require.Equal(t, types.LEVEL_ALERT, res.Results[0].Level)
	w.nextBlock(30 * time.Second)
	res = w.submit(w.det1, w.input("acme/pump-1", "flow"))
	require.Equal(t, types.LEVEL_CONFIRMED, res.Results[0].Level, "det-2 at -30 s and det-1 now")
}

func TestMissingAttestationConfirmsAtOnceSafeModeClass(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/plc-9", "plc", digest("never anchored"), []string{"a", "b"})
	res := w.submit(w.det1, w.input("acme/plc-9", "a"))
	require.Equal(t, types.LEVEL_CONFIRMED, res.Results[0].Level)
	require.Equal(t, `"normal"`, w.eventAttr(evEscalated, "from"))
	require.Equal(t, `"no-attestation"`, w.eventAttr(evEscalated, "reason"))
	require.Equal(t, `"safe-mode"`, w.eventAttr(evMitigation, "action"))
	inc := w.incident(res.Results[0].IncidentId)
	require.False(t, inc.Attested)
	require.Equal(t, types.INCIDENT_STATUS_CONFIRMED, inc.Status)
	require.Equal(t, int64(60), inc.TimeToDetect)
	for _, typ := range []string{"adf.telemetry.v1.EventAnomalyReported", "adf.telemetry.v1.EventIncidentOpened", evEscalated,
		"adf.telemetry.v1.EventIncidentConfirmed", evMitigation} {
		require.Contains(t, w.eventTypes(), typ)
	}
}

func TestCTIMatchConfirms(t *testing.T) {
	w := newWorld(t)
	w.cti.decisions["pkg:npm/evil@1.0.0"] = "block"
	w.cti.decisions["pkg:npm/meh@1.0.0"] = "warn"
	w.register(w.ops, "acme/gw-1", "gateway", w.artifact, []string{"net"}, "pkg:npm/evil@1.0.0", "pkg:npm/ok@1.0.0")
	w.register(w.ops, "acme/gw-2", "gateway", w.artifact, []string{"net"}, "pkg:npm/meh@1.0.0")
	w.register(w.ops, "acme/gw-3", "gateway", w.artifact, []string{"net"}, "pkg:npm/ok@1.0.0")

	gas := w.ctx.GasMeter().GasConsumed()
	res := w.submit(w.det1, w.input("acme/gw-1", "net"))
	require.GreaterOrEqual(t, w.ctx.GasMeter().GasConsumed()-gas, uint64(2*types.DefaultGasPerPurl), "gas per purl matched")
	require.Equal(t, types.LEVEL_CONFIRMED, res.Results[0].Level)
	require.Equal(t, `"cti-match"`, w.eventAttr(evEscalated, "reason"))
	inc := w.incident(res.Results[0].IncidentId)
	require.Equal(t, []string{"pkg:npm/evil@1.0.0 ind-1.0.0 block"}, inc.CtiMatches)

	res = w.submit(w.det1, w.input("acme/gw-3", "net"))
	require.Equal(t, types.LEVEL_ALERT, res.Results[0].Level)

	// cti_min_decision hold: a warn does not count.
	p := types.DefaultParams()
	p.CtiMinDecision = "hold"
	_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.authority, Params: p})
	require.NoError(t, err)
	res = w.submit(w.det1, w.input("acme/gw-2", "net"))
	require.Equal(t, types.LEVEL_ALERT, res.Results[0].Level)
}

func TestAlertExpiresInEndBlockCapped(t *testing.T) {
	w := newWorld(t)
	p := types.DefaultParams()
	p.MaxExpiriesPerBlock = 2
	_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.authority, Params: p})
	require.NoError(t, err)
	var ins []types.ReportInput
	for _, id := range []string{"acme/d1", "acme/d2", "acme/d3"} {
		w.register(w.ops, id, "pump", w.artifact, []string{"x"})
		ins = append(ins, w.input(id, "x"))
	}
	res := w.submit(w.det1, ins...)
	require.Len(t, res.Results, 3)
	w.nextBlock(time.Duration(p.AlertExpiry-1) * time.Second)
	require.Equal(t, types.LEVEL_ALERT, w.state("acme/d1").State.Level)
	w.nextBlock(time.Second)
	// EndBlock of this block expires two, the next block's the third.
	require.NoError(t, w.k.EndBlocker(w.ctx))
	require.Equal(t, types.LEVEL_NORMAL, w.state("acme/d1").State.Level)
	require.Equal(t, types.LEVEL_NORMAL, w.state("acme/d2").State.Level)
	require.Equal(t, types.LEVEL_ALERT, w.state("acme/d3").State.Level)
	require.Contains(t, w.eventTypes(), "adf.telemetry.v1.EventIncidentExpired")
	require.Equal(t, `"expired"`, w.eventAttr(evEscalated, "reason"))
	w.nextBlock(time.Second)
	require.Equal(t, types.LEVEL_NORMAL, w.state("acme/d3").State.Level)
	inc := w.incident(res.Results[2].IncidentId)
	require.Equal(t, types.INCIDENT_STATUS_EXPIRED, inc.Status)
	require.Equal(t, w.now()-1, inc.ExpiredTime)
	// An expired incident cannot be handled.
	_, err = w.msgs.ResolveIncident(w.ctx, &types.MsgResolveIncident{Signer: w.ops.addr, IncidentId: inc.Id, DeviceId: "acme/d3"})
	require.ErrorContains(t, err, "already expired")
}

func TestConfirmedOrResolvedAlertLeavesQueue(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	w.register(w.ops, "acme/pump-2", "pump", w.artifact, []string{"flow"})
	r1 := w.submit(w.det1, w.input("acme/pump-1", "flow"), w.input("acme/pump-2", "flow"))
	w.submit(w.det2, w.input("acme/pump-1", "flow"))
	_, err := w.msgs.ResolveIncident(w.ctx, &types.MsgResolveIncident{Signer: w.ops.addr, IncidentId: r1.Results[1].IncidentId, DeviceId: "acme/pump-2", Note: "false alarm"})
	require.NoError(t, err)
	n := 0
	require.NoError(t, w.k.ExpiryQueue.Walk(w.ctx, nil, func(_ collections.Pair[int64, uint64]) (bool, error) {
		n++
		return false, nil
	}))
	require.Zero(t, n)
}

func TestSubmitReportsDuplicatesAreIdempotent(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow", "temp"})
	in := w.input("acme/pump-1", "flow")
	res := w.submit(w.det1, in, in)
	require.False(t, res.Results[0].Duplicate)
	require.True(t, res.Results[1].Duplicate)
	require.Equal(t, res.Results[0].ReportId, res.Results[1].ReportId)
	w.nextBlock(time.Second)
	before := dumpStore(w.fixture)
	res = w.submit(w.det1, in)
	require.True(t, res.Results[0].Duplicate)
	require.Equal(t, uint64(1), res.Results[0].ReportId)
	require.Equal(t, types.LEVEL_ALERT, res.Results[0].Level)
	require.Equal(t, before, dumpStore(w.fixture), "a duplicate changed state")
	require.Empty(t, w.eventTypes())
	// Another detector's identical window is not a duplicate.
	res = w.submit(w.det2, in)
	require.False(t, res.Results[0].Duplicate)
	require.Equal(t, types.LEVEL_CONFIRMED, res.Results[0].Level)
}

func TestSubmitReportsRefused(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	nonDetector := w.addPrincipal("umbrella", "ci-1", identitytypes.PRINCIPAL_KIND_CI_RUNNER, actReport)
	orphan := w.addPrincipal("umbrella", "ghost", kindDetector, actReport)
	delete(w.id.byID, orphan.id)
	submit := func(p *principal, mod func(*types.ReportInput), extra ...types.ReportInput) func() error {
		return func() error {
			in := w.input("acme/pump-1", "flow")
			if mod != nil {
				mod(&in)
			}
			_, err := w.msgs.SubmitReports(w.ctx, &types.MsgSubmitReports{Signer: p.addr, Reports: append([]types.ReportInput{in}, extra...)})
			return err
		}
	}
	now := w.now()
	w.requireRejected("may not report-anomaly", submit(w.ops, nil))
	w.requireRejected("only detector principals", submit(nonDetector, nil))
	w.requireRejected("principal umbrella/ghost not found", submit(orphan, nil))
	w.requireRejected("device acme/nope is not registered", submit(w.det1, func(r *types.ReportInput) { r.DeviceId = "acme/nope" }))
	w.requireRejected("after window end", submit(w.det1, func(r *types.ReportInput) { r.WindowStart = r.WindowEnd + 1 }))
	w.requireRejected("max_clock_skew", submit(w.det1, func(r *types.ReportInput) { r.WindowEnd = now + 31 }))
	w.requireRejected("max_report_age", submit(w.det1, func(r *types.ReportInput) { r.WindowStart, r.WindowEnd = 0, now-3601 }))
	w.requireRejected("not a channel of device", submit(w.det1, func(r *types.ReportInput) { r.Channels = []string{"volt"} }))
	w.requireRejected("below threshold", submit(w.det1, func(r *types.ReportInput) { r.Score = 1 }))
	w.requireRejected("model digest", submit(w.det1, func(r *types.ReportInput) { r.ModelDigest = "x" }))
	w.requireRejected("evidence digest", submit(w.det1, func(r *types.ReportInput) { r.EvidenceDigest = "" }))
	w.requireRejected("method", submit(w.det1, func(r *types.ReportInput) { r.Method = "a b" }))
	// One bad report refuses the batch: nothing of the good one is written.
	bad := w.input("acme/pump-1", "flow")
	bad.WindowStart = bad.WindowEnd + 5
	w.requireRejected("reports[1]", submit(w.det1, nil, bad))
	w.requireRejected("empty batch", func() error {
		_, err := w.msgs.SubmitReports(w.ctx, &types.MsgSubmitReports{Signer: w.det1.addr})
		return err
	})
	w.requireRejected("at most 64", func() error {
		ins := make([]types.ReportInput, 65)
		for i := range ins {
			ins[i] = w.input("acme/pump-1", "flow")
		}
		_, err := w.msgs.SubmitReports(w.ctx, &types.MsgSubmitReports{Signer: w.det1.addr, Reports: ins})
		return err
	})
	require.Equal(t, types.LEVEL_NORMAL, w.state("acme/pump-1").State.Level)
}

func TestHandleIncidentRefused(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	w.register(w.ops, "acme/pump-2", "pump", w.artifact, []string{"flow"})
	res := w.submit(w.det1, w.input("acme/pump-1", "flow"))
	id := res.Results[0].IncidentId
	globexOps := w.addPrincipal("globex", "ops", kindOperator, actHandle)
	ack := func(p *principal, incID uint64, dev, note string) func() error {
		return func() error {
			_, err := w.msgs.AcknowledgeIncident(w.ctx, &types.MsgAcknowledgeIncident{Signer: p.addr, IncidentId: incID, DeviceId: dev, Note: note})
			return err
		}
	}
	w.requireRejected("may not handle-incident", ack(w.det1, id, "acme/pump-1", ""))
	w.requireRejected("incident 1 is of organisation acme", ack(globexOps, id, "acme/pump-1", ""))
	w.requireRejected("incident 99", ack(w.ops, 99, "acme/pump-1", ""))
	w.requireRejected("is of device acme/pump-1, not acme/pump-2", ack(w.ops, id, "acme/pump-2", ""))
	w.requireRejected("note", ack(w.ops, id, "acme/pump-1", "bad\x00note"))
	w.requireRejected("note", ack(w.ops, id, "acme/pump-1", strings.Repeat("x", 513)))
	// Acknowledging an alert before confirmation is allowed; the time is
	// measured from the opening.
	w.nextBlock(7 * time.Second)
	r, err := w.msgs.AcknowledgeIncident(w.ctx, &types.MsgAcknowledgeIncident{Signer: w.ops.addr, IncidentId: id, DeviceId: "acme/pump-1"})
	require.NoError(t, err)
	require.Equal(t, int64(7), r.TimeToAcknowledge)
}

func TestUpdateParams(t *testing.T) {
	w := newWorld(t)
	p := types.DefaultParams()
	p.ConfirmReports = 3
	w.requireRejected("invalid authority", func() error {
		_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.ops.addr, Params: p})
		return err
	})
	bad := p
	bad.ConfirmReports = 0
	w.requireRejected("confirm_reports", func() error {
		_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.authority, Params: bad})
		return err
	})
	bad = p
	bad.CtiMinDecision = "maybe"
	w.requireRejected("cti_min_decision", func() error {
		_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.authority, Params: bad})
		return err
	})
	_, err := w.msgs.UpdateParams(w.ctx, &types.MsgUpdateParams{Authority: w.authority, Params: p})
	require.NoError(t, err)
	got, err := w.query.Params(w.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, uint32(3), got.Params.ConfirmReports)
	require.Equal(t, w.authority, got.Authority)
}

func TestGenesisRoundTrip(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	w.register(w.ops, "acme/plc-1", "plc", digest("x"), []string{"a"})
	w.submit(w.det1, w.input("acme/pump-1", "flow"), w.input("acme/plc-1", "a"))
	gs, err := w.k.ExportGenesis(w.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	require.Len(t, gs.Devices, 2)
	require.Len(t, gs.Reports, 2)
	require.Len(t, gs.Incidents, 2)
	require.Equal(t, uint64(3), gs.NextReportId)

	f2 := newFixture(t)
	require.NoError(t, f2.k.InitGenesis(f2.ctx, gs))
	gs2, err := f2.k.ExportGenesis(f2.ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)
	// Indexes were rebuilt: the duplicate is recognised, the alert expires.
	f2.id.byAddr, f2.id.byID, f2.att.subjects = w.id.byAddr, w.id.byID, w.att.subjects
	f2.ctx = f2.ctx.WithBlockTime(w.ctx.BlockTime())
	res := f2.submit(w.det1, w.input("acme/pump-1", "flow"))
	require.True(t, res.Results[0].Duplicate)
	f2.nextBlock(time.Duration(types.DefaultParams().AlertExpiry) * time.Second)
	require.NoError(t, f2.k.EndBlocker(f2.ctx))
	require.Equal(t, types.LEVEL_NORMAL, f2.state("acme/pump-1").State.Level)
	require.Equal(t, types.LEVEL_CONFIRMED, f2.state("acme/plc-1").State.Level)
}

func TestGenesisValidateRefuses(t *testing.T) {
	good := func() *types.GenesisState {
		gs := types.DefaultGenesis()
		gs.Devices = []types.Device{{Id: "acme/p", OrgId: "acme", Class: "pump", ArtifactDigest: digest("a"), Firmware: "1", Channels: []string{"x"}}}
		gs.Incidents = []types.Incident{{Id: 1, DeviceId: "acme/p", OrgId: "acme", Status: types.INCIDENT_STATUS_ALERT, ExpiresAt: 100}}
		gs.States = []types.DeviceState{{DeviceId: "acme/p", Level: types.LEVEL_ALERT, IncidentId: 1}}
		gs.Reports = []types.AnomalyReport{{Id: 1, DeviceId: "acme/p", Detector: "globex/d", WindowStart: 1, WindowEnd: 2, Channels: []string{"x"},
			Score: 2, Threshold: 1, Method: "m", ModelDigest: digest("m"), EvidenceDigest: digest("e"), IncidentId: 1}}
		gs.NextIncidentId, gs.NextReportId = 2, 2
		return gs
	}
	require.NoError(t, good().Validate())
	tests := []struct {
		name string
		mod  func(*types.GenesisState)
		want string
	}{
		{"params", func(g *types.GenesisState) { g.Params.ConfirmReports = 0 }, "confirm_reports"},
		{"next ids", func(g *types.GenesisState) { g.NextReportId = 0 }, "start at 1"},
		{"bad device", func(g *types.GenesisState) { g.Devices[0].ArtifactDigest = "x" }, "devices[0]"},
		{"dup device", func(g *types.GenesisState) { g.Devices = append(g.Devices, g.Devices[0]) }, "duplicate id"},
		{"incident id", func(g *types.GenesisState) { g.Incidents[0].Id = 5 }, "not in 1..1"},
		{"incident device", func(g *types.GenesisState) { g.Incidents[0].DeviceId = "acme/q" }, "unknown device"},
		{"state level", func(g *types.GenesisState) { g.States[0].Level = types.LEVEL_CONFIRMED }, "is LEVEL_CONFIRMED but incident 1 is"},
		{"orphan open incident", func(g *types.GenesisState) { g.States = nil }, "does not name it"},
		{"normal with incident", func(g *types.GenesisState) { g.States[0].Level = types.LEVEL_NORMAL }, "normal device"},
		{"report id", func(g *types.GenesisState) { g.Reports[0].Id = 9 }, "not in 1..1"},
		{"report window", func(g *types.GenesisState) { g.Reports[0].WindowStart = 3 }, "after window end"},
		{"report incident", func(g *types.GenesisState) { g.Reports[0].IncidentId = 7 }, "unknown incident"},
		{"dup report", func(g *types.GenesisState) {
			r := g.Reports[0]
			r.Id = 2
			g.Reports = append(g.Reports, r)
			g.NextReportId = 3
		}, "duplicate of an earlier report"},
	}
	for _, tc := range tests {
		g := good()
		tc.mod(g)
		err := g.Validate()
		require.Error(t, err, tc.name)
		require.Contains(t, err.Error(), tc.want, tc.name)
	}
	f := newFixture(t)
	g := good()
	g.Params.MaxChannels = 0
	require.ErrorContains(t, f.k.InitGenesis(f.ctx, g), "max_channels")
}

func TestGasIsCharged(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"}, "pkg:npm/a@1.0.0")
	w.register(w.ops, "acme/pump-2", "pump", w.artifact, []string{"flow"}, "pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0", "pkg:npm/c@3.0.0")
	gasOf := func(p *principal, device string) uint64 {
		w.ctx = w.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		w.submit(p, w.input(device, "flow"))
		return w.ctx.GasMeter().GasConsumed()
	}
	purl := types.DefaultParams().GasPerPurl
	one := gasOf(w.det1, "acme/pump-1")   // alert: signals evaluated
	three := gasOf(w.det1, "acme/pump-2") // the same with two more dependencies
	require.GreaterOrEqual(t, one, keeper.GasPerReport+purl)
	// Each dependency matched against x/cti costs gas_per_purl; reading the
	// larger device record adds a little store gas.
	require.GreaterOrEqual(t, three-one, 2*purl)
	require.Less(t, three-one, 3*purl)
	confirmed := gasOf(w.det2, "acme/pump-1") // second detector confirms: signals read again
	after := gasOf(w.det1, "acme/pump-1")     // confirmed device: signals no longer evaluated
	require.Less(t, after, confirmed)
	t.Logf("gas per report: alert %d (1 dependency), %d (3 dependencies); confirming %d; on a confirmed device %d", one, three, confirmed, after)

	w.ctx = w.ctx.WithGasMeter(storetypes.NewGasMeter(10_000))
	require.Panics(t, func() { w.submit(w.det2, w.input("acme/pump-2", "flow")) }, "out of gas is the SDK's panic, recovered by baseapp")
}

// A report that arrives after an alert's expiry, before EndBlock expired it,
// does not confirm the stale alert: it expires and a new incident opens.
func TestLateReportDoesNotConfirmExpiredAlert(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	first := w.submit(w.det1, w.input("acme/pump-1", "flow")).Results[0]
	w.ctx = w.ctx.WithBlockTime(w.ctx.BlockTime().Add(time.Duration(types.DefaultParams().AlertExpiry) * time.Second))
	res := w.submit(w.det2, w.input("acme/pump-1", "flow")).Results[0]
	require.Equal(t, types.LEVEL_ALERT, res.Level)
	require.NotEqual(t, first.IncidentId, res.IncidentId)
	require.Equal(t, types.INCIDENT_STATUS_EXPIRED, w.incident(first.IncidentId).Status)
	require.Contains(t, w.eventTypes(), "adf.telemetry.v1.EventIncidentExpired")
	// EndBlock finds nothing stale to do; the new alert is queued.
	require.NoError(t, w.k.EndBlocker(w.ctx))
	require.Equal(t, types.LEVEL_ALERT, w.state("acme/pump-1").State.Level)
	n := 0
	require.NoError(t, w.k.ExpiryQueue.Walk(w.ctx, nil, func(k collections.Pair[int64, uint64]) (bool, error) {
		require.Equal(t, res.IncidentId, k.K2())
		n++
		return false, nil
	}))
	require.Equal(t, 1, n)
}

// An alert past its expiry cannot be acknowledged or resolved in the blocks
// before EndBlock reaches it (the Fabric chaincode refuses it too).
func TestExpiredAlertCannotBeHandledBeforeEndBlock(t *testing.T) {
	w := newWorld(t)
	w.register(w.ops, "acme/pump-1", "pump", w.artifact, []string{"flow"})
	id := w.submit(w.det1, w.input("acme/pump-1", "flow")).Results[0].IncidentId
	w.ctx = w.ctx.WithBlockTime(w.ctx.BlockTime().Add(time.Duration(types.DefaultParams().AlertExpiry) * time.Second))
	w.requireRejected("incident is expired", func() error {
		_, err := w.msgs.AcknowledgeIncident(w.ctx, &types.MsgAcknowledgeIncident{Signer: w.ops.addr, IncidentId: id, DeviceId: "acme/pump-1"})
		return err
	})
	w.requireRejected("incident is already expired", func() error {
		_, err := w.msgs.ResolveIncident(w.ctx, &types.MsgResolveIncident{Signer: w.ops.addr, IncidentId: id, DeviceId: "acme/pump-1"})
		return err
	})
	require.Equal(t, types.INCIDENT_STATUS_ALERT, w.incident(id).Status)
	require.NoError(t, w.k.EndBlocker(w.ctx))
	require.Equal(t, types.INCIDENT_STATUS_EXPIRED, w.incident(id).Status)
}

// BenchmarkSubmitReports64 is a full batch of 64 reports on 64 alerting
// devices with 100 dependencies each (fake x/cti): validation, signals,
// escalation and the writes, on an in-memory IAVL store.
func BenchmarkSubmitReports64(b *testing.B) {
	f := newFixture(b)
	ops := f.addPrincipal("acme", "ops", kindOperator, actRegister)
	det := f.addPrincipal("globex", "det", kindDetector, actReport)
	art := digest("fw")
	f.anchor(art)
	var purls []string
	for i := range 100 {
		purls = append(purls, "pkg:npm/dep-"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@1.0.0")
	}
	for i := range 64 {
		f.register(ops, "acme/d"+string(rune('A'+i%26))+string(rune('A'+i/26)), "pump", art, []string{"x"}, purls...)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		f.nextBlock(time.Duration(types.DefaultParams().AlertExpiry+1) * time.Second)
		ins := make([]types.ReportInput, 64)
		for i := range ins {
			ins[i] = f.input("acme/d"+string(rune('A'+i%26))+string(rune('A'+i/26)), "x")
		}
		res := f.submit(det, ins...)
		if res.Results[63].Level != types.LEVEL_ALERT {
			b.Fatal(res.Results[63])
		}
	}
}
