package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/principal"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// State object types (composite key namespaces).
const (
	keyOrg        = "adf.id.org"        // [org id] → Org
	keyMSP        = "adf.id.msp"        // [msp id] → mspBinding
	keyPrincipal  = "adf.id.principal"  // [principal id] → Principal
	keyKey        = "adf.id.key"        // [address] → Key
	keyKeyOf      = "adf.id.keyof"      // [principal id, address] → mark
	keyPolicy     = "adf.id.policy"     // [action, policy id] → Rule
	keyVote       = "adf.id.vote"       // [change digest, org id] → mark
	keyDoneChange = "adf.id.changedone" // [change digest] → mark
	keyApproval   = "adf.id.approval"   // [action, scope, subject, principal id] → Approval
)

// Status words of orgs, principals and keys.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusRevoked   = "revoked"
)

// Params are the identity registry's limits: x/identity's defaults.
type Params struct {
	MaxKeyTTL         time.Duration
	IssuerMaxTTL      time.Duration
	AllowedAlgorithms []sigscheme.Algorithm
	MaxKeyBytes       int
	MaxRoles          uint32
}

// DefaultParams are x/identity's default params.
func DefaultParams() Params {
	return Params{
		MaxKeyTTL:         24 * time.Hour,
		IssuerMaxTTL:      time.Hour,
		AllowedAlgorithms: []sigscheme.Algorithm{sigscheme.Ed25519, sigscheme.MLDSA65, sigscheme.Composite},
		MaxKeyBytes:       1984,
		MaxRoles:          16,
	}
}

// Org is an organisation bound to one MSP.
type Org struct {
	ID           string    `json:"id"`
	MSPID        string    `json:"msp_id"`
	Status       string    `json:"status"`
	RegisteredBy string    `json:"registered_by"`
	RegisteredAt time.Time `json:"registered_at"`
}

type mspBinding struct {
	OrgID string `json:"org_id"`
}

// Principal is a person or workload of an organisation.
type Principal struct {
	ID     string   `json:"id"`
	OrgID  string   `json:"org_id"`
	Roles  []string `json:"roles"`
	Status string   `json:"status"`
}

// Key is a short-lived signing key of a principal.
type Key struct {
	// Address is the bech32 "adf1…" form of principal.KeyAddress: the key
	// id in DSSE envelopes, the same string the Cosmos chain uses.
	Address      string    `json:"address"`
	PrincipalID  string    `json:"principal_id"`
	OrgID        string    `json:"org_id"`
	Algorithm    string    `json:"algorithm"`
	PublicKey    []byte    `json:"public_key"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	Scopes       []string  `json:"scopes,omitempty"`
	Status       string    `json:"status"`
	RegisteredBy string    `json:"registered_by"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	RevokedBy    string    `json:"revoked_by,omitempty"`
	Reason       string    `json:"reason,omitempty"`
}

// Decision is the outcome of Authorize.
type Decision struct {
	Allowed     bool   `json:"allowed"`
	Reason      string `json:"reason"`
	OrgID       string `json:"org_id,omitempty"`
	PrincipalID string `json:"principal_id,omitempty"`
	PolicyID    string `json:"policy_id,omitempty"`
	// ApprovalsRequired is the allowing policy's requirement (0: none);
	// ApprovalsHave counts, for AuthorizeSubject, the distinct other
	// principals that approved the subject.
	ApprovalsRequired uint32 `json:"approvals_required,omitempty"`
	ApprovalsHave     uint32 `json:"approvals_have,omitempty"`
}

// Approval is one principal's approval of (action, scope, subject).
type Approval struct {
	PrincipalID string    `json:"principal_id"`
	Caller      string    `json:"caller"`
	Time        time.Time `json:"time"`
	TxID        string    `json:"tx_id"`
}

// ErrUnauthorized is wrapped by every refusal of Require.
var ErrUnauthorized = errors.New("unauthorized")

// GetOrg returns an org and whether it exists.
func GetOrg(tx *ledger.Tx, id string) (Org, bool, error) {
	var o Org
	ok, err := tx.Get(&o, keyOrg, id)
	return o, ok, err
}

// GetPrincipal returns a principal and whether it exists.
func GetPrincipal(tx *ledger.Tx, id string) (Principal, bool, error) {
	var p Principal
	ok, err := tx.Get(&p, keyPrincipal, id)
	return p, ok, err
}

// GetKey returns a key and whether it exists.
func GetKey(tx *ledger.Tx, addr string) (Key, bool, error) {
	var k Key
	ok, err := tx.Get(&k, keyKey, addr)
	return k, ok, err
}

// ActiveOrgs returns the ids of the active orgs in id order.
func ActiveOrgs(tx *ledger.Tx) ([]string, error) {
	es, _, err := tx.Keys(0, keyOrg)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		var o Org
		if err := json.Unmarshal(e.Value, &o); err != nil {
			return nil, fmt.Errorf("org %q is corrupt: %w", e.Attrs, err)
		}
		if o.Status == StatusActive {
			out = append(out, o.ID)
		}
	}
	return out, nil
}

// Authorize decides whether the caller may perform action on scope now,
// with x/identity's rules: an active principal of an active org, holding a
// role some policy gives the action on a matching scope (pkg/policy); or an
// org admin for the admin actions only. A denial is a Decision with a
// precise reason; errors are state failures.
func Authorize(tx *ledger.Tx, c Caller, action, scope string) (Decision, error) {
	deny := func(d Decision, format string, args ...any) (Decision, error) {
		d.Allowed, d.Reason = false, fmt.Sprintf(format, args...)
		return d, nil
	}
	if err := policy.ValidateName(action); err != nil {
		return deny(Decision{}, "invalid action: %s", err)
	}
	if err := policy.ValidateScope(scope); err != nil {
		return deny(Decision{}, "invalid scope: %s", err)
	}
	if c.OrgID == "" {
		return deny(Decision{}, "MSP %s is bound to no organization (an admin of it must call RegisterOrg)", c.MSPID)
	}
	d := Decision{OrgID: c.OrgID}
	org, found, err := GetOrg(tx, c.OrgID)
	if err != nil {
		return Decision{}, err
	}
	if !found || org.Status != StatusActive {
		return deny(d, "organization %s is not active", c.OrgID)
	}
	if c.PrincipalName == "" {
		if !c.Admin {
			return deny(d, "%s of %s is neither a principal (attribute %s) nor an admin", c.ID, c.MSPID, AttrPrincipal)
		}
		if !policy.IsAdminAction(action) {
			return deny(d, "org admin of %s may perform only %s, not %s", c.OrgID, strings.Join(policy.AdminActions, ", "), action)
		}
		d.Allowed, d.Reason = true, "org admin of "+c.OrgID
		return d, nil
	}
	d.PrincipalID = c.PrincipalID()
	pr, err := UsablePrincipal(tx, c)
	if errors.Is(err, errUnusable) {
		return deny(d, "%s", strings.TrimPrefix(err.Error(), errUnusable.Error()+": "))
	}
	if err != nil {
		return Decision{}, err
	}
	rules, err := policiesFor(tx, action)
	if err != nil {
		return Decision{}, err
	}
	pd := policy.Evaluate(EffectiveRoles(pr, c), action, scope, rules)
	if !pd.Allowed {
		return deny(d, "%s", pd.Reason)
	}
	d.Allowed, d.Reason, d.PolicyID, d.ApprovalsRequired = true, pd.Reason, pd.RuleID, pd.ApprovalsRequired
	return d, nil
}

// AuthorizeSubject is Authorize that also counts, when the allowing policy
// requires approvals, the distinct principals other than the caller's that
// approved (action, scope, subject), as x/identity does.
func AuthorizeSubject(tx *ledger.Tx, c Caller, action, scope, subject string) (Decision, error) {
	d, err := Authorize(tx, c, action, scope)
	if err != nil || !d.Allowed || d.ApprovalsRequired == 0 || subject == "" {
		return d, err
	}
	es, _, err := tx.Keys(0, keyApproval, action, scope, subject)
	if err != nil {
		return d, err
	}
	for _, e := range es {
		if len(e.Attrs) == 4 && e.Attrs[3] != d.PrincipalID {
			d.ApprovalsHave++
		}
	}
	return d, nil
}

var errUnusable = fmt.Errorf("%w", ErrUnauthorized)

// UsablePrincipal returns the caller's principal if it may act at all: its
// certificate names one (adf.principal), its MSP is bound to an active org,
// and the principal is registered and active. Errors that say why wrap
// ErrUnauthorized.
func UsablePrincipal(tx *ledger.Tx, c Caller) (Principal, error) {
	if c.OrgID == "" {
		return Principal{}, fmt.Errorf("%w: MSP %s is bound to no organization (an admin of it must call RegisterOrg)", errUnusable, c.MSPID)
	}
	if c.PrincipalName == "" {
		return Principal{}, fmt.Errorf("%w: %s of %s names no principal (attribute %s)", errUnusable, c.ID, c.MSPID, AttrPrincipal)
	}
	org, found, err := GetOrg(tx, c.OrgID)
	if err != nil {
		return Principal{}, err
	}
	if !found || org.Status != StatusActive {
		return Principal{}, fmt.Errorf("%w: organization %s is not active", errUnusable, c.OrgID)
	}
	pid := c.PrincipalID()
	if _, _, err := principal.SplitID(pid); err != nil {
		return Principal{}, fmt.Errorf("%w: attribute %s: %s", errUnusable, AttrPrincipal, err)
	}
	pr, found, err := GetPrincipal(tx, pid)
	if err != nil {
		return Principal{}, err
	}
	if !found {
		return Principal{}, fmt.Errorf("%w: principal %s is not registered", errUnusable, pid)
	}
	if pr.Status != StatusActive {
		return Principal{}, fmt.Errorf("%w: principal %s is %s", errUnusable, pid, pr.Status)
	}
	return pr, nil
}

// Require is Authorize that turns a denial into an error.
func Require(tx *ledger.Tx, c Caller, action, scope string) (Decision, error) {
	d, err := Authorize(tx, c, action, scope)
	if err != nil {
		return d, err
	}
	if !d.Allowed {
		return d, fmt.Errorf("%w: %s of %s may not %s on %q: %s", ErrUnauthorized, c.ID, c.MSPID, action, scope, d.Reason)
	}
	return d, nil
}

// EffectiveRoles are the principal's registered roles, narrowed to the
// certificate's adf.roles when it has the attribute.
func EffectiveRoles(pr Principal, c Caller) []string {
	if !c.HasCertRoles {
		return pr.Roles
	}
	var out []string
	for _, r := range pr.Roles {
		if principal.HasRole(c.CertRoles, r) {
			out = append(out, r)
		}
	}
	return out
}

// policiesFor returns the policies of action in id order (the key order).
func policiesFor(tx *ledger.Tx, action string) ([]policy.Rule, error) {
	es, _, err := tx.Keys(0, keyPolicy, action)
	if err != nil {
		return nil, err
	}
	rules := make([]policy.Rule, 0, len(es))
	for _, e := range es {
		var r Rule
		if err := json.Unmarshal(e.Value, &r); err != nil {
			return nil, fmt.Errorf("policy %q is corrupt: %w", e.Attrs, err)
		}
		rules = append(rules, r.Policy())
	}
	return rules, nil
}

// SigningKey returns the key addr and its public key if it may sign for
// principal pid at the transaction time: registered to pid, active, inside
// its window, of an active principal of an active org, and (if the key has
// scopes) restricted to a pattern matching scope.
func SigningKey(tx *ledger.Tx, addr, pid, scope string) (Key, sigscheme.PublicKey, error) {
	k, found, err := GetKey(tx, addr)
	if err != nil {
		return Key{}, nil, err
	}
	if !found {
		return Key{}, nil, fmt.Errorf("%s is not a registered key: a direct anchor must be signed by a principal's registered key", addr)
	}
	if k.PrincipalID != pid {
		return Key{}, nil, fmt.Errorf("key %s belongs to %s, not to the caller %s", addr, k.PrincipalID, pid)
	}
	if k.Status != StatusActive {
		return Key{}, nil, fmt.Errorf("key %s is %s", addr, k.Status)
	}
	if why := principal.OutsideWindow(addr, k.NotBefore, k.NotAfter, tx.Now()); why != "" {
		return Key{}, nil, errors.New(why)
	}
	if len(k.Scopes) > 0 && !policy.MatchAny(k.Scopes, scope) {
		return Key{}, nil, fmt.Errorf("key %s is limited to scopes [%s]; %s is not among them", addr, strings.Join(k.Scopes, " "), scope)
	}
	alg, err := sigscheme.ParseAlgorithm(k.Algorithm)
	if err != nil {
		return Key{}, nil, fmt.Errorf("key %s: %w", addr, err)
	}
	pk, err := sigscheme.ParsePublicKey(alg, k.PublicKey)
	if err != nil {
		return Key{}, nil, fmt.Errorf("key %s: %w", addr, err)
	}
	return k, pk, nil
}
