package telemetry_test

import (
	"encoding/hex"
	"encoding/json"
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

type fixture struct {
	*fabtest.Consortium
	ops, det1, det2, ci, feeds fabtest.Identity
}

func newFixture(t *testing.T) *fixture {
	cc, err := contractapi.NewChaincode(identity.NewContract(), attestation.NewContract(), chaincti.NewContract(), chaintel.NewContract())
	if err != nil {
		t.Fatal(err)
	}
	c := fabtest.NewConsortium(t, cc, "adf-test",
		policy.Rule{ID: "ops-device", Role: "ops", Action: policy.ActionRegisterDevice, ScopePattern: "acme/*"},
		policy.Rule{ID: "ops-incident", Role: "ops", Action: policy.ActionHandleIncident, ScopePattern: "*"},
		policy.Rule{ID: "detector", Role: "detector", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		policy.Rule{ID: "ci-direct", Role: "ci", Action: policy.ActionAnchorDirect, ScopePattern: "*"},
		policy.Rule{ID: "publish", Role: "analyst", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
	)
	f := &fixture{Consortium: c, ops: c.Principal("acme", "ops", "ops"), det1: c.Principal("acme", "det1", "detector"),
		det2: c.Principal("acme", "det2", "detector"), ci: c.Principal("acme", "ci", "ci"), feeds: c.Principal("osv", "feeds", "analyst")}
	// The build of app-1.0.tar.gz is anchored: devices running it are attested.
	var k identity.Key
	json.Unmarshal([]byte(c.Must(f.ci, "identity:RegisterKey", fabtest.JSON(t, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: conformance.Key("signer").Public().Bytes(), NotAfter: c.Now.Add(time.Hour),
	}))), &k)
	s := conformance.Direct(k.Address, "adf-test")[0]
	c.Must(f.ci, "attestation:AnchorAttestation", string(s.Envelope), s.RiskClass, s.Scope)
	c.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, conformance.Indicators()))
	return f
}

var attested = "sha256:" + hex.EncodeToString(conformance.Digest("app-1.0.tar.gz"))

func device(id, class, digest string, purls ...string) chaintel.DeviceInput {
	return chaintel.DeviceInput{ID: id, Class: class, ArtifactDigest: digest, Firmware: "1.0.0", Channels: []string{"pressure", "temp", "flow", "valve"}, Purls: purls}
}

func (f *fixture) report(t *testing.T, who fabtest.Identity, dev string, channels ...string) chaintel.ReportResult {
	t.Helper()
	now := f.Now.Unix()
	in := chaintel.ReportInput{DeviceID: dev, WindowStart: now - 60, WindowEnd: now, Channels: channels, Score: 900, Threshold: 500,
		Method: "sparse-ksvd", ModelDigest: "sha256:" + strings.Repeat("ab", 32), EvidenceDigest: "sha256:" + strings.Repeat("cd", 32)}
	var res struct {
		Results []chaintel.ReportResult `json:"results"`
	}
	if err := json.Unmarshal([]byte(f.Must(who, "telemetry:SubmitReports", fabtest.JSON(t, []chaintel.ReportInput{in}))), &res); err != nil {
		t.Fatal(err)
	}
	return res.Results[0]
}

func TestEscalation(t *testing.T) {
	f := newFixture(t)
	f.Must(f.ops, "telemetry:RegisterDevice", fabtest.JSON(t, device("acme/pump-1", "pump", attested)))
	f.Fail("may not register-device", f.ops, "telemetry:RegisterDevice", fabtest.JSON(t, device("osv/pump-9", "pump", attested)))
	f.Fail("invalid device", f.ops, "telemetry:RegisterDevice", fabtest.JSON(t, device("acme/pump-2", "pump", "sha256:xyz")))

	// One detector opens an alert; a second detector within the window
	// confirms it and quarantine of the channels is recommended.
	r1 := f.report(t, f.det1, "acme/pump-1", "pressure")
	if r1.Level != "alert" || r1.IncidentID != 1 {
		t.Fatalf("first report: %+v", r1)
	}
	// The same report again is a duplicate and changes nothing.
	f.Now = f.Now.Add(-time.Second) // same window and time
	dup := f.report(t, f.det1, "acme/pump-1", "pressure")
	if !dup.Duplicate || dup.ReportID != r1.ReportID {
		t.Fatalf("duplicate: %+v", dup)
	}
	r2 := f.report(t, f.det2, "acme/pump-1", "temp")
	if r2.Level != "confirmed" || r2.IncidentID != 1 {
		t.Fatalf("second detector: %+v", r2)
	}
	var got struct {
		Incident     chaintel.Incident `json:"incident"`
		TimeToDetect int64             `json:"time_to_detect"`
	}
	json.Unmarshal([]byte(f.Must(f.ops, "telemetry:GetIncident", "1")), &got)
	if got.Incident.Status != "confirmed" || got.Incident.Rule.Mitigation.Action != telemetry.ActionQuarantineChannel ||
		strings.Join(got.Incident.Rule.Mitigation.Channels, ",") != "pressure,temp" || got.TimeToDetect <= 0 {
		t.Fatalf("incident: %+v", got)
	}
	// Only the device's organisation handles it.
	osvOps := f.Principal("osv", "ops", "ops")
	f.Fail("wrong organisation", osvOps, "telemetry:AcknowledgeIncident", "1", "acme/pump-1", "")
	f.Fail("not acme/pump-2", f.ops, "telemetry:AcknowledgeIncident", "1", "acme/pump-2", "")
	f.Must(f.ops, "telemetry:AcknowledgeIncident", "1", "acme/pump-1", "on it")
	f.Fail("already acknowledged", f.ops, "telemetry:AcknowledgeIncident", "1", "acme/pump-1", "")
	f.Must(f.ops, "telemetry:ResolveIncident", "1", "acme/pump-1", "valve replaced")
	f.Fail("already resolved", f.ops, "telemetry:ResolveIncident", "1", "acme/pump-1", "")
	var dev struct {
		State chaintel.DeviceState `json:"state"`
	}
	json.Unmarshal([]byte(f.Must(f.ops, "telemetry:GetDevice", "acme/pump-1")), &dev)
	if dev.State.Level != "normal" {
		t.Fatalf("after resolution: %+v", dev.State)
	}

	// An unconfirmed alert expires; the next report opens a new incident.
	r3 := f.report(t, f.det1, "acme/pump-1", "flow")
	f.Now = f.Now.Add(time.Duration(telemetry.DefaultAlertExpiry+1) * time.Second)
	json.Unmarshal([]byte(f.Must(f.ops, "telemetry:GetDevice", "acme/pump-1")), &dev)
	if dev.State.Level != "normal" {
		t.Fatalf("expired alert: %+v", dev.State)
	}
	f.Fail("expired", f.ops, "telemetry:AcknowledgeIncident", "2", "acme/pump-1", "")
	r4 := f.report(t, f.det2, "acme/pump-1", "flow")
	if r4.IncidentID == r3.IncidentID || r4.Level != "alert" {
		t.Fatalf("after expiry: %+v (earlier %+v)", r4, r3)
	}
}

// TestSignals: a device whose artifact has no anchored attestation, or
// whose dependencies the CTI gate flags, is confirmed by its first report.
func TestSignals(t *testing.T) {
	f := newFixture(t)
	unattested := "sha256:" + strings.Repeat("11", 32)
	f.Must(f.ops, "telemetry:RegisterDevice", fabtest.JSON(t, device("acme/plc-1", "plc", unattested)))
	f.Must(f.ops, "telemetry:RegisterDevice", fabtest.JSON(t, device("acme/hmi-1", "hmi", attested, "pkg:npm/evil-pkg@1.0.0", "pkg:npm/left-pad@1.3.0")))

	if r := f.report(t, f.det1, "acme/plc-1", "valve"); r.Level != "confirmed" {
		t.Fatalf("unattested: %+v", r)
	}
	var inc struct {
		Incident chaintel.Incident `json:"incident"`
	}
	json.Unmarshal([]byte(f.Must(f.ops, "telemetry:GetIncident", "1")), &inc)
	if inc.Incident.Rule.Mitigation.Action != telemetry.ActionSafeMode || inc.Incident.Attested {
		t.Fatalf("plc incident: %+v", inc.Incident)
	}
	if r := f.report(t, f.det1, "acme/hmi-1", "temp"); r.Level != "confirmed" {
		t.Fatalf("CTI match: %+v", r)
	}
	json.Unmarshal([]byte(f.Must(f.ops, "telemetry:GetIncident", "2")), &inc)
	if len(inc.Incident.CTIMatches) != 1 || !strings.HasPrefix(inc.Incident.CTIMatches[0], "pkg:npm/evil-pkg@1.0.0 ") || !inc.Incident.Attested {
		t.Fatalf("hmi incident: %+v", inc.Incident)
	}
	// Bad reports change nothing.
	now := f.Now.Unix()
	bad := chaintel.ReportInput{DeviceID: "acme/hmi-1", WindowStart: now - 60, WindowEnd: now + 3600, Channels: []string{"temp"}, Score: 900, Threshold: 500,
		Method: "m", ModelDigest: "sha256:" + strings.Repeat("ab", 32), EvidenceDigest: "sha256:" + strings.Repeat("cd", 32)}
	f.Fail("max_clock_skew", f.det1, "telemetry:SubmitReports", fabtest.JSON(t, []chaintel.ReportInput{bad}))
	bad.WindowEnd, bad.Channels = now, []string{"nosuch"}
	f.Fail("not a channel of device", f.det1, "telemetry:SubmitReports", fabtest.JSON(t, []chaintel.ReportInput{bad}))
	bad.DeviceID = "acme/ghost"
	f.Fail("not registered", f.det1, "telemetry:SubmitReports", fabtest.JSON(t, []chaintel.ReportInput{bad}))
	f.Fail("unauthorized", f.ops, "telemetry:SubmitReports", fabtest.JSON(t, []chaintel.ReportInput{bad}))
	f.Fail("empty batch", f.det1, "telemetry:SubmitReports", `[]`)
}
