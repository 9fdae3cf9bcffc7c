package identity_test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/policy"
)

func newConsortium(t *testing.T, rules ...policy.Rule) *fabtest.Consortium {
	cc, err := contractapi.NewChaincode(identity.NewContract())
	if err != nil {
		t.Fatal(err)
	}
	return fabtest.NewConsortium(t, cc, "adf-test", rules...)
}

func decision(t *testing.T, s string) identity.Decision {
	var d identity.Decision
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
}

func TestOrgBinding(t *testing.T) {
	c := newConsortium(t)
	var me identity.Caller
	if err := json.Unmarshal([]byte(c.Must(c.Admin1, "identity:Whoami")), &me); err != nil {
		t.Fatal(err)
	}
	if me.OrgID != "acme" || !me.Admin || me.MSPID != "Org1MSP" {
		t.Fatalf("whoami: %+v", me)
	}
	c.Fail("already bound", c.Admin1, "identity:RegisterOrg", "acme2")
	org3 := fabtest.NewMSP("Org3MSP")
	c.Fail("only an admin", org3.Member("bob", "bob", nil), "identity:RegisterOrg", "third")
	c.Fail("already exists", org3.Admin("a3"), "identity:RegisterOrg", "acme")
	c.Fail("does not match", org3.Admin("a3"), "identity:RegisterOrg", "Bad_Org")
	// attribute adf.admin=true is an admin too
	c.Must(org3.Issue("a3", []string{"client"}, map[string]string{"adf.admin": "true"}), "identity:RegisterOrg", "third")
}

func TestPrincipalsAndPolicies(t *testing.T) {
	rule := policy.Rule{ID: "ci-anchor", Role: "ci", Action: policy.ActionAnchor, ScopePattern: "acme/*"}
	c := newConsortium(t)
	// One organisation's approval is not enough for a policy.
	ch := fabtest.JSON(t, map[string]any{"rule": map[string]any{"id": rule.ID, "role": rule.Role, "action": rule.Action, "scope_pattern": rule.ScopePattern}})
	var st identity.ChangeStatus
	mustJSON(t, c.Must(c.Admin1, "identity:ProposePolicy", ch), &st)
	if st.Applied || st.Needed != 2 {
		t.Fatalf("after one approval: %+v", st)
	}
	c.Fail("already approved", c.Admin1, "identity:ProposePolicy", ch)
	ci := c.Principal("acme", "ci", "ci")
	if d := decision(t, c.Must(ci, "identity:Authorize", policy.ActionAnchor, "acme/log")); d.Allowed {
		t.Fatalf("allowed before the policy applied: %+v", d)
	}
	mustJSON(t, c.Must(c.Admin2, "identity:ProposePolicy", ch), &st)
	if !st.Applied {
		t.Fatalf("after two approvals: %+v", st)
	}
	c.Fail("already applied", c.Admin2, "identity:ProposePolicy", ch)

	d := decision(t, c.Must(ci, "identity:Authorize", policy.ActionAnchor, "acme/log"))
	if !d.Allowed || d.PrincipalID != "acme/ci" || d.PolicyID != "ci-anchor" {
		t.Fatalf("decision: %+v", d)
	}
	if d := decision(t, c.Must(ci, "identity:Authorize", policy.ActionAnchor, "other/log")); d.Allowed {
		t.Fatal("scope outside the pattern allowed")
	}
	// The certificate's adf.roles narrows the registered roles.
	none := "builder"
	narrowed := c.Org1.Member("ci2", "ci", &none)
	if d := decision(t, c.Must(narrowed, "identity:Authorize", policy.ActionAnchor, "acme/log")); d.Allowed {
		t.Fatal("a role the certificate does not carry was used")
	}
	// Another org's admin cannot manage acme's principals.
	c.Fail("unauthorized", c.Admin2, "identity:RegisterPrincipal", "acme/x", `[]`)
	c.Fail("roles", c.Admin1, "identity:RegisterPrincipal", "acme/x", `["Bad Role"]`)
	c.Fail("invalid JSON", c.Admin1, "identity:RegisterPrincipal", "acme/x", `["a"`)
	// Suspension applies to the next transaction.
	c.Must(c.Admin1, "identity:SetPrincipalStatus", "acme/ci", identity.StatusSuspended)
	if d := decision(t, c.Must(ci, "identity:Authorize", policy.ActionAnchor, "acme/log")); d.Allowed || d.Reason != "principal acme/ci is suspended" {
		t.Fatalf("suspended: %+v", d)
	}
	// Admins perform admin actions only; unknown certificates nothing.
	if d := decision(t, c.Must(c.Admin1, "identity:Authorize", policy.ActionAnchor, "acme/log")); d.Allowed {
		t.Fatal("admin performed a non-admin action")
	}
	stranger := c.Org1.Issue("x", []string{"client"}, nil)
	if d := decision(t, c.Must(stranger, "identity:Authorize", policy.ActionAnchor, "acme/log")); d.Allowed {
		t.Fatal("a certificate without a principal was allowed")
	}
}

func TestKeys(t *testing.T) {
	c := newConsortium(t)
	ci := c.Principal("acme", "ci", "ci")
	pub, _, _ := ed25519.GenerateKey(nil)
	req := func(nb, na time.Time) string {
		return fabtest.JSON(t, identity.KeyRequest{PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: pub, NotBefore: nb, NotAfter: na})
	}
	c.Fail("exceeds the maximum TTL", ci, "identity:RegisterKey", req(time.Time{}, c.Now.Add(48*time.Hour)))
	c.Fail("must be after the block time", ci, "identity:RegisterKey", req(c.Now.Add(-2*time.Hour), c.Now.Add(-time.Hour)))
	c.Fail("algorithm", ci, "identity:RegisterKey", `{"principal_id":"acme/ci","algorithm":"rsa","public_key":"AA==","not_after":"2030-01-01T00:00:00Z"}`)
	c.Fail("public_key", ci, "identity:RegisterKey", `{"principal_id":"acme/ci","algorithm":"ed25519","public_key":"AA==","not_after":"2026-06-01T13:00:00Z"}`)
	c.Fail("unknown field", ci, "identity:RegisterKey", `{"principal_id":"acme/ci","algo":"ed25519"}`)
	// Another organisation's member cannot register keys for acme/ci.
	other := c.Principal("osv", "feeds")
	c.Fail("unauthorized", other, "identity:RegisterKey", req(time.Time{}, c.Now.Add(time.Hour)))

	var k identity.Key
	mustJSON(t, c.Must(ci, "identity:RegisterKey", req(time.Time{}, c.Now.Add(time.Hour))), &k)
	want, _ := identity.KeyAddressString(pub)
	if k.Address != want || k.Status != identity.StatusActive || k.PrincipalID != "acme/ci" {
		t.Fatalf("key: %+v", k)
	}
	c.Fail("already registered", ci, "identity:RegisterKey", req(time.Time{}, c.Now.Add(time.Hour)))
	c.Fail("unauthorized", other, "identity:RevokeKey", k.Address, "leak")
	c.Must(ci, "identity:RevokeKey", k.Address, "end of job")
	c.Fail("already revoked", c.Admin1, "identity:RevokeKey", k.Address, "again")
}

// TestBadCreator: a creator that is not a serialized identity is an error
// response, not a crash.
func TestBadCreator(t *testing.T) {
	cc, err := contractapi.NewChaincode(identity.NewContract())
	if err != nil {
		t.Fatal(err)
	}
	w := fabtest.NewWorld("adf-test")
	for _, creator := range [][]byte{nil, []byte("garbage"), {0x0a, 0x03, 'M', 'S', 'P', 0x12, 0x02, 'x', 'y'}} {
		r := w.Invoke(cc, creator, time.Now(), "identity:RegisterOrg", "acme")
		if r.OK() || len(r.Writes) != 0 {
			t.Fatalf("creator %q: %+v", creator, r.Response)
		}
	}
	// No timestamp in the proposal.
	r := w.Invoke(cc, fabtest.NewMSP("Org1MSP").Admin("a").Serialized(), time.Time{}, "identity:RegisterOrg", "acme")
	if r.OK() {
		t.Fatal("a proposal without a timestamp succeeded")
	}
}

// TestConformance runs pkg/conformance's key-window and authorisation
// tables, which x/identity's keeper test runs too.
func TestConformance(t *testing.T) {
	c := newConsortium(t, conformance.Policies()...)
	ci := c.Principal("acme", "ci", "ci")
	for i, kc := range conformance.KeyWindows() {
		pub := conformance.Key(fmt.Sprintf("window-%d", i)).Public().Bytes()
		now := c.Now.Add(time.Second) // the time of the next call
		req := identity.KeyRequest{PrincipalID: "acme/ci", Algorithm: "ed25519", PublicKey: pub, NotBefore: now.Add(kc.NotBefore), NotAfter: now.Add(kc.NotAfter)}
		if kc.ZeroStart {
			req.NotBefore = time.Time{}
		}
		if kc.Want != "" {
			c.Fail(kc.Want, c.Admin1, "identity:RegisterKey", fabtest.JSON(t, req))
			continue
		}
		c.Must(c.Admin1, "identity:RegisterKey", fabtest.JSON(t, req))
	}
	for _, ac := range conformance.AuthCases {
		d := decision(t, c.Must(ci, "identity:Authorize", ac.Action, ac.Scope))
		if d.Allowed != ac.Allowed || (ac.Allowed && d.PolicyID != ac.Rule) {
			t.Errorf("%s on %s: %+v", ac.Action, ac.Scope, d)
		}
	}
	c.Must(c.Admin1, "identity:SetPrincipalStatus", "acme/ci", identity.StatusSuspended)
	if d := decision(t, c.Must(ci, "identity:Authorize", conformance.AuthCases[0].Action, conformance.AuthCases[0].Scope)); d.Allowed {
		t.Fatal("suspended principal allowed")
	}
}
