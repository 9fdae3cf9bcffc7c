// Package telconf runs pkg/conformance's telemetry table against the
// chaincode's telemetry contract through any transport: the in-memory stub
// of chaincode/telemetry's tests or the chaincode gRPC protocol of
// chaincode/adfcc's integration test. x/telemetry's keeper test runs the
// same table.
package telconf

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	chaincti "github.com/adf-consortium/adf/chaincode/cti"
	chaintel "github.com/adf-consortium/adf/chaincode/telemetry"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/telemetry"
)

// Answer is a transaction's outcome as the runner needs it.
type Answer struct {
	OK      bool
	Message string
	Payload []byte
	// Writes are the keys the transaction wrote (a failed one must write
	// none).
	Writes []string
	Event  *peer.ChaincodeEvent
}

// Caller invokes fn with args as the table principal who (one of
// conformance.TelemetryOperator, Detector1, Detector2, TelemetryGateway)
// with the proposal timestamp at.
type Caller func(who string, at time.Time, fn string, args ...string) Answer

// Run runs the table from start (unix seconds, after every earlier
// transaction) on a chaincode whose telemetry contract has
// conformance.TelemetryParams, where the table's principals are
// registered in organisation conformance.TelemetryOrg with these rights
// (and no other principal kinds, which the chaincode does not have):
// TelemetryOperator register-device and handle-incident on acme/*, the
// detectors and TelemetryGateway report-anomaly; where
// conformance.TelemetryAttested() is an anchored subject (Direct's first
// step) and conformance.Indicators() are published. It first checks that
// the CTI gate answers the table's TelemetryMatches.
func Run(t testing.TB, call Caller, start int64) {
	t.Helper()
	ops := conformance.TelemetryOperator
	must := func(name string, at time.Time, who, fn string, args ...string) []byte {
		t.Helper()
		a := call(who, at, fn, args...)
		if !a.OK {
			t.Fatalf("%s: %s: %s", name, fn, a.Message)
		}
		return a.Payload
	}

	var purls []string
	for _, m := range conformance.TelemetryMatches() {
		purls = append(purls, m.Purl)
	}
	var gate chaincti.GateAnswer
	mustJSON(t, must("gate", time.Unix(start-1, 0).UTC(), ops, "cti:MatchPackages", jsonArg(t, purls)), &gate)
	for i, m := range conformance.TelemetryMatches() {
		r := gate.Results[i]
		var ids []string
		for _, re := range r.Reasons {
			ids = append(ids, re.IndicatorID)
		}
		if r.Purl != m.Purl || r.Decision != m.Decision || !slices.Equal(ids, m.IndicatorIDs) {
			t.Fatalf("the gate answers %+v, the table %+v", r, m)
		}
	}

	for _, s := range conformance.TelemetrySteps() {
		// Every call of the step, queries included, is at the step's time.
		at := time.Unix(start+s.At, 0).UTC()
		level := func(dev string) telemetry.Level {
			t.Helper()
			var d struct {
				State chaintel.DeviceState `json:"state"`
			}
			mustJSON(t, must(s.Name, at, ops, "telemetry:GetDevice", dev), &d)
			for _, l := range []telemetry.Level{telemetry.LevelNormal, telemetry.LevelAlert, telemetry.LevelConfirmed} {
				if l.String() == d.State.Level {
					return l
				}
			}
			t.Fatalf("%s: level %q", s.Name, d.State.Level)
			return 0
		}

		dev, fn := s.DeviceID, ""
		var args []string
		switch s.Op {
		case conformance.OpRegister:
			dev, fn = s.Device.ID, "telemetry:RegisterDevice"
			args = []string{jsonArg(t, chaintel.DeviceInput{ID: s.Device.ID, Class: s.Device.Class, ArtifactDigest: s.Device.Artifact,
				Firmware: "1.0.0", Channels: s.Device.Channels, Purls: s.Device.Purls})}
		case conformance.OpReport:
			in := s.Report.Input(start)
			dev, fn = in.DeviceID, "telemetry:SubmitReports"
			args = []string{jsonArg(t, []chaintel.ReportInput{{DeviceID: in.DeviceID, WindowStart: in.WindowStart, WindowEnd: in.WindowEnd,
				Channels: in.Channels, Score: in.Score, Threshold: in.Threshold, Method: in.Method, ModelDigest: in.ModelDigest, EvidenceDigest: in.EvidenceDigest}})}
		case conformance.OpAcknowledge:
			fn, args = "telemetry:AcknowledgeIncident", []string{fmt.Sprint(s.Incident), s.DeviceID, "on it"}
		case conformance.OpResolve:
			fn, args = "telemetry:ResolveIncident", []string{fmt.Sprint(s.Incident), s.DeviceID, "fixed"}
		case conformance.OpObserve:
			// No end of block: the queries below show an alert past its
			// expiry as expired.
		default:
			t.Fatalf("%s: unknown op %q", s.Name, s.Op)
		}
		if s.CosmosWant != "" {
			t.Logf("%s: the chaincode differs from x/telemetry here: %s", s.Name, s.CosmosWhy)
		}

		if s.Want != "" {
			a := call(s.By, at, fn, args...)
			if a.OK || !strings.Contains(a.Message, s.Want) || !strings.Contains(a.Message, s.WantError) {
				t.Fatalf("%s: %s: ok %v %q, want an error containing %q and %q", s.Name, fn, a.OK, a.Message, s.Want, s.WantError)
			}
			if len(a.Writes) != 0 {
				t.Fatalf("%s: failed but wrote %q", s.Name, a.Writes)
			}
			continue
		}

		if s.WantFrom != 0 {
			// GetDevice shows an alert past its expiry as normal, as the
			// step's transaction will find it.
			if got := level(dev); got != s.WantFrom {
				t.Fatalf("%s: level before %s, want %s", s.Name, got, s.WantFrom)
			}
		}
		if fn != "" {
			a := call(s.By, at, fn, args...)
			if !a.OK {
				t.Fatalf("%s: %s: %s", s.Name, fn, a.Message)
			}
			if s.Op == conformance.OpReport {
				checkReport(t, s, dev, a)
			}
		}
		if s.WantTo != 0 {
			if got := level(dev); got != s.WantTo {
				t.Fatalf("%s: level after %s, want %s", s.Name, got, s.WantTo)
			}
		}
		if s.WantIncident == 0 {
			continue
		}
		var got struct {
			Incident chaintel.Incident `json:"incident"`
		}
		mustJSON(t, must(s.Name, at, ops, "telemetry:GetIncident", fmt.Sprint(s.WantIncident)), &got)
		checkIncident(t, s, dev, start, got.Incident)
	}
}

func checkReport(t testing.TB, s conformance.TelemetryStep, dev string, a Answer) {
	t.Helper()
	var res struct {
		Results []chaintel.ReportResult `json:"results"`
	}
	mustJSON(t, a.Payload, &res)
	if len(res.Results) != 1 {
		t.Fatalf("%s: %+v", s.Name, res)
	}
	got := res.Results[0]
	if got.ReportID != s.WantReport || got.Duplicate != s.WantDuplicate || got.IncidentID != s.WantIncident || got.Level != s.WantTo.String() {
		t.Fatalf("%s: %+v, want report %d duplicate %v incident %d level %s", s.Name, got, s.WantReport, s.WantDuplicate, s.WantIncident, s.WantTo)
	}
	if s.WantRecommend == nil {
		if a.Event != nil {
			t.Fatalf("%s: event %s %s, want none", s.Name, a.Event.EventName, a.Event.Payload)
		}
		return
	}
	if a.Event == nil || a.Event.EventName != "adf.telemetry.MitigationRecommended" {
		t.Fatalf("%s: event %+v, want a recommendation", s.Name, a.Event)
	}
	var ev struct {
		DeviceID   string           `json:"device_id"`
		IncidentID uint64           `json:"incident_id"`
		Action     telemetry.Action `json:"action"`
		Channels   []string         `json:"channels"`
	}
	mustJSON(t, a.Event.Payload, &ev)
	if ev.DeviceID != dev || ev.IncidentID != s.WantIncident || !s.WantRecommend.Equal(telemetry.Recommendation{Action: ev.Action, Channels: ev.Channels}) {
		t.Fatalf("%s: recommended %+v, want %+v", s.Name, ev, *s.WantRecommend)
	}
}

func checkIncident(t testing.TB, s conformance.TelemetryStep, dev string, start int64, inc chaintel.Incident) {
	t.Helper()
	check := func(what string, ok bool, got, want any) {
		t.Helper()
		if !ok {
			t.Fatalf("%s: incident %d: %s %v, want %v", s.Name, s.WantIncident, what, got, want)
		}
	}
	check("device", inc.DeviceID == dev, inc.DeviceID, dev)
	check("status", inc.Status == s.WantStatus.String(), inc.Status, s.WantStatus)
	check("reasons", slices.Equal(inc.Rule.Reasons, s.WantReasons), inc.Rule.Reasons, s.WantReasons)
	check("mitigation", inc.Rule.Mitigation.Equal(s.WantMitigation), inc.Rule.Mitigation, s.WantMitigation)
	check("channels", slices.Equal(inc.Rule.Channels, s.WantChannels), inc.Rule.Channels, s.WantChannels)
	check("detectors", slices.Equal(inc.Detectors, s.WantDetectors), inc.Detectors, s.WantDetectors)
	check("attested", inc.Attested == s.WantAttested, inc.Attested, s.WantAttested)
	check("CTI matches", slices.Equal(inc.CTIMatches, s.WantCTIMatches), inc.CTIMatches, s.WantCTIMatches)
	check("timing", inc.Timing == s.WantTiming.Abs(start), inc.Timing, s.WantTiming.Abs(start))
}

func jsonArg(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}
