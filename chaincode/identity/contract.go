package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cosmos/btcutil/bech32"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/chaincode/internal/wire"
	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/principal"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// AddressPrefix is the bech32 prefix of key addresses: the Cosmos chain's
// account prefix, so a key has the same id in both deployments and a DSSE
// envelope's keyid means the same key.
const AddressPrefix = "adf"

// KeyAddressString renders principal.KeyAddress(pubKey) in bech32.
func KeyAddressString(pubKey []byte) (string, error) {
	conv, err := bech32.ConvertBits(principal.KeyAddress(pubKey), 8, 5, true)
	if err != nil {
		return "", err
	}
	return bech32.Encode(AddressPrefix, conv)
}

// Begin starts a transaction: the state view at the proposal's timestamp
// and the resolved caller.
func Begin(ctx contractapi.TransactionContextInterface) (*ledger.Tx, Caller, error) {
	stub := ctx.GetStub()
	tx, err := ledger.New(stub)
	if err != nil {
		return nil, Caller{}, err
	}
	c, err := ResolveCaller(tx, stub)
	if err != nil {
		return nil, Caller{}, err
	}
	return tx, c, nil
}

// Contract is the identity contract ("identity:…" on the channel).
type Contract struct {
	contractapi.Contract
	Params Params
}

// NewContract returns the identity contract with x/identity's defaults.
func NewContract() *Contract {
	c := &Contract{Params: DefaultParams()}
	c.Name = "identity"
	c.Info.Title = "ADF identity registry"
	c.Info.Version = "1.0.0"
	return c
}

// Whoami returns the caller as the registries see it.
func (c *Contract) Whoami(ctx contractapi.TransactionContextInterface) (string, error) {
	_, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	return wire.JSON(caller)
}

// RegisterOrg binds the caller's MSP to a new organisation id. Only an
// admin of the MSP may, once: the channel's membership (its configuration)
// is the consortium, so any channel MSP may join the registries.
func (c *Contract) RegisterOrg(ctx contractapi.TransactionContextInterface, orgID string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	if !caller.Admin {
		return "", fmt.Errorf("%w: only an admin of MSP %s (NodeOU %q or %s=true) may bind it to an organization", ErrUnauthorized, caller.MSPID, AdminOU, AttrAdmin)
	}
	if err := principal.ValidateOrgID(orgID); err != nil {
		return "", fmt.Errorf("org_id: %w", err)
	}
	if caller.OrgID != "" {
		return "", fmt.Errorf("MSP %s is already bound to organization %q", caller.MSPID, caller.OrgID)
	}
	if _, found, err := GetOrg(tx, orgID); err != nil {
		return "", err
	} else if found {
		return "", fmt.Errorf("organization %q already exists", orgID)
	}
	o := Org{ID: orgID, MSPID: caller.MSPID, Status: StatusActive, RegisteredBy: caller.ID, RegisteredAt: tx.Now()}
	if err := tx.Put(o, keyOrg, orgID); err != nil {
		return "", err
	}
	if err := tx.Put(mspBinding{OrgID: orgID}, keyMSP, caller.MSPID); err != nil {
		return "", err
	}
	if err := tx.Emit("adf.identity.OrgRegistered", o); err != nil {
		return "", err
	}
	return wire.JSON(o)
}

// requireOrgAdmin refuses a caller that is not an admin of org.
func requireOrgAdmin(tx *ledger.Tx, caller Caller, org string) error {
	d, err := Require(tx, caller, policy.ActionManageIdentity, org)
	if err != nil {
		return err
	}
	if d.PrincipalID != "" || d.OrgID != org {
		return fmt.Errorf("%w: only an admin of organization %q may manage its identities; %s acts for %q", ErrUnauthorized, org, caller.ID, caller.OrgID)
	}
	return nil
}

// RegisterPrincipal registers (or re-registers with new roles) a principal
// "<org>/<name>" of the caller's organisation; roles is a JSON list.
func (c *Contract) RegisterPrincipal(ctx contractapi.TransactionContextInterface, principalID, roles string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	org, _, err := principal.SplitID(principalID)
	if err != nil {
		return "", fmt.Errorf("principal_id: %w", err)
	}
	if err := requireOrgAdmin(tx, caller, org); err != nil {
		return "", err
	}
	var rs []string
	if err := wire.Decode(roles, &rs); err != nil {
		return "", fmt.Errorf("roles: %w", err)
	}
	if rs, err = principal.NormalizeRoles(rs, c.Params.MaxRoles); err != nil {
		return "", err
	}
	p := Principal{ID: principalID, OrgID: org, Roles: rs, Status: StatusActive}
	if err := tx.Put(p, keyPrincipal, principalID); err != nil {
		return "", err
	}
	if err := tx.Emit("adf.identity.PrincipalRegistered", p); err != nil {
		return "", err
	}
	return wire.JSON(p)
}

// SetPrincipalStatus suspends, reactivates or revokes a principal of the
// caller's organisation. It takes effect at the next transaction: every
// check reads the status.
func (c *Contract) SetPrincipalStatus(ctx contractapi.TransactionContextInterface, principalID, status string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	switch status {
	case StatusActive, StatusSuspended, StatusRevoked:
	default:
		return "", fmt.Errorf("status: %q is not active, suspended or revoked", status)
	}
	p, found, err := GetPrincipal(tx, principalID)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("principal %q not found", principalID)
	}
	if err := requireOrgAdmin(tx, caller, p.OrgID); err != nil {
		return "", err
	}
	if p.Status == StatusRevoked {
		return "", fmt.Errorf("principal %q is revoked for good", principalID)
	}
	p.Status = status
	if err := tx.Put(p, keyPrincipal, principalID); err != nil {
		return "", err
	}
	return wire.JSON(p)
}

// KeyRequest registers a short-lived key.
type KeyRequest struct {
	PrincipalID string    `json:"principal_id"`
	Algorithm   string    `json:"algorithm"`
	PublicKey   []byte    `json:"public_key"` // base64 in JSON
	NotBefore   time.Time `json:"not_before,omitzero"`
	NotAfter    time.Time `json:"not_after"`
	Scopes      []string  `json:"scopes,omitempty"`
}

// RegisterKey registers a short-lived key for a principal. An admin of the
// principal's org may, within max_key_ttl; so may the principal itself (its
// Fabric certificate already authenticates it); an issuer principal may
// for the other non-issuer principals of its org within issuer_max_ttl.
func (c *Contract) RegisterKey(ctx contractapi.TransactionContextInterface, request string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	var req KeyRequest
	if err := wire.Decode(request, &req); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	org, _, err := principal.SplitID(req.PrincipalID)
	if err != nil {
		return "", fmt.Errorf("principal_id: %w", err)
	}
	target, found, err := GetPrincipal(tx, req.PrincipalID)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("principal %q not found", req.PrincipalID)
	}
	maxTTL := c.Params.MaxKeyTTL
	switch {
	case caller.PrincipalName == "" && caller.Admin:
		if err := requireOrgAdmin(tx, caller, org); err != nil {
			return "", err
		}
	case caller.PrincipalID() == req.PrincipalID:
		// A principal registers its own keys without a policy: its Fabric
		// certificate already authenticates it.
		if _, err := UsablePrincipal(tx, caller); err != nil {
			return "", err
		}
	default:
		issuer, err := UsablePrincipal(tx, caller)
		if err != nil {
			return "", err
		}
		if !principal.HasRole(EffectiveRoles(issuer, caller), policy.RoleIssuer) {
			return "", fmt.Errorf("%w: %s is neither an admin of organization %q, the principal itself nor an issuer", ErrUnauthorized, caller.ID, org)
		}
		if issuer.OrgID != org {
			return "", fmt.Errorf("%w: issuer %q of organization %q cannot register keys for %q of organization %q", ErrUnauthorized, issuer.ID, issuer.OrgID, target.ID, org)
		}
		if principal.HasRole(target.Roles, policy.RoleIssuer) {
			return "", fmt.Errorf("%w: issuer %q cannot register keys for %q, which holds the %q role; an org admin must", ErrUnauthorized, issuer.ID, target.ID, policy.RoleIssuer)
		}
		maxTTL = c.Params.IssuerMaxTTL
	}
	if target.Status != StatusActive {
		return "", fmt.Errorf("principal %q is %s", target.ID, target.Status)
	}
	alg, err := c.parseKey(req.Algorithm, req.PublicKey)
	if err != nil {
		return "", err
	}
	nb, na, err := principal.KeyWindow(req.NotBefore, req.NotAfter, tx.Now(), maxTTL, c.Params.MaxKeyTTL)
	if err != nil {
		return "", err
	}
	scopes, err := principal.NormalizeKeyScopes(req.Scopes)
	if err != nil {
		return "", err
	}
	addr, err := KeyAddressString(req.PublicKey)
	if err != nil {
		return "", err
	}
	if _, exists, err := GetKey(tx, addr); err != nil {
		return "", err
	} else if exists {
		return "", fmt.Errorf("key %s is already registered", addr)
	}
	k := Key{
		Address: addr, PrincipalID: target.ID, OrgID: target.OrgID, Algorithm: alg.String(),
		PublicKey: req.PublicKey, NotBefore: nb, NotAfter: na, Scopes: scopes, Status: StatusActive,
		RegisteredBy: caller.ID,
	}
	if err := tx.Put(k, keyKey, addr); err != nil {
		return "", err
	}
	if err := tx.Mark(keyKeyOf, target.ID, addr); err != nil {
		return "", err
	}
	if err := tx.Emit("adf.identity.KeyRegistered", map[string]any{"address": addr, "principal_id": target.ID, "not_after": na}); err != nil {
		return "", err
	}
	return wire.JSON(k)
}

func (c *Contract) parseKey(algorithm string, pub []byte) (sigscheme.Algorithm, error) {
	alg, err := sigscheme.ParseAlgorithm(algorithm)
	if err != nil {
		return "", fmt.Errorf("algorithm: %w", err)
	}
	allowed := false
	for _, a := range c.Params.AllowedAlgorithms {
		allowed = allowed || a == alg
	}
	if !allowed {
		return "", fmt.Errorf("algorithm: %q is not allowed", algorithm)
	}
	if len(pub) > c.Params.MaxKeyBytes {
		return "", fmt.Errorf("public_key: %d bytes exceeds max_key_bytes %d", len(pub), c.Params.MaxKeyBytes)
	}
	if _, err := sigscheme.ParsePublicKey(alg, pub); err != nil {
		return "", fmt.Errorf("public_key: %w", err)
	}
	return alg, nil
}

// RevokeKey revokes a key at once. The key's principal or an admin of its
// org may.
func (c *Contract) RevokeKey(ctx contractapi.TransactionContextInterface, address, reason string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	if len(reason) > 256 {
		return "", fmt.Errorf("reason: %d bytes exceeds 256", len(reason))
	}
	k, found, err := GetKey(tx, address)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("key %s not found", address)
	}
	if caller.PrincipalID() != k.PrincipalID {
		if err := requireOrgAdmin(tx, caller, k.OrgID); err != nil {
			return "", err
		}
	}
	if k.Status == StatusRevoked {
		return "", fmt.Errorf("key %s was already revoked at %s", address, principal.FormatTime(k.RevokedAt))
	}
	k.Status, k.RevokedAt, k.RevokedBy, k.Reason = StatusRevoked, tx.Now(), caller.ID, reason
	if err := tx.Put(k, keyKey, address); err != nil {
		return "", err
	}
	if err := tx.Emit("adf.identity.KeyRevoked", map[string]any{"address": address, "by": caller.ID, "reason": reason}); err != nil {
		return "", err
	}
	return wire.JSON(k)
}

// PolicyChange sets (Remove false) or removes a policy. Nonce lets the same
// change be proposed again after it was applied.
type PolicyChange struct {
	Rule   Rule   `json:"rule"`
	Remove bool   `json:"remove,omitempty"`
	Nonce  string `json:"nonce,omitempty"`
}

// Rule is a policy (pkg/policy.Rule with JSON names): Role may perform
// Action on scopes matching ScopePattern.
type Rule struct {
	ID                string `json:"id"`
	Role              string `json:"role"`
	Action            string `json:"action"`
	ScopePattern      string `json:"scope_pattern"`
	ApprovalsRequired uint32 `json:"approvals_required,omitempty"`
}

// Policy converts to pkg/policy's form.
func (r Rule) Policy() policy.Rule {
	return policy.Rule{ID: r.ID, Role: r.Role, Action: r.Action, ScopePattern: r.ScopePattern, ApprovalsRequired: r.ApprovalsRequired}
}

// ChangeStatus reports a policy change's approvals.
type ChangeStatus struct {
	Digest    string   `json:"digest"`
	Approvals []string `json:"approvals"`
	Needed    int      `json:"needed"`
	Applied   bool     `json:"applied"`
}

// ProposePolicy records the caller's organisation's approval of a policy
// change (org admins only) and applies it once more than two thirds of the
// active organisations approved the same change: no single member can
// grant itself rights, as on the Cosmos chain where policies change only by
// consortium proposal.
func (c *Contract) ProposePolicy(ctx contractapi.TransactionContextInterface, change string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	var ch PolicyChange
	if err := wire.Decode(change, &ch); err != nil {
		return "", fmt.Errorf("change: %w", err)
	}
	if err := policy.ValidateRule(ch.Rule.Policy()); err != nil {
		return "", fmt.Errorf("rule: %w", err)
	}
	if len(ch.Nonce) > 64 {
		return "", fmt.Errorf("nonce: %d bytes exceeds 64", len(ch.Nonce))
	}
	d, err := Require(tx, caller, policy.ActionGovernance, "")
	if err != nil {
		return "", err
	}
	canon, _ := json.Marshal(ch)
	sum := sha256.Sum256(canon)
	digest := hex.EncodeToString(sum[:])
	if done, err := tx.Has(keyDoneChange, digest); err != nil {
		return "", err
	} else if done {
		return "", fmt.Errorf("policy change %s was already applied; propose it with a new nonce", digest)
	}
	if voted, err := tx.Has(keyVote, digest, d.OrgID); err != nil {
		return "", err
	} else if voted {
		return "", fmt.Errorf("organization %q already approved policy change %s", d.OrgID, digest)
	}
	orgs, err := ActiveOrgs(tx)
	if err != nil {
		return "", err
	}
	votes, _, err := tx.Keys(0, keyVote, digest)
	if err != nil {
		return "", err
	}
	st := ChangeStatus{Digest: digest, Needed: len(orgs)*2/3 + 1}
	for _, v := range votes {
		if len(v.Attrs) == 2 && contains(orgs, v.Attrs[1]) {
			st.Approvals = append(st.Approvals, v.Attrs[1])
		}
	}
	st.Approvals = append(st.Approvals, d.OrgID)
	if err := tx.Mark(keyVote, digest, d.OrgID); err != nil {
		return "", err
	}
	if len(st.Approvals) >= st.Needed {
		st.Applied = true
		if err := tx.Mark(keyDoneChange, digest); err != nil {
			return "", err
		}
		if ch.Remove {
			err = tx.Delete(keyPolicy, ch.Rule.Action, ch.Rule.ID)
		} else {
			err = tx.Put(ch.Rule, keyPolicy, ch.Rule.Action, ch.Rule.ID)
		}
		if err != nil {
			return "", err
		}
		if err := tx.Emit("adf.identity.PolicyChanged", ch); err != nil {
			return "", err
		}
	}
	return wire.JSON(st)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Approve records the caller principal's approval of (action, scope,
// subject), e.g. of a gate exception whose policy requires approvals. The
// caller needs approve on the scope.
func (c *Contract) Approve(ctx contractapi.TransactionContextInterface, action, scope, subject string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	if err := principal.ValidateApprovalTarget(action, scope, subject); err != nil {
		return "", err
	}
	d, err := Require(tx, caller, policy.ActionApprove, scope)
	if err != nil {
		return "", err
	}
	if d.PrincipalID == "" {
		return "", fmt.Errorf("%w: %s is not a principal", ErrUnauthorized, caller.ID)
	}
	if has, err := tx.Has(keyApproval, action, scope, subject, d.PrincipalID); err != nil {
		return "", err
	} else if has {
		return "", fmt.Errorf("principal %q already approved %s on %s for %s", d.PrincipalID, action, scope, subject)
	}
	if err := tx.Put(Approval{PrincipalID: d.PrincipalID, Caller: caller.ID, Time: tx.Now(), TxID: tx.TxID()}, keyApproval, action, scope, subject, d.PrincipalID); err != nil {
		return "", err
	}
	es, _, err := tx.Keys(0, keyApproval, action, scope, subject)
	if err != nil {
		return "", err
	}
	return wire.JSON(map[string]int{"approvals": len(es) + 1})
}

// Authorize answers whether the caller may perform action on scope now.
func (c *Contract) Authorize(ctx contractapi.TransactionContextInterface, action, scope string) (string, error) {
	tx, caller, err := Begin(ctx)
	if err != nil {
		return "", err
	}
	d, err := Authorize(tx, caller, action, scope)
	if err != nil {
		return "", err
	}
	return wire.JSON(d)
}

// GetKey returns a registered key.
func (c *Contract) GetKey(ctx contractapi.TransactionContextInterface, address string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	k, found, err := GetKey(tx, address)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("key %s not found", address)
	}
	return wire.JSON(k)
}

// GetPrincipal returns a principal.
func (c *Contract) GetPrincipal(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	p, found, err := GetPrincipal(tx, id)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("principal %q not found", id)
	}
	return wire.JSON(p)
}
