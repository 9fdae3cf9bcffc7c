package telemetry_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/attestation"
	chaincti "github.com/adf-consortium/adf/chaincode/cti"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/chaincode/internal/telconf"
	chaintel "github.com/adf-consortium/adf/chaincode/telemetry"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/policy"
)

// TestConformance runs pkg/conformance's telemetry table against the
// contract over the in-memory stub (chaincode/adfcc's integration test
// runs it over the chaincode protocol, x/telemetry's keeper test against
// the keeper). The signals come from the chaincode's own registries: the
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

	telconf.Run(t, func(who string, at time.Time, fn string, args ...string) telconf.Answer {
		id, ok := by[who]
		if !ok {
			t.Fatalf("no identity for %q", who)
		}
		before := len(c.W.State)
		c.Now = at.Add(-time.Second) // fabtest's clock adds a second per call
		r := c.Call(id, fn, args...)
		a := telconf.Answer{OK: r.OK(), Message: r.Response.Message, Payload: r.Response.Payload, Writes: r.Writes, Event: r.Event}
		if !a.OK && len(c.W.State) != before {
			t.Fatalf("%s failed but changed the world state", fn)
		}
		return a
	}, c.Now.Add(time.Minute).Unix())
}
