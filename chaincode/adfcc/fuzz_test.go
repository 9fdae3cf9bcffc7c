package adfcc_test

import (
	"encoding/json"
	"fmt"
	"maps"
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
)

// fuzzFunctions are the transactions that parse caller input.
var fuzzFunctions = []string{
	"identity:RegisterPrincipal", "identity:RegisterKey", "identity:RevokeKey", "identity:ProposePolicy", "identity:Authorize",
	"attestation:AnchorRoot", "attestation:AnchorAttestation", "attestation:Provenance", "attestation:BySubject",
	"cti:PublishIndicators", "cti:RevokeIndicators", "cti:SubmitSightings", "cti:MatchPackages", "cti:MatchValues",
	"telemetry:RegisterDevice", "telemetry:SubmitReports", "telemetry:AcknowledgeIncident", "telemetry:ResolveIncident",
	"identity:Approve", "cti:RemoveException", // cti:SetException takes five arguments: FuzzSetException
}

// FuzzContracts sends arbitrary arguments to every input-parsing
// transaction of the contracts, unwrapped (a panic fails the fuzz target
// rather than being recovered), on a registry with orgs, principals,
// policies, a key, a log and indicators. A failed transaction must write
// nothing.
func FuzzContracts(f *testing.F) {
	cc, err := contractapi.NewChaincode(identity.NewContract(), attestation.NewContract(), chaincti.NewContract(), chaintel.NewContract())
	if err != nil {
		f.Fatal(err)
	}
	c := fabtest.NewConsortium(f, cc, "adf-test",
		policy.Rule{ID: "ci-anchor", Role: "ci", Action: policy.ActionAnchor, ScopePattern: "*"},
		policy.Rule{ID: "ci-direct", Role: "ci", Action: policy.ActionAnchorDirect, ScopePattern: "*"},
		policy.Rule{ID: "ci-publish", Role: "ci", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
		policy.Rule{ID: "ci-sight", Role: "ci", Action: policy.ActionSight, ScopePattern: "*"},
		policy.Rule{ID: "ci-revoke", Role: "ci", Action: policy.ActionRevokeIndicator, ScopePattern: "*"},
		policy.Rule{ID: "ci-device", Role: "ci", Action: policy.ActionRegisterDevice, ScopePattern: "*"},
		policy.Rule{ID: "ci-report", Role: "ci", Action: policy.ActionReportAnomaly, ScopePattern: "*"},
		policy.Rule{ID: "ci-incident", Role: "ci", Action: policy.ActionHandleIncident, ScopePattern: "*"},
	)
	ci := c.Principal("acme", "ci", "ci")
	var key identity.Key
	fuzzJSON(f, c.Must(ci, "identity:RegisterKey", fabtest.JSON(f, identity.KeyRequest{
		PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: conformance.Key("signer").Public().Bytes(), NotAfter: c.Now.Add(time.Hour),
	})), &key)
	root := conformance.Roots()[1]
	c.Must(ci, "attestation:AnchorRoot", root.LogID, "5", fmtHex(root.RootHash), "")
	c.Must(ci, "cti:PublishIndicators", fabtest.JSON(f, conformance.Indicators()))
	dev := `{"id":"acme/pump-1","class":"pump","artifact_digest":"sha256:` + strings.Repeat("11", 32) + `","firmware":"1.0","channels":["a","b"],"purls":["pkg:npm/evil-pkg@1.0.0"]}`
	c.Must(ci, "telemetry:RegisterDevice", dev)
	report := fmt.Sprintf(`[{"device_id":"acme/pump-1","window_start":%d,"window_end":%d,"channels":["a"],"score":9,"threshold":5,"method":"m","model_digest":"sha256:%s","evidence_digest":"sha256:%s"}]`,
		c.Now.Unix()-60, c.Now.Unix(), strings.Repeat("ab", 32), strings.Repeat("cd", 32))
	c.Must(ci, "telemetry:SubmitReports", report)
	base := maps.Clone(c.W.State)
	start := c.Now

	for _, s := range conformance.Direct(key.Address, "adf-test") {
		f.Add(uint8(6), string(s.Envelope), s.RiskClass, s.Scope)
	}
	f.Add(uint8(5), root.LogID, "12", fmtHex(root.RootHash))
	f.Add(uint8(9), fabtest.JSON(f, conformance.Indicators()), "", "")
	f.Add(uint8(12), `["pkg:npm/evil-pkg@1.0.0","pkg:pypi/requests-lib@1.1"]`, "", "")
	f.Add(uint8(13), "domain", `["cdn.evil.example","1.2.3.4"]`, "")
	f.Add(uint8(1), `{"principal_id":"acme/ci","algorithm":"ed25519","public_key":"AA==","not_after":"2030-01-01T00:00:00Z"}`, "", "")
	f.Add(uint8(3), `{"rule":{"id":"x","role":"r","action":"anchor","scope_pattern":"*"}}`, "", "")
	f.Add(uint8(14), dev, "", "")
	f.Add(uint8(15), report, "", "")
	f.Add(uint8(16), "1", "acme/pump-1", "note")
	f.Add(uint8(17), "1", "acme/pump-1", "")
	f.Fuzz(func(t *testing.T, fn uint8, a, b, c3 string) {
		c.W.State = maps.Clone(base)
		c.Now = start
		name := fuzzFunctions[int(fn)%len(fuzzFunctions)]
		r := c.Call(ci, name, a, b, c3)
		if !r.OK() && len(r.Writes) != 0 {
			t.Fatalf("%s failed (%s) but wrote %q", name, r.Response.Message, r.Writes)
		}
	})
}

func fmtHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, x := range b {
		out[2*i], out[2*i+1] = digits[x>>4], digits[x&15]
	}
	return string(out)
}

func fuzzJSON(f *testing.F, s string, v any) {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		f.Fatalf("%s: %v", s, err)
	}
}

// FuzzSetException: arbitrary exception fields never panic, and a refused
// exception writes nothing.
func FuzzSetException(f *testing.F) {
	cc, err := contractapi.NewChaincode(identity.NewContract(), chaincti.NewContract())
	if err != nil {
		f.Fatal(err)
	}
	c := fabtest.NewConsortium(f, cc, "adf-test",
		policy.Rule{ID: "x", Role: "rm", Action: policy.ActionGateException, ScopePattern: "*"})
	rm := c.Principal("acme", "rm", "rm")
	base := maps.Clone(c.W.State)
	start := c.Now
	f.Add("exc-1", "pkg:npm/left-pad", "reason", start.Unix()+3600, "")
	f.Add("exc-2", "ind-0123456789abcdef0123456789abcdef", "r", start.Unix()+7200, "block")
	f.Add("", "pkg:npm/x@1", "r", int64(-1), "pass")
	f.Fuzz(func(t *testing.T, id, target, reason string, expires int64, maxDecision string) {
		c.W.State = maps.Clone(base)
		c.Now = start
		r := c.Call(rm, "cti:SetException", id, target, reason, fmt.Sprint(expires), maxDecision)
		if !r.OK() && len(r.Writes) != 0 {
			t.Fatalf("refused (%s) but wrote %q", r.Response.Message, r.Writes)
		}
	})
}
