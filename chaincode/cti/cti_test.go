package cti_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	chaincti "github.com/adf-consortium/adf/chaincode/cti"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/policy"
)

type fixture struct {
	*fabtest.Consortium
	feeds, soc fabtest.Identity
}

func newFixture(t *testing.T) *fixture {
	cc, err := contractapi.NewChaincode(identity.NewContract(), chaincti.NewContract())
	if err != nil {
		t.Fatal(err)
	}
	c := fabtest.NewConsortium(t, cc, "adf-test",
		policy.Rule{ID: "analyst-publish", Role: "analyst", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
		policy.Rule{ID: "analyst-revoke", Role: "analyst", Action: policy.ActionRevokeIndicator, ScopePattern: "*"},
		policy.Rule{ID: "analyst-sight", Role: "analyst", Action: policy.ActionSight, ScopePattern: "*"},
	)
	return &fixture{Consortium: c, feeds: c.Principal(conformance.Publisher, "feeds", "analyst"), soc: c.Principal(conformance.Sighter, "soc", "analyst")}
}

func (f *fixture) gate(t *testing.T, cases []conformance.GateCase) {
	t.Helper()
	var purls []string
	for _, c := range cases {
		purls = append(purls, c.Purl)
	}
	var ans chaincti.GateAnswer
	if err := json.Unmarshal([]byte(f.Must(f.soc, "cti:MatchPackages", fabtest.JSON(t, purls))), &ans); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		r := ans.Results[i]
		if r.Purl != c.Purl || r.Decision != c.Decision || (r.Error != "") != c.WantError {
			t.Errorf("%s: %+v, want %s (error %v)", c.Purl, r, c.Decision, c.WantError)
		}
	}
}

// TestConformance runs pkg/conformance's gate table, which x/cti's keeper
// test runs too.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	var res chaincti.PublishResult
	if err := json.Unmarshal([]byte(f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, conformance.Indicators()))), &res); err != nil {
		t.Fatal(err)
	}
	if res.Published != 2 {
		t.Fatalf("publish: %+v", res)
	}
	f.gate(t, conformance.GateBefore)
	f.Must(f.soc, "cti:SubmitSightings", fabtest.JSON(t, []chaincti.SightingInput{{IndicatorID: conformance.SightedFalse(), Verdict: chaincti.FalsePositive}}))
	f.gate(t, conformance.GateAfter)

	// Decay: the same state answers differently as the domain ages.
	f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, []cti.Indicator{conformance.DomainIndicator()}))
	published := f.Now
	for _, c := range conformance.DecayCases {
		f.Now = published.Add(c.After - time.Second) // Call adds a second
		var ans struct {
			Results []chaincti.ValueResult `json:"results"`
		}
		if err := json.Unmarshal([]byte(f.Must(f.soc, "cti:MatchValues", string(c.Kind), fabtest.JSON(t, []string{c.Value}))), &ans); err != nil {
			t.Fatal(err)
		}
		if ans.Results[0].Decision != c.Decision {
			t.Errorf("%s after %s: %+v, want %s", c.Value, c.After, ans.Results[0], c.Decision)
		}
	}
	f.Fail("kind", f.soc, "cti:MatchValues", "package", `["x"]`)
}

func TestRegistryRules(t *testing.T) {
	f := newFixture(t)
	ins := conformance.Indicators()
	f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, ins))

	// Re-publishing the same content changes nothing; a change is a revision.
	var res chaincti.PublishResult
	json.Unmarshal([]byte(f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, ins))), &res)
	if res.Unchanged != 2 || res.Published+res.Updated != 0 {
		t.Fatalf("republish: %+v", res)
	}
	ins[1].Confidence = 90
	json.Unmarshal([]byte(f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, ins[1:]))), &res)
	if res.Updated != 1 {
		t.Fatalf("update: %+v", res)
	}
	var rec chaincti.Record
	json.Unmarshal([]byte(f.Must(f.soc, "cti:GetIndicator", ins[1].ID)), &rec)
	if rec.Revision != 2 || rec.Indicator.Publisher != conformance.Publisher || rec.Indicator.Confidence != 90 {
		t.Fatalf("record: %+v", rec)
	}

	// Only the publisher organisation updates or revokes.
	f.Fail("not the publisher", f.soc, "cti:PublishIndicators", fabtest.JSON(t, ins[:1]))
	f.Fail("not the publisher", f.soc, "cti:RevokeIndicators", fabtest.JSON(t, []string{ins[0].ID}), "false positive")
	// A batch is all or nothing: one invalid item rejects the others.
	bad := cti.Indicator{ID: cti.IDFor("x"), SourceID: "x", Kind: cti.KindDomain, Value: "not a domain", Confidence: 50}
	good := cti.Indicator{ID: cti.IDFor("y"), SourceID: "y", Kind: cti.KindDomain, Value: "evil.example", Confidence: 50}
	f.Fail("invalid indicator", f.feeds, "cti:PublishIndicators", fabtest.JSON(t, []cti.Indicator{good, bad}))
	f.Fail("duplicate source id", f.feeds, "cti:PublishIndicators", fabtest.JSON(t, []cti.Indicator{good, good}))
	f.Fail("empty batch", f.feeds, "cti:PublishIndicators", `[]`)
	f.Fail("invalid JSON", f.feeds, "cti:PublishIndicators", `[{"id":1}]`)
	// Sightings: not of one's own indicators, one verdict per org.
	f.Fail("cannot sight own indicator", f.feeds, "cti:SubmitSightings", fabtest.JSON(t, []chaincti.SightingInput{{IndicatorID: ins[0].ID, Verdict: chaincti.TruePositive}}))
	f.Fail("verdict must be", f.soc, "cti:SubmitSightings", fabtest.JSON(t, []chaincti.SightingInput{{IndicatorID: ins[0].ID, Verdict: "maybe"}}))
	f.Must(f.soc, "cti:SubmitSightings", fabtest.JSON(t, []chaincti.SightingInput{{IndicatorID: ins[0].ID, Verdict: chaincti.TruePositive}}))
	f.Must(f.soc, "cti:SubmitSightings", fabtest.JSON(t, []chaincti.SightingInput{{IndicatorID: ins[0].ID, Verdict: chaincti.FalsePositive}}))
	json.Unmarshal([]byte(f.Must(f.soc, "cti:GetIndicator", ins[0].ID)), &rec)
	if rec.TruePositives != 0 || rec.FalsePositives != 1 {
		t.Fatalf("a changed verdict must move the counters: %+v", rec)
	}

	// Revocation stops matching at once; the record stays.
	f.Fail("reason", f.feeds, "cti:RevokeIndicators", fabtest.JSON(t, []string{ins[0].ID}), "")
	f.Must(f.feeds, "cti:RevokeIndicators", fabtest.JSON(t, []string{ins[0].ID}), "withdrawn by OSV")
	f.Fail("indicator revoked", f.feeds, "cti:RevokeIndicators", fabtest.JSON(t, []string{ins[0].ID}), "again")
	f.gate(t, []conformance.GateCase{{Purl: "pkg:npm/evil-pkg@1.0.0", Decision: "pass"}})
	json.Unmarshal([]byte(f.Must(f.soc, "cti:GetIndicator", ins[0].ID)), &rec)
	if rec.Status != chaincti.StatusRevoked || rec.Revision != 2 {
		t.Fatalf("revoked record: %+v", rec)
	}
	// Re-publication files it again.
	f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, ins[:1]))
	f.gate(t, []conformance.GateCase{{Purl: "pkg:npm/evil-pkg@1.0.0", Decision: "block"}})
}
