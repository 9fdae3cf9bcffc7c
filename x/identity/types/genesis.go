package types

import (
	"fmt"
	"sort"

	"cosmossdk.io/core/address"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// DefaultGenesis returns the default genesis: default params and no
// principals, keys, policies or approvals.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams()}
}

// Validate checks the genesis state. Every error names the offending field,
// e.g. "keys[2].address: … does not match public_key". Addresses are checked
// as bech32 of any prefix; the keeper re-checks them with the chain's codec.
func (gs GenesisState) Validate() error {
	return gs.ValidateWithAddressCodec(nil)
}

// ValidateWithAddressCodec is Validate with addresses checked by ac (any
// bech32 prefix when ac is nil).
func (gs GenesisState) ValidateWithAddressCodec(ac address.Codec) error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params.%w", err)
	}
	p := gs.Params

	principals := make(map[string]Principal, len(gs.Principals))
	for i, pr := range gs.Principals {
		f := fmt.Sprintf("principals[%d]", i)
		if err := ValidatePrincipal(p, pr); err != nil {
			return fmt.Errorf("%s.%w", f, err)
		}
		if _, dup := principals[pr.Id]; dup {
			return fmt.Errorf("%s.id: duplicate principal %q", f, pr.Id)
		}
		principals[pr.Id] = pr
	}

	keys := make(map[string]struct{}, len(gs.Keys))
	for i, k := range gs.Keys {
		f := fmt.Sprintf("keys[%d]", i)
		addr, canon, err := ParseAddress(ac, k.Address)
		if err != nil {
			return fmt.Errorf("%s.address: %w", f, err)
		}
		if _, dup := keys[string(addr)]; dup {
			return fmt.Errorf("%s.address: duplicate key %s", f, canon)
		}
		keys[string(addr)] = struct{}{}
		pr, ok := principals[k.PrincipalId]
		if !ok {
			return fmt.Errorf("%s.principal_id: unknown principal %q", f, k.PrincipalId)
		}
		if k.OrgId != pr.OrgId {
			return fmt.Errorf("%s.org_id: %q is not the principal's organization %q", f, k.OrgId, pr.OrgId)
		}
		alg, err := sigscheme.ParseAlgorithm(k.Algorithm)
		if err != nil {
			return fmt.Errorf("%s.algorithm: %w", f, err)
		}
		if _, err := sigscheme.ParsePublicKey(alg, k.PublicKey); err != nil {
			return fmt.Errorf("%s.public_key: %w", f, err)
		}
		if want := KeyAddress(alg, k.PublicKey); !want.Equals(addr) {
			return fmt.Errorf("%s.address: %s does not match public_key (address %X)", f, canon, []byte(want))
		}
		if !k.NotBefore.Before(k.NotAfter) {
			return fmt.Errorf("%s.not_after: %s must be after not_before %s", f, k.NotAfter, k.NotBefore)
		}
		norm, err := NormalizeKeyScopes(k.Scopes)
		if err != nil {
			return fmt.Errorf("%s.%w", f, err)
		}
		if !sort.StringsAreSorted(k.Scopes) || len(norm) != len(k.Scopes) {
			return fmt.Errorf("%s.scopes: must be sorted and unique", f)
		}
		switch k.Status {
		case KEY_STATUS_ACTIVE, KEY_STATUS_EXPIRED:
			if k.RevokedHeight != 0 || k.RevokedTime != nil {
				return fmt.Errorf("%s.revoked_height: a %s key has no revocation", f, k.Status)
			}
		case KEY_STATUS_REVOKED:
			if k.RevokedHeight < 1 || k.RevokedTime == nil {
				return fmt.Errorf("%s.revoked_height: a revoked key needs revoked_height >= 1 and revoked_time", f)
			}
			if k.RevokedHeight < k.RegisteredHeight {
				return fmt.Errorf("%s.revoked_height: %d is before registered_height %d", f, k.RevokedHeight, k.RegisteredHeight)
			}
		default:
			return fmt.Errorf("%s.status: %s is not ACTIVE, REVOKED or EXPIRED", f, k.Status)
		}
		if k.RegisteredHeight < 0 {
			return fmt.Errorf("%s.registered_height: %d must be >= 0", f, k.RegisteredHeight)
		}
		if k.RegisteredBy != "" {
			if _, _, err := ParseAddress(ac, k.RegisteredBy); err != nil {
				return fmt.Errorf("%s.registered_by: %w", f, err)
			}
		}
		if err := ValidateReason(k.RevocationReason); err != nil {
			return fmt.Errorf("%s.revocation_%w", f, err)
		}
	}

	policies := make(map[string]struct{}, len(gs.Policies))
	for i, pol := range gs.Policies {
		f := fmt.Sprintf("policies[%d]", i)
		if err := ValidatePolicy(pol); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if _, dup := policies[pol.Id]; dup {
			return fmt.Errorf("%s.id: duplicate policy %q", f, pol.Id)
		}
		policies[pol.Id] = struct{}{}
	}

	approvals := make(map[[4]string]struct{}, len(gs.Approvals))
	for i, a := range gs.Approvals {
		f := fmt.Sprintf("approvals[%d]", i)
		if err := ValidateApprovalTarget(a.Action, a.Scope, a.Subject); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if _, ok := principals[a.PrincipalId]; !ok {
			return fmt.Errorf("%s.principal_id: unknown principal %q", f, a.PrincipalId)
		}
		if _, _, err := ParseAddress(ac, a.Approver); err != nil {
			return fmt.Errorf("%s.approver: %w", f, err)
		}
		key := [4]string{a.Action, a.Scope, a.Subject, a.PrincipalId}
		if _, dup := approvals[key]; dup {
			return fmt.Errorf("%s: principal %q already approved %s on %s for %s", f, a.PrincipalId, a.Action, a.Scope, a.Subject)
		}
		approvals[key] = struct{}{}
	}
	return nil
}

// ValidatePrincipal checks a stored principal against params; roles and
// attributes must already be sorted. The error names the field.
func ValidatePrincipal(p Params, pr Principal) error {
	org, _, err := SplitPrincipalID(pr.Id)
	if err != nil {
		return fmt.Errorf("id: %w", err)
	}
	if pr.OrgId != org {
		return fmt.Errorf("org_id: %q does not match the id's organization %q", pr.OrgId, org)
	}
	if err := ValidatePrincipalKind(pr.Kind); err != nil {
		return err
	}
	if err := ValidatePrincipalStatus(pr.Status); err != nil {
		return err
	}
	roles, err := NormalizeRoles(pr.Roles, p.MaxRoles)
	if err != nil {
		return err
	}
	for i := range roles {
		if roles[i] != pr.Roles[i] {
			return fmt.Errorf("roles: must be sorted")
		}
	}
	attrs, err := NormalizeAttributes(pr.Attributes, p.MaxAttributes, p.MaxAttributeBytes)
	if err != nil {
		return err
	}
	for i := range attrs {
		if attrs[i].Key != pr.Attributes[i].Key {
			return fmt.Errorf("attributes: must be sorted by key")
		}
	}
	if pr.CreatedHeight < 0 || pr.UpdatedHeight < 0 {
		return fmt.Errorf("created_height: heights must be >= 0")
	}
	return nil
}
