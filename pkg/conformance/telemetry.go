package conformance

import (
	"encoding/hex"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/telemetry"
)

// Telemetry cases: devices registered by an operator, anomaly reports by
// detectors at given times, acknowledgement, resolution and alert expiry,
// run in order on a fresh telemetry registry under TelemetryParams. Times
// are seconds after the table's start, which each deployment picks (a
// block time on Cosmos, a proposal timestamp on Fabric); every incident
// time in the table is after the start, so 0 means "not set".
//
// Where the two deployments legitimately differ, the step says so:
//
//   - Expiry. x/telemetry expires an unconfirmed alert in EndBlock (the
//     first block at or after its expiry) and also lazily, when a report
//     on the device arrives before EndBlock got to it; the chaincode has
//     no end of block, so it expires lazily in the next transaction that
//     touches the device and shows an alert past its expiry as expired in
//     its queries. An OpObserve step is therefore "after the end of the
//     block" on Cosmos (EndBlock has run at At) and a query on Fabric; a
//     report after an expiry with no OpObserve in between exercises the
//     lazy path of both.
//   - Principal kinds. x/telemetry takes reports only from principals of
//     kind detector; the chaincode has no principal kinds and lets the
//     report-anomaly policy decide. The step by TelemetryGateway (the
//     right, not the kind) carries x/telemetry's rejection in Cosmos and
//     is the last step, so that the chaincode's extra incident changes no
//     later expectation.

// Principals of the telemetry cases, all of organisation TelemetryOrg.
// Operator may register-device and handle-incident; the detectors may
// report-anomaly and are detector principals on Cosmos; TelemetryGateway
// may report-anomaly but is not of kind detector.
const (
	TelemetryOrg      = "acme"
	TelemetryOperator = "acme/ops"
	Detector1         = "acme/det-1"
	Detector2         = "acme/det-2"
	TelemetryGateway  = "acme/gw"
)

// TelemetryParams are pkg/telemetry's defaults with a confirmation window
// (300 s) shorter than the alert expiry (900 s), so that a report can
// fall outside the window of an alert that is still open.
func TelemetryParams() telemetry.Params {
	p := telemetry.DefaultParams()
	p.ConfirmWindow = 300
	p.AlertExpiry = 900
	return p
}

// TelemetryAttested is the artifact digest with an anchored attestation:
// the subject of Direct's first step, which the chaincode anchors for
// real and x/telemetry's fake x/attestation lists.
func TelemetryAttested() string { return "sha256:" + hex.EncodeToString(Digest("app-1.0.tar.gz")) }

// TelemetryUnattested is an artifact digest nothing attests.
func TelemetryUnattested() string {
	return "sha256:" + hex.EncodeToString(Digest("plc-firmware-unsigned"))
}

// TelemetryMatches are x/cti's answers for the devices' dependencies once
// Indicators are published (GateBefore's decisions, with the indicator
// that decides): the chaincode's gate must give them, and x/telemetry's
// fake x/cti answers them.
func TelemetryMatches() []telemetry.DependencyMatch {
	return []telemetry.DependencyMatch{
		{Purl: "pkg:npm/evil-pkg@1.0.0", Decision: "block", IndicatorIDs: []string{cti.IDFor("MAL-2026-0001")}},
		{Purl: "pkg:npm/left-pad@1.3.0", Decision: "pass"},
	}
}

// TelemetryOp is what a step does.
type TelemetryOp string

const (
	OpRegister    TelemetryOp = "register"
	OpReport      TelemetryOp = "report"
	OpAcknowledge TelemetryOp = "acknowledge"
	OpResolve     TelemetryOp = "resolve"
	// OpObserve reads the device's level and WantIncident at At without a
	// transaction: after EndBlock on Cosmos, through the queries on Fabric.
	OpObserve TelemetryOp = "observe"
)

// TelemetryDevice is a device registration.
type TelemetryDevice struct {
	ID, Class, Artifact string
	Channels, Purls     []string
}

// TelemetryReport is one report of a batch of one; the window is in
// seconds after the start, like At.
type TelemetryReport struct {
	DeviceID                    string
	WindowStart, WindowEnd      int64
	Channels                    []string
	Score, Threshold            int64
	Method                      string
	ModelDigest, EvidenceDigest string
}

// TelemetryTiming are an incident's times in seconds after the start (0:
// not set).
type TelemetryTiming struct {
	OpenedAt, ConfirmedAt, FirstWindowStart, AcknowledgedAt, ResolvedAt int64
}

// Abs returns the times for a table started at start (unix seconds).
func (t TelemetryTiming) Abs(start int64) telemetry.Timing {
	abs := func(v int64) int64 {
		if v == 0 {
			return 0
		}
		return start + v
	}
	return telemetry.Timing{OpenedAt: abs(t.OpenedAt), ConfirmedAt: abs(t.ConfirmedAt), FirstWindowStart: abs(t.FirstWindowStart),
		AcknowledgedAt: abs(t.AcknowledgedAt), ResolvedAt: abs(t.ResolvedAt)}
}

// TelemetryStep is one step at At seconds after the start, by the
// principal By.
type TelemetryStep struct {
	Name string
	At   int64
	Op   TelemetryOp
	By   string
	// Device for OpRegister; Report for OpReport; DeviceID for the
	// others, and Incident (its number, counted from 1 in both
	// deployments) for OpAcknowledge and OpResolve (OpObserve reads
	// WantIncident).
	Device   TelemetryDevice
	Report   TelemetryReport
	DeviceID string
	Incident uint64

	// Want is "" for success, else text the error must contain, and
	// WantError the registered error's text it must contain too.
	Want, WantError string
	// CosmosWant and CosmosWantError, when CosmosWant is set, replace
	// Want and WantError on x/telemetry, which then checks nothing else;
	// CosmosWhy says why the deployments differ.
	CosmosWant, CosmosWantError, CosmosWhy string

	// A report's answer: the report id (counted from 1), whether it is a
	// duplicate, and the recommendation the step emits (nil: none).
	WantReport    uint64
	WantDuplicate bool
	WantRecommend *telemetry.Recommendation
	// The device's level before the step (after any expiry the step
	// applies; 0: not checked) and after it.
	WantFrom, WantTo telemetry.Level
	// WantIncident is the incident the step leaves as described by the
	// remaining fields.
	WantIncident   uint64
	WantStatus     telemetry.IncidentStatus
	WantReasons    []telemetry.Reason
	WantMitigation telemetry.Recommendation
	WantChannels   []string
	WantDetectors  []string
	WantAttested   bool
	WantCTIMatches []string
	WantTiming     TelemetryTiming
}

// Input returns the report with the start applied to its window and the
// defaults filled in.
func (r TelemetryReport) Input(start int64) telemetry.ReportInput {
	in := telemetry.ReportInput{DeviceID: r.DeviceID, WindowStart: start + r.WindowStart, WindowEnd: start + r.WindowEnd,
		Channels: r.Channels, Score: r.Score, Threshold: r.Threshold, Method: r.Method,
		ModelDigest: r.ModelDigest, EvidenceDigest: r.EvidenceDigest}
	if in.Score == 0 && in.Threshold == 0 {
		in.Score, in.Threshold = 900, 500
	}
	if in.Method == "" {
		in.Method = "sparse-ksvd"
	}
	if in.ModelDigest == "" {
		in.ModelDigest = "sha256:" + hex.EncodeToString(Digest("model"))
	}
	if in.EvidenceDigest == "" {
		in.EvidenceDigest = "sha256:" + hex.EncodeToString(Digest("evidence"))
	}
	return in
}

func rep(dev string, from, to int64, chs ...string) TelemetryReport {
	return TelemetryReport{DeviceID: dev, WindowStart: from, WindowEnd: to, Channels: chs}
}

func rec(a telemetry.Action, chs ...string) *telemetry.Recommendation {
	return &telemetry.Recommendation{Action: a, Channels: chs}
}

// TelemetrySteps returns the telemetry steps, in order.
func TelemetrySteps() []TelemetryStep {
	const (
		pump = "acme/pump-1"
		plc  = "acme/plc-1"
		hmi  = "acme/hmi-1"
	)
	var (
		normal, alert, confirmed = telemetry.LevelNormal, telemetry.LevelAlert, telemetry.LevelConfirmed
		det1, det2               = []string{Detector1}, []string{Detector1, Detector2}
		quarantine, safeMode     = telemetry.ActionQuarantineChannel, telemetry.ActionSafeMode
		evil                     = "pkg:npm/evil-pkg@1.0.0 " + cti.IDFor("MAL-2026-0001") + " block"
		pq                       = telemetry.Recommendation{Action: quarantine, Channels: []string{"pressure", "temp"}}
		fps                      = telemetry.Recommendation{Action: safeMode, Channels: []string{"flow", "pressure", "temp"}}
	)
	// Incident 1 of the pump: opened at 100 with window start 40.
	t1 := TelemetryTiming{OpenedAt: 100, FirstWindowStart: 40}
	t1c := t1
	t1c.ConfirmedAt = 800
	t1a := t1c
	t1a.AcknowledgedAt = 900
	t1r := t1a
	t1r.ResolvedAt = 1000
	return []TelemetryStep{
		{Name: "register a pump running the attested build", At: 0, Op: OpRegister, By: TelemetryOperator,
			Device: TelemetryDevice{ID: pump, Class: "pump", Artifact: TelemetryAttested(), Channels: []string{"valve", "temp", "pressure", "flow"}}},
		{Name: "register a PLC running an unattested build", At: 0, Op: OpRegister, By: TelemetryOperator,
			Device: TelemetryDevice{ID: plc, Class: "plc", Artifact: TelemetryUnattested(), Channels: []string{"pressure", "valve"}}},
		{Name: "register an HMI with a dependency the CTI gate blocks", At: 0, Op: OpRegister, By: TelemetryOperator,
			Device: TelemetryDevice{ID: hmi, Class: "hmi", Artifact: TelemetryAttested(), Channels: []string{"temp", "display"},
				Purls: []string{"pkg:npm/left-pad@1.3.0", "pkg:npm/evil-pkg@1.0.0"}}},
		{Name: "register with a malformed artifact digest", At: 0, Op: OpRegister, By: TelemetryOperator,
			Device: TelemetryDevice{ID: "acme/pump-2", Class: "pump", Artifact: "md5:abc", Channels: []string{"flow"}},
			Want:   "artifact digest", WantError: "invalid device"},

		// Incident 1: alert, repeats, bad input, a report outside the
		// window, confirmation, widening to safe mode, handling.
		{Name: "one report opens an alert", At: 100, Op: OpReport, By: Detector1, Report: rep(pump, 40, 100, "pressure"),
			WantReport: 1, WantFrom: normal, WantTo: alert, WantIncident: 1, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"pressure"}, WantDetectors: det1, WantAttested: true, WantTiming: t1},
		{Name: "the same report again is a duplicate", At: 110, Op: OpReport, By: Detector1, Report: rep(pump, 40, 100, "pressure"),
			WantReport: 1, WantDuplicate: true, WantFrom: alert, WantTo: alert, WantIncident: 1, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"pressure"}, WantDetectors: det1, WantAttested: true, WantTiming: t1},
		{Name: "the same detector again does not confirm", At: 200, Op: OpReport, By: Detector1, Report: rep(pump, 150, 200, "temp"),
			WantReport: 2, WantFrom: alert, WantTo: alert, WantIncident: 1, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"pressure", "temp"}, WantDetectors: det1, WantAttested: true, WantTiming: t1},
		{Name: "window start after its end", At: 210, Op: OpReport, By: Detector2, Report: rep(pump, 210, 150, "temp"),
			Want: "is after window end", WantError: "invalid report"},
		{Name: "unknown device", At: 210, Op: OpReport, By: Detector2, Report: rep("acme/ghost", 150, 210, "temp"),
			Want: "device acme/ghost is not registered", WantError: "device not found"},
		{Name: "channel not on the device", At: 210, Op: OpReport, By: Detector2, Report: rep(pump, 150, 210, "display"),
			Want: `channel "display" is not a channel of device acme/pump-1`, WantError: "invalid report"},
		{Name: "score below threshold", At: 210, Op: OpReport, By: Detector2,
			Report: TelemetryReport{DeviceID: pump, WindowStart: 150, WindowEnd: 210, Channels: []string{"temp"}, Score: 400, Threshold: 500},
			Want:   "score 400 is below threshold 500: not an anomaly", WantError: "invalid report"},
		{Name: "an operator may not report", At: 210, Op: OpReport, By: TelemetryOperator, Report: rep(pump, 150, 210, "temp"),
			Want: "may not report-anomaly", WantError: "unauthorized"},
		{Name: "a second detector outside the window does not confirm", At: 600, Op: OpReport, By: Detector2, Report: rep(pump, 550, 600, "pressure"),
			WantReport: 3, WantFrom: alert, WantTo: alert, WantIncident: 1, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"pressure", "temp"}, WantDetectors: det2, WantAttested: true, WantTiming: t1},
		{Name: "a second detector within the window confirms; two channels of a pump are quarantined", At: 800, Op: OpReport, By: Detector1,
			Report:     rep(pump, 750, 800, "temp"),
			WantReport: 4, WantFrom: alert, WantTo: confirmed, WantRecommend: &pq, WantIncident: 1, WantStatus: telemetry.StatusConfirmed,
			WantReasons: []telemetry.Reason{telemetry.ReasonDetectors}, WantMitigation: pq,
			WantChannels: []string{"pressure", "temp"}, WantDetectors: det2, WantAttested: true, WantTiming: t1c},
		{Name: "a third channel widens the mitigation to safe mode", At: 820, Op: OpReport, By: Detector2, Report: rep(pump, 770, 820, "flow"),
			WantReport: 5, WantFrom: confirmed, WantTo: confirmed, WantRecommend: &fps, WantIncident: 1, WantStatus: telemetry.StatusConfirmed,
			WantReasons: []telemetry.Reason{telemetry.ReasonDetectors}, WantMitigation: fps,
			WantChannels: []string{"flow", "pressure", "temp"}, WantDetectors: det2, WantAttested: true, WantTiming: t1c},
		{Name: "acknowledge", At: 900, Op: OpAcknowledge, By: TelemetryOperator, DeviceID: pump, Incident: 1,
			WantFrom: confirmed, WantTo: confirmed, WantIncident: 1, WantStatus: telemetry.StatusConfirmed,
			WantReasons: []telemetry.Reason{telemetry.ReasonDetectors}, WantMitigation: fps,
			WantChannels: []string{"flow", "pressure", "temp"}, WantDetectors: det2, WantAttested: true, WantTiming: t1a},
		{Name: "acknowledge twice", At: 910, Op: OpAcknowledge, By: TelemetryOperator, DeviceID: pump, Incident: 1,
			Want: "already acknowledged", WantError: "invalid incident operation"},
		{Name: "resolve", At: 1000, Op: OpResolve, By: TelemetryOperator, DeviceID: pump, Incident: 1,
			WantFrom: confirmed, WantTo: normal, WantIncident: 1, WantStatus: telemetry.StatusResolved,
			WantReasons: []telemetry.Reason{telemetry.ReasonDetectors}, WantMitigation: fps,
			WantChannels: []string{"flow", "pressure", "temp"}, WantDetectors: det2, WantAttested: true, WantTiming: t1r},
		{Name: "resolve twice", At: 1010, Op: OpResolve, By: TelemetryOperator, DeviceID: pump, Incident: 1,
			Want: "incident is already resolved", WantError: "invalid incident operation"},

		// Incident 2 expires unconfirmed, observed after the expiry time.
		{Name: "a new alert", At: 1100, Op: OpReport, By: Detector1, Report: rep(pump, 1050, 1100, "valve"),
			WantReport: 6, WantFrom: normal, WantTo: alert, WantIncident: 2, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"valve"}, WantDetectors: det1, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 1100, FirstWindowStart: 1050}},
		// In the block of the expiry, before EndBlock (Cosmos) or any query
		// (Fabric) has expired it, the alert is already past handling.
		{Name: "an alert at its expiry time cannot be resolved", At: 2000, Op: OpResolve, By: TelemetryOperator, DeviceID: pump, Incident: 2,
			Want: "incident is already expired", WantError: "invalid incident operation"},
		{Name: "at alert_expiry the alert has expired", At: 2000, Op: OpObserve, DeviceID: pump,
			WantTo: normal, WantIncident: 2, WantStatus: telemetry.StatusExpired,
			WantChannels: []string{"valve"}, WantDetectors: det1, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 1100, FirstWindowStart: 1050}},
		// And after it, in both deployments.
		{Name: "an expired alert cannot be acknowledged", At: 2000, Op: OpAcknowledge, By: TelemetryOperator, DeviceID: pump, Incident: 2,
			Want: "incident is expired: nothing to acknowledge", WantError: "invalid incident operation"},

		// Incident 3 expires with no observation: the next report expires
		// it (lazily, in both deployments) and opens incident 4 instead of
		// confirming incident 3 with the report at 2800.
		{Name: "another alert", At: 2010, Op: OpReport, By: Detector2, Report: rep(pump, 1960, 2010, "valve"),
			WantReport: 7, WantFrom: normal, WantTo: alert, WantIncident: 3, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"valve"}, WantDetectors: []string{Detector2}, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 2010, FirstWindowStart: 1960}},
		{Name: "its detector again before the expiry", At: 2800, Op: OpReport, By: Detector2, Report: rep(pump, 2750, 2800, "valve"),
			WantReport: 8, WantFrom: alert, WantTo: alert, WantIncident: 3, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"valve"}, WantDetectors: []string{Detector2}, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 2010, FirstWindowStart: 1960}},
		{Name: "a second detector after the expiry opens a new alert", At: 2950, Op: OpReport, By: Detector1, Report: rep(pump, 2900, 2950, "valve"),
			WantReport: 9, WantFrom: normal, WantTo: alert, WantIncident: 4, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"valve"}, WantDetectors: det1, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 2950, FirstWindowStart: 2900}},
		{Name: "the previous alert expired", At: 2950, Op: OpObserve, DeviceID: pump,
			WantTo: alert, WantIncident: 3, WantStatus: telemetry.StatusExpired,
			WantChannels: []string{"valve"}, WantDetectors: []string{Detector2}, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 2010, FirstWindowStart: 1960}},

		// Signals: missing provenance and a CTI match confirm at once.
		{Name: "an unattested PLC is confirmed by its first report, in safe mode", At: 3000, Op: OpReport, By: Detector1, Report: rep(plc, 2950, 3000, "valve"),
			WantReport: 10, WantFrom: normal, WantTo: confirmed, WantRecommend: rec(safeMode, "valve"), WantIncident: 5, WantStatus: telemetry.StatusConfirmed,
			WantReasons: []telemetry.Reason{telemetry.ReasonNoAttestation}, WantMitigation: *rec(safeMode, "valve"),
			WantChannels: []string{"valve"}, WantDetectors: det1, WantAttested: false, WantTiming: TelemetryTiming{OpenedAt: 3000, ConfirmedAt: 3000, FirstWindowStart: 2950}},
		{Name: "a device with a blocked dependency is confirmed by its first report", At: 3000, Op: OpReport, By: Detector1, Report: rep(hmi, 2950, 3000, "temp"),
			WantReport: 11, WantFrom: normal, WantTo: confirmed, WantRecommend: rec(quarantine, "temp"), WantIncident: 6, WantStatus: telemetry.StatusConfirmed,
			WantReasons: []telemetry.Reason{telemetry.ReasonCTIMatch}, WantMitigation: *rec(quarantine, "temp"),
			WantChannels: []string{"temp"}, WantDetectors: det1, WantAttested: true, WantCTIMatches: []string{evil},
			WantTiming: TelemetryTiming{OpenedAt: 3000, ConfirmedAt: 3000, FirstWindowStart: 2950}},

		// An alert resolved early does not expire later.
		{Name: "resolve an alert", At: 3100, Op: OpResolve, By: TelemetryOperator, DeviceID: pump, Incident: 4,
			WantFrom: alert, WantTo: normal, WantIncident: 4, WantStatus: telemetry.StatusResolved,
			WantChannels: []string{"valve"}, WantDetectors: det1, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 2950, FirstWindowStart: 2900, ResolvedAt: 3100}},
		{Name: "a resolved alert stays resolved past its expiry", At: 3900, Op: OpObserve, DeviceID: pump,
			WantTo: normal, WantIncident: 4, WantStatus: telemetry.StatusResolved,
			WantChannels: []string{"valve"}, WantDetectors: det1, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 2950, FirstWindowStart: 2900, ResolvedAt: 3100}},

		// Last, as the deployments differ: see the package comment above.
		{Name: "a principal with the report-anomaly right that is not a detector", At: 4000, Op: OpReport, By: TelemetryGateway, Report: rep(pump, 3950, 4000, "flow"),
			CosmosWant: "only detector principals report anomalies", CosmosWantError: "signer is not a detector principal",
			CosmosWhy:  "x/telemetry requires principal kind detector; the chaincode has no principal kinds, its policy decides",
			WantReport: 12, WantFrom: normal, WantTo: alert, WantIncident: 7, WantStatus: telemetry.StatusAlert,
			WantChannels: []string{"flow"}, WantDetectors: []string{TelemetryGateway}, WantAttested: true, WantTiming: TelemetryTiming{OpenedAt: 4000, FirstWindowStart: 3950}},
	}
}
