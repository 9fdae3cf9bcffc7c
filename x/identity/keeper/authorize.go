package keeper

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/principal"
	"github.com/adf-consortium/adf/x/identity/types"
)

// Authorize decides whether signer may perform action on scope now (block
// time). It is the one check behind the ante chain, every handler and the
// Authorize query:
//
//   - a registered key must be ACTIVE, within not_before ≤ block time <
//     not_after, of an ACTIVE principal of an ACTIVE organisation, and (if
//     the key has scopes) restricted to a pattern matching scope; then a
//     policy giving one of the principal's roles the action on a matching
//     scope pattern allows it, reporting the policy's approvals_required;
//   - an admin of an active organisation may perform only the admin actions
//     (governance, manage-identity, revoke-key);
//   - anyone else is denied.
//
// A denial is a Decision with Allowed false and a precise Reason, not an
// error; errors are store failures only. Authorize counts no approvals
// (ApprovalsHave is 0): use AuthorizeSubject for that.
func (k Keeper) Authorize(ctx context.Context, signer sdk.AccAddress, action, scope string) (types.Decision, error) {
	return k.AuthorizeSubject(ctx, signer, action, scope, "")
}

// AuthorizeSubject is Authorize that also counts, when subject is not
// empty and the allowing policy requires approvals, the distinct principals
// other than the signer's own that approved (action, scope, subject).
func (k Keeper) AuthorizeSubject(ctx context.Context, signer sdk.AccAddress, action, scope, subject string) (types.Decision, error) {
	deny := func(d types.Decision, format string, args ...any) (types.Decision, error) {
		d.Allowed = false
		d.Reason = fmt.Sprintf(format, args...)
		return d, nil
	}
	if len(signer) == 0 {
		return deny(types.Decision{}, "empty signer")
	}
	if err := policy.ValidateName(action); err != nil {
		return deny(types.Decision{}, "invalid action: %s", err)
	}
	if err := policy.ValidateScope(scope); err != nil {
		return deny(types.Decision{}, "invalid scope: %s", err)
	}

	key, isKey, err := k.KeyInfo(ctx, signer)
	if err != nil {
		return types.Decision{}, err
	}
	if !isKey {
		orgID, isAdmin, err := k.ck.IsActiveMember(ctx, signer)
		if err != nil {
			return types.Decision{}, err
		}
		if !isAdmin {
			return deny(types.Decision{}, "unknown signer %s: neither a registered key nor an admin of an active organization", k.addrString(signer))
		}
		d := types.Decision{OrgId: orgID}
		if !types.IsAdminAction(action) {
			return deny(d, "org admin of %s may perform only %s, not %s", orgID, strings.Join(types.AdminActions, ", "), action)
		}
		d.Allowed = true
		d.Reason = "org admin of " + orgID
		return d, nil
	}

	d := types.Decision{PrincipalId: key.PrincipalId, OrgId: key.OrgId}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	if reason := keyUnusable(key, now); reason != "" {
		return deny(d, "%s", reason)
	}
	pr, err := k.Principals.Get(ctx, key.PrincipalId)
	if err != nil {
		return deny(d, "principal %s of key %s not found", key.PrincipalId, key.Address)
	}
	if pr.Status != types.PRINCIPAL_STATUS_ACTIVE {
		return deny(d, "principal %s is %s", pr.Id, principalStatusWord(pr.Status))
	}
	active, err := k.ck.IsActiveOrg(ctx, key.OrgId)
	if err != nil {
		return types.Decision{}, err
	}
	if !active {
		return deny(d, "organization %s is not active", key.OrgId)
	}
	if reason, ok, err := k.selfService(ctx, key, pr, action, scope); err != nil {
		return types.Decision{}, err
	} else if ok {
		d.Allowed = true
		d.Reason = reason
		return d, nil
	}
	if len(key.Scopes) > 0 && !policy.MatchAny(key.Scopes, scope) {
		return deny(d, "key %s is limited to scopes [%s]; %s is not among them", key.Address, strings.Join(key.Scopes, " "), quoteEmpty(scope))
	}
	rules, err := k.policiesFor(ctx, action)
	if err != nil {
		return types.Decision{}, err
	}
	pd := policy.Evaluate(pr.Roles, action, scope, rules)
	if !pd.Allowed {
		return deny(d, "%s", pd.Reason)
	}
	d.Allowed = true
	d.Reason = pd.Reason
	d.PolicyId = pd.RuleID
	d.ApprovalsRequired = pd.ApprovalsRequired
	if d.ApprovalsRequired > 0 && subject != "" {
		n, err := k.countApprovals(ctx, action, scope, subject, pr.Id)
		if err != nil {
			return types.Decision{}, err
		}
		d.ApprovalsHave = n
	}
	return d, nil
}

// selfService allows, without a policy, what a principal must always be able
// to do with its own identity: any usable key may revoke a key of the same
// principal (a leaked sibling, or itself at the end of a CI job), and a key
// of an issuer principal may issue keys to principals of its own
// organisation. The scope here names a key or a principal, not a resource,
// so the key's resource-scope restriction does not apply.
func (k Keeper) selfService(ctx context.Context, key types.Key, pr types.Principal, action, scope string) (string, bool, error) {
	switch action {
	case types.ActionRevokeKey:
		target, err := k.AddressCodec().StringToBytes(scope)
		if err != nil {
			return "", false, nil
		}
		tk, found, err := k.KeyInfo(ctx, target)
		if err != nil || !found {
			return "", false, err
		}
		if tk.PrincipalId == key.PrincipalId {
			return "a key of principal " + pr.Id + " may revoke the principal's keys", true, nil
		}
	case types.ActionIssueKey:
		if !hasRole(pr.Roles, types.RoleIssuer) {
			return "", false, nil
		}
		target, err := k.Principals.Get(ctx, scope)
		if errors.Is(err, collections.ErrNotFound) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if target.OrgId == key.OrgId {
			return "issuer " + pr.Id + " of " + key.OrgId, true, nil
		}
	}
	return "", false, nil
}

// keyUnusable returns why key cannot sign at now, or "" if it can. It
// checks time itself, so a key past not_after is refused even before
// EndBlock marks it EXPIRED.
func keyUnusable(key types.Key, now time.Time) string {
	switch key.Status {
	case types.KEY_STATUS_ACTIVE:
	case types.KEY_STATUS_REVOKED:
		return fmt.Sprintf("key %s was revoked at height %d", key.Address, key.RevokedHeight)
	case types.KEY_STATUS_EXPIRED:
		return fmt.Sprintf("key %s expired at %s", key.Address, fmtTime(key.NotAfter))
	default:
		return fmt.Sprintf("key %s has status %s", key.Address, key.Status)
	}
	return principal.OutsideWindow(key.Address, key.NotBefore, key.NotAfter, now)
}

// policiesFor returns the policies of action in id order.
func (k Keeper) policiesFor(ctx context.Context, action string) ([]policy.Rule, error) {
	var rules []policy.Rule
	err := k.PoliciesByAction.Walk(ctx, collections.NewPrefixedPairRange[string, string](action),
		func(key collections.Pair[string, string]) (bool, error) {
			p, err := k.Policies.Get(ctx, key.K2())
			if err != nil {
				return true, fmt.Errorf("policy index points to missing policy %q: %w", key.K2(), err)
			}
			rules = append(rules, p.Rule())
			return false, nil
		})
	return rules, err
}

// countApprovals counts the principals other than exclude that approved
// (action, scope, subject).
func (k Keeper) countApprovals(ctx context.Context, action, scope, subject, exclude string) (uint32, error) {
	var n uint32
	err := k.Approvals.Walk(ctx, collections.NewSuperPrefixedQuadRange3[string, string, string, string](action, scope, subject),
		func(key collections.Quad[string, string, string, string], _ types.Approval) (bool, error) {
			if key.K4() != exclude {
				n++
			}
			return false, nil
		})
	return n, err
}

func principalStatusWord(s types.PrincipalStatus) string {
	switch s {
	case types.PRINCIPAL_STATUS_SUSPENDED:
		return "suspended"
	case types.PRINCIPAL_STATUS_REVOKED:
		return "revoked"
	default:
		return "not active (" + s.String() + ")"
	}
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
