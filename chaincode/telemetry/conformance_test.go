package telemetry_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/attestation"
	chaincti "github.com/adf-consortium/adf/chaincode/cti"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	chaintel "github.com/adf-consortium/adf/chaincode/telemetry"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/telemetry"
)

// TestConformance runs pkg/conformance's telemetry table against the
// contract over the in-memory stub; x/telemetry's keeper test runs the
// same table. The signals come from the chaincode's own registries: the
// table's attested artifact is anchored through the attestation contract
// and the indicators are published through the CTI contract, and the
// gate's answers must be the table's TelemetryMatches.
func TestConformance(t *testing.T) {
	tc := chaintel.NewContract()
	tc.Params = conformance.TelemetryParams()
	cc, err := contractapi.NewChaincode(identity.NewContract(), attestation.NewContract(), chaincti.NewContract(), tc)
	if err != nil {
		t.Fatal(err)
	}
	c := fabtest.NewConsortium(t, cc, "adf-test",
		policy.Rule{ID: "ops-device", Role: "ops", Action: policy.ActionRegisterDevice, ScopePattern: "acme/*"},
		policy.Rule{ID: "ops-incident", Role: "ops", Action: policy.ActionHandleIncident, ScopePattern: "acme/*"},
		policy.Rule{ID: "detector", Role: "detector", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		// The report-anomaly right for a principal that is no detector
		// (the chaincode has no principal kinds).
		policy.Rule{ID: "gateway", Role: "gateway", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		policy.Rule{ID: "ci-direct", Role: "ci", Action: policy.ActionAnchorDirect, ScopePattern: "*"},
		policy.Rule{ID: "publish", Role: "analyst", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
	)
	name := func(id string) string { return strings.TrimPrefix(id, conformance.TelemetryOrg+"/") }
	by := map[string]fabtest.Identity{
		conformance.TelemetryOperator: c.Principal(conformance.TelemetryOrg, name(conformance.TelemetryOperator), "ops"),
		conformance.Detector1:         c.Principal(conformance.TelemetryOrg, name(conformance.Detector1), "detector"),
		conformance.Detector2:         c.Principal(conformance.TelemetryOrg, name(conformance.Detector2), "detector"),
		conformance.TelemetryGateway:  c.Principal(conformance.TelemetryOrg, name(conformance.TelemetryGateway), "gateway"),
	}
	ci, feeds := c.Principal("acme", "ci", "ci"), c.Principal("osv", "feeds", "analyst")

	// The signals: the attested artifact is Direct's first subject.
	var k identity.Key
	if err := json.Unmarshal([]byte(c.Must(ci, "identity:RegisterKey", fabtest.JSON(t, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: conformance.Key("signer").Public().Bytes(), NotAfter: c.Now.Add(24 * time.Hour),
	}))), &k); err != nil {
		t.Fatal(err)
	}
	d := conformance.Direct(k.Address, "adf-test")[0]
	c.Must(ci, "attestation:AnchorAttestation", string(d.Envelope), d.RiskClass, d.Scope)
	c.Must(feeds, "cti:PublishIndicators", fabtest.JSON(t, conformance.Indicators()))
	var purls []string
	for _, m := range conformance.TelemetryMatches() {
		purls = append(purls, m.Purl)
	}
	var gate chaincti.GateAnswer
	mustJSON(t, c.Must(ci, "cti:MatchPackages", fabtest.JSON(t, purls)), &gate)
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

	start := c.Now.Add(time.Minute).Unix()
	for _, s := range conformance.TelemetrySteps() {
		// Every call of the step, queries included, is at the step's time
		// (fabtest's clock adds a second per call).
		call := func(id fabtest.Identity, fn string, args ...string) fabtest.Result {
			c.Now = time.Unix(start+s.At-1, 0).UTC()
			return c.Call(id, fn, args...)
		}
		must := func(id fabtest.Identity, fn string, args ...string) string {
			t.Helper()
			r := call(id, fn, args...)
			if !r.OK() {
				t.Fatalf("%s: %s: %s", s.Name, fn, r.Response.Message)
			}
			return string(r.Response.Payload)
		}
		level := func(dev string) telemetry.Level {
			var d struct {
				State chaintel.DeviceState `json:"state"`
			}
			mustJSON(t, must(by[conformance.TelemetryOperator], "telemetry:GetDevice", dev), &d)
			for _, l := range []telemetry.Level{telemetry.LevelNormal, telemetry.LevelAlert, telemetry.LevelConfirmed} {
				if l.String() == d.State.Level {
					return l
				}
			}
			t.Fatalf("%s: level %q", s.Name, d.State.Level)
			return 0
		}

		id := by[s.By]
		dev, fn := s.DeviceID, ""
		var args []string
		switch s.Op {
		case conformance.OpRegister:
			dev, fn = s.Device.ID, "telemetry:RegisterDevice"
			args = []string{fabtest.JSON(t, chaintel.DeviceInput{ID: s.Device.ID, Class: s.Device.Class, ArtifactDigest: s.Device.Artifact,
				Firmware: "1.0.0", Channels: s.Device.Channels, Purls: s.Device.Purls})}
		case conformance.OpReport:
			in := s.Report.Input(start)
			dev, fn = in.DeviceID, "telemetry:SubmitReports"
			args = []string{fabtest.JSON(t, []chaintel.ReportInput{{DeviceID: in.DeviceID, WindowStart: in.WindowStart, WindowEnd: in.WindowEnd,
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
			before := len(c.W.State)
			r := call(id, fn, args...)
			if r.OK() || !strings.Contains(r.Response.Message, s.Want) || !strings.Contains(r.Response.Message, s.WantError) {
				t.Fatalf("%s: %s: status %d %q, want an error containing %q and %q", s.Name, fn, r.Response.Status, r.Response.Message, s.Want, s.WantError)
			}
			if len(r.Writes) != 0 || len(c.W.State) != before {
				t.Fatalf("%s: failed but wrote %q", s.Name, r.Writes)
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
			r := call(id, fn, args...)
			if !r.OK() {
				t.Fatalf("%s: %s: %s", s.Name, fn, r.Response.Message)
			}
			if s.Op == conformance.OpReport {
				var res struct {
					Results []chaintel.ReportResult `json:"results"`
				}
				mustJSON(t, string(r.Response.Payload), &res)
				if len(res.Results) != 1 {
					t.Fatalf("%s: %+v", s.Name, res)
				}
				got := res.Results[0]
				if got.ReportID != s.WantReport || got.Duplicate != s.WantDuplicate || got.IncidentID != s.WantIncident || got.Level != s.WantTo.String() {
					t.Fatalf("%s: %+v, want report %d duplicate %v incident %d level %s", s.Name, got, s.WantReport, s.WantDuplicate, s.WantIncident, s.WantTo)
				}
				if s.WantRecommend == nil {
					if r.Event != nil {
						t.Fatalf("%s: event %s %s, want none", s.Name, r.Event.EventName, r.Event.Payload)
					}
				} else {
					var ev struct {
						DeviceID   string           `json:"device_id"`
						IncidentID uint64           `json:"incident_id"`
						Action     telemetry.Action `json:"action"`
						Channels   []string         `json:"channels"`
					}
					if r.Event == nil || r.Event.EventName != "adf.telemetry.MitigationRecommended" {
						t.Fatalf("%s: event %+v, want a recommendation", s.Name, r.Event)
					}
					mustJSON(t, string(r.Event.Payload), &ev)
					if ev.DeviceID != dev || ev.IncidentID != s.WantIncident || !s.WantRecommend.Equal(telemetry.Recommendation{Action: ev.Action, Channels: ev.Channels}) {
						t.Fatalf("%s: recommended %+v, want %+v", s.Name, ev, *s.WantRecommend)
					}
				}
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
		mustJSON(t, must(by[conformance.TelemetryOperator], "telemetry:GetIncident", fmt.Sprint(s.WantIncident)), &got)
		inc := got.Incident
		check := func(what string, ok bool, got, want any) {
			t.Helper()
			if !ok {
				t.Fatalf("%s: %s %v, want %v", s.Name, what, got, want)
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
}

func mustJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
}
