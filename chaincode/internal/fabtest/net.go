package fabtest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/adf-consortium/adf/pkg/policy"
)

// Net is a channel in memory: a world state, the chaincode and a clock
// that stamps each proposal.
type Net struct {
	T   testing.TB
	W   *World
	CC  shim.Chaincode
	Now time.Time
}

// NewNet returns a Net on channel at a fixed start time.
func NewNet(t testing.TB, cc shim.Chaincode, channel string) *Net {
	return &Net{T: t, W: NewWorld(channel), CC: cc, Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
}

// Call invokes fn as id; the clock advances one second per call.
func (n *Net) Call(id Identity, fn string, args ...string) Result {
	n.Now = n.Now.Add(time.Second)
	return n.W.Invoke(n.CC, id.Serialized(), n.Now, fn, args...)
}

// Must invokes fn and fails the test unless it succeeds; it returns the
// payload.
func (n *Net) Must(id Identity, fn string, args ...string) string {
	n.T.Helper()
	r := n.Call(id, fn, args...)
	if !r.OK() {
		n.T.Fatalf("%s: status %d: %s", fn, r.Response.Status, r.Response.Message)
	}
	return string(r.Response.Payload)
}

// Fail invokes fn and fails the test unless it fails with a message
// containing want and wrote nothing.
func (n *Net) Fail(want string, id Identity, fn string, args ...string) string {
	n.T.Helper()
	before := len(n.W.State)
	r := n.Call(id, fn, args...)
	if r.OK() {
		n.T.Fatalf("%s succeeded (%s), want an error containing %q", fn, r.Response.Payload, want)
	}
	if !strings.Contains(r.Response.Message, want) {
		n.T.Fatalf("%s: %q does not contain %q", fn, r.Response.Message, want)
	}
	if len(r.Writes) != 0 || len(n.W.State) != before {
		n.T.Fatalf("%s failed but wrote %q", fn, r.Writes)
	}
	return r.Response.Message
}

// JSON renders v for an argument.
func JSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Consortium is two member organisations with admins, bootstrapped
// through the identity contract: "acme" on Org1MSP and "osv" on Org2MSP.
type Consortium struct {
	*Net
	Org1, Org2     *MSP
	Admin1, Admin2 Identity
}

// NewConsortium registers both organisations and the policies given as
// (role, action, scope pattern), approved by both.
func NewConsortium(t testing.TB, cc shim.Chaincode, channel string, rules ...policy.Rule) *Consortium {
	c := &Consortium{Net: NewNet(t, cc, channel), Org1: NewMSP("Org1MSP"), Org2: NewMSP("Org2MSP")}
	c.Admin1, c.Admin2 = c.Org1.Admin("admin1"), c.Org2.Admin("admin2")
	c.Must(c.Admin1, "identity:RegisterOrg", "acme")
	c.Must(c.Admin2, "identity:RegisterOrg", "osv")
	for _, r := range rules {
		ch := JSON(t, map[string]any{"rule": map[string]any{
			"id": r.ID, "role": r.Role, "action": r.Action, "scope_pattern": r.ScopePattern, "approvals_required": r.ApprovalsRequired,
		}})
		c.Must(c.Admin1, "identity:ProposePolicy", ch)
		c.Must(c.Admin2, "identity:ProposePolicy", ch)
	}
	return c
}

// Principal registers "<org>/<name>" with roles (by that org's admin) and
// returns a member certificate naming it.
func (c *Consortium) Principal(org, name string, roles ...string) Identity {
	c.T.Helper()
	admin, m := c.Admin1, c.Org1
	if org == "osv" {
		admin, m = c.Admin2, c.Org2
	}
	if roles == nil {
		roles = []string{}
	}
	c.Must(admin, "identity:RegisterPrincipal", org+"/"+name, JSON(c.T, roles))
	return m.Member(name+"@"+org, name, nil)
}
