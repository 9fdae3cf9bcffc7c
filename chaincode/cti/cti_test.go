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

// TestExceptions: a time-boxed exception lowers a hold to pass once the
// approvals its policy requires are recorded; a block needs an exception
// that says so; removal and expiry restore the decision; every change is
// a new policy version.
func TestExceptions(t *testing.T) {
	cc, err := contractapi.NewChaincode(identity.NewContract(), chaincti.NewContract())
	if err != nil {
		t.Fatal(err)
	}
	c := fabtest.NewConsortium(t, cc, "adf-test",
		policy.Rule{ID: "publish", Role: "analyst", Action: policy.ActionPublishIndicator, ScopePattern: "*"},
		policy.Rule{ID: "exceptions", Role: "release-manager", Action: policy.ActionGateException, ScopePattern: "*", ApprovalsRequired: 2},
		policy.Rule{ID: "approvers", Role: "security", Action: policy.ActionApprove, ScopePattern: "*"},
	)
	f := &fixture{Consortium: c, feeds: c.Principal(conformance.Publisher, "feeds", "analyst"), soc: c.Principal(conformance.Sighter, "soc", "security")}
	rm := c.Principal(conformance.Sighter, "rm", "release-manager")
	sec2 := c.Principal(conformance.Sighter, "sec2", "security")
	f.Must(f.feeds, "cti:PublishIndicators", fabtest.JSON(t, conformance.Indicators()))
	target := "pkg:pypi/requests-lib"
	expires := fmtInt(f.Now.Add(7 * 24 * time.Hour).Unix())

	f.Fail("approvals required", rm, "cti:SetException", "exc-1", target, "patched in our fork", expires, "")
	f.Must(f.soc, "identity:Approve", policy.ActionGateException, target, "exc-1")
	f.Fail("already approved", f.soc, "identity:Approve", policy.ActionGateException, target, "exc-1")
	f.Fail("approvals required", rm, "cti:SetException", "exc-1", target, "patched in our fork", expires, "")
	f.Must(sec2, "identity:Approve", policy.ActionGateException, target, "exc-1")
	f.Fail("not after the transaction time", rm, "cti:SetException", "exc-1", target, "r", fmtInt(f.Now.Unix()-1), "")
	f.Fail("max_exception_seconds", rm, "cti:SetException", "exc-1", target, "r", fmtInt(f.Now.Add(100*24*time.Hour).Unix()), "")
	f.Fail("target", rm, "cti:SetException", "exc-1", "not a target", "r", expires, "")
	f.Fail("max_decision", rm, "cti:SetException", "exc-1", target, "r", expires, "pass")
	f.Fail("unauthorized", f.feeds, "cti:SetException", "exc-1", target, "r", expires, "")
	f.Must(rm, "cti:SetException", "exc-1", target, "patched in our fork", expires, "")

	ans := f.match(t, "pkg:pypi/requests-lib@1.1", "pkg:npm/evil-pkg@1.0.0")
	if ans.PolicyVersion != 2 || ans.Results[0].Decision != "pass" || ans.Results[0].Reasons[0].ExceptionID != "exc-1" {
		t.Fatalf("with the exception: %+v", ans)
	}
	// An exception does not lower a block unless it says max_decision block.
	f.Must(f.soc, "identity:Approve", policy.ActionGateException, "pkg:npm/evil-pkg", "exc-2")
	f.Must(sec2, "identity:Approve", policy.ActionGateException, "pkg:npm/evil-pkg", "exc-2")
	f.Must(rm, "cti:SetException", "exc-2", "pkg:npm/evil-pkg", "false positive", expires, "")
	if a := f.match(t, "pkg:npm/evil-pkg@1.0.0"); a.Results[0].Decision != "block" {
		t.Fatalf("hold ceiling lowered a block: %+v", a)
	}
	f.Must(f.soc, "identity:Approve", policy.ActionGateException, "pkg:npm/evil-pkg", "exc-3")
	f.Must(sec2, "identity:Approve", policy.ActionGateException, "pkg:npm/evil-pkg", "exc-3")
	f.Must(rm, "cti:SetException", "exc-3", "pkg:npm/evil-pkg", "false positive", expires, "block")
	if a := f.match(t, "pkg:npm/evil-pkg@1.0.0"); a.Results[0].Decision != "pass" {
		t.Fatalf("block exception: %+v", a)
	}
	f.Fail("has target", rm, "cti:RemoveException", "exc-1", "pkg:npm/evil-pkg")
	f.Fail("not found", rm, "cti:RemoveException", "exc-9", target)
	f.Must(rm, "cti:RemoveException", "exc-1", target)
	if a := f.match(t, "pkg:pypi/requests-lib@1.1"); a.Results[0].Decision != "hold" || a.PolicyVersion != 5 {
		t.Fatalf("after removal: %+v", a)
	}
	// Expiry restores the decision without a transaction.
	f.Now = f.Now.Add(8 * 24 * time.Hour)
	if a := f.match(t, "pkg:npm/evil-pkg@1.0.0"); a.Results[0].Decision != "block" {
		t.Fatalf("after expiry: %+v", a)
	}
}

func (f *fixture) match(t *testing.T, purls ...string) chaincti.GateAnswer {
	t.Helper()
	var ans chaincti.GateAnswer
	if err := json.Unmarshal([]byte(f.Must(f.soc, "cti:MatchPackages", fabtest.JSON(t, purls))), &ans); err != nil {
		t.Fatal(err)
	}
	return ans
}

func fmtInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
