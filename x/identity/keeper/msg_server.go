package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/principal"
	"github.com/adf-consortium/adf/x/identity/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the identity Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// ---------------------------------------------------------------------------
// Organisation admin messages
// ---------------------------------------------------------------------------

// RegisterPrincipal adds a principal to the signer's organisation.
func (m msgServer) RegisterPrincipal(ctx context.Context, msg *types.MsgRegisterPrincipal) (*types.MsgRegisterPrincipalResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	adminOrg, adminStr, err := m.requireAdmin(ctx, msg.Admin)
	if err != nil {
		return nil, err
	}
	orgID, _, err := types.SplitPrincipalID(msg.Id)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrincipalID, "id: %s", err)
	}
	if orgID != adminOrg {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized,
			"cannot register principal %q into organization %q: %s administers %q", msg.Id, orgID, adminStr, adminOrg)
	}
	if err := types.ValidatePrincipalKind(msg.Kind); err != nil {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	roles, err := types.NormalizeRoles(msg.Roles, params.MaxRoles)
	if err != nil {
		return nil, err
	}
	attrs, err := types.NormalizeAttributes(msg.Attributes, params.MaxAttributes, params.MaxAttributeBytes)
	if err != nil {
		return nil, err
	}
	if has, err := m.Principals.Has(ctx, msg.Id); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrPrincipalExists, "%q", msg.Id)
	}
	p := types.Principal{
		Id:            msg.Id,
		OrgId:         orgID,
		Kind:          msg.Kind,
		Roles:         roles,
		Attributes:    attrs,
		Status:        types.PRINCIPAL_STATUS_ACTIVE,
		CreatedHeight: sdkCtx.BlockHeight(),
		UpdatedHeight: sdkCtx.BlockHeight(),
	}
	if err := m.setPrincipal(ctx, p); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventPrincipalRegistered{
		Id: p.Id, OrgId: p.OrgId, Kind: p.Kind, Roles: p.Roles, RegisteredBy: adminStr,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRegisterPrincipalResponse{}, nil
}

// UpdatePrincipal replaces a principal's kind, roles, attributes and
// status. Revoking a principal is final and revokes its active keys.
func (m msgServer) UpdatePrincipal(ctx context.Context, msg *types.MsgUpdatePrincipal) (*types.MsgUpdatePrincipalResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	adminOrg, adminStr, err := m.requireAdmin(ctx, msg.Admin)
	if err != nil {
		return nil, err
	}
	if _, _, err := types.SplitPrincipalID(msg.Id); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrincipalID, "id: %s", err)
	}
	p, err := m.getPrincipal(ctx, msg.Id)
	if err != nil {
		return nil, err
	}
	if p.OrgId != adminOrg {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized,
			"principal %q belongs to organization %q: %s administers %q", p.Id, p.OrgId, adminStr, adminOrg)
	}
	if p.Status == types.PRINCIPAL_STATUS_REVOKED {
		return nil, errorsmod.Wrapf(types.ErrPrincipalNotActive, "principal %q was revoked; revocation is final", p.Id)
	}
	if err := types.ValidatePrincipalKind(msg.Kind); err != nil {
		return nil, err
	}
	if err := types.ValidatePrincipalStatus(msg.Status); err != nil {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	roles, err := types.NormalizeRoles(msg.Roles, params.MaxRoles)
	if err != nil {
		return nil, err
	}
	attrs, err := types.NormalizeAttributes(msg.Attributes, params.MaxAttributes, params.MaxAttributeBytes)
	if err != nil {
		return nil, err
	}
	p.Kind, p.Roles, p.Attributes, p.Status = msg.Kind, roles, attrs, msg.Status
	p.UpdatedHeight = sdkCtx.BlockHeight()
	if err := m.setPrincipal(ctx, p); err != nil {
		return nil, err
	}
	var revoked uint32
	if p.Status == types.PRINCIPAL_STATUS_REVOKED {
		if revoked, err = m.revokePrincipalKeys(sdkCtx, p.Id, adminStr); err != nil {
			return nil, err
		}
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventPrincipalUpdated{
		Id: p.Id, Kind: p.Kind, Roles: p.Roles, Status: p.Status, UpdatedBy: adminStr, KeysRevoked: revoked,
	}); err != nil {
		return nil, err
	}
	return &types.MsgUpdatePrincipalResponse{}, nil
}

// revokePrincipalKeys revokes every ACTIVE key of a principal, in address order.
func (m msgServer) revokePrincipalKeys(ctx sdk.Context, principalID, by string) (uint32, error) {
	var addrs []sdk.AccAddress
	if err := m.KeysByPrincipal.Walk(ctx, collections.NewPrefixedPairRange[string, sdk.AccAddress](principalID),
		func(key collections.Pair[string, sdk.AccAddress]) (bool, error) {
			addrs = append(addrs, key.K2())
			return false, nil
		}); err != nil {
		return 0, err
	}
	var n uint32
	for _, addr := range addrs {
		key, err := m.Keys.Get(ctx, addr)
		if err != nil {
			return 0, err
		}
		if key.Status != types.KEY_STATUS_ACTIVE {
			continue
		}
		if err := m.revokeKey(ctx, addr, key, by, "principal revoked"); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

// RegisterKey registers a short-lived key for a principal and creates its
// account. The signer is an admin of the principal's organisation, or an
// issuer key of the same organisation (TTL <= issuer_max_ttl, not for
// principals holding the issuer role, within the issuer key's scopes).
func (m msgServer) RegisterKey(ctx context.Context, msg *types.MsgRegisterKey) (*types.MsgRegisterKeyResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	now := sdkCtx.BlockTime()
	signer, signerStr, err := types.ParseAddress(m.AddressCodec(), msg.Signer)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	if _, _, err := types.SplitPrincipalID(msg.PrincipalId); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrincipalID, "principal_id: %s", err)
	}
	target, err := m.getPrincipal(ctx, msg.PrincipalId)
	if err != nil {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}

	// who may register, and within which limits
	maxTTL := params.MaxKeyTtl
	var issuerScopes []string
	adminOrg, isAdmin, err := m.ck.IsActiveMember(ctx, signer)
	if err != nil {
		return nil, err
	}
	switch {
	case isAdmin:
		if adminOrg != target.OrgId {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized,
				"principal %q belongs to organization %q: %s administers %q", target.Id, target.OrgId, signerStr, adminOrg)
		}
	case m.IsRegisteredKey(ctx, signer):
		issuerKey, issuer, err := m.usableKeyAndPrincipal(ctx, signer)
		if err != nil {
			return nil, err
		}
		if !hasRole(issuer.Roles, types.RoleIssuer) {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized,
				"key %s of %q cannot register keys: the principal lacks the %q role", signerStr, issuer.Id, types.RoleIssuer)
		}
		if issuer.OrgId != target.OrgId {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized,
				"issuer %q of organization %q cannot register keys for %q of organization %q", issuer.Id, issuer.OrgId, target.Id, target.OrgId)
		}
		if hasRole(target.Roles, types.RoleIssuer) {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized,
				"issuer %q cannot register keys for %q, which holds the %q role; an org admin must", issuer.Id, target.Id, types.RoleIssuer)
		}
		maxTTL = params.IssuerMaxTtl
		issuerScopes = issuerKey.Scopes
	default:
		return nil, errorsmod.Wrapf(types.ErrUnauthorized,
			"%s is neither an admin of organization %q nor an issuer key", signerStr, target.OrgId)
	}

	if target.Status != types.PRINCIPAL_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrPrincipalNotActive, "principal %q is %s", target.Id, principalStatusWord(target.Status))
	}
	if active, err := m.ck.IsActiveOrg(ctx, target.OrgId); err != nil {
		return nil, err
	} else if !active {
		return nil, errorsmod.Wrapf(types.ErrOrgNotActive, "%q", target.OrgId)
	}

	alg, _, err := types.ParsePublicKey(params, msg.Algorithm, msg.PublicKey)
	if err != nil {
		return nil, err
	}

	notBefore, notAfter, err := principal.KeyWindow(msg.NotBefore, msg.NotAfter, now, maxTTL, params.MaxKeyTtl)
	if err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidValidity, err.Error())
	}

	scopes, err := types.NormalizeKeyScopes(msg.Scopes)
	if err != nil {
		return nil, err
	}
	if len(issuerScopes) > 0 {
		if len(scopes) == 0 {
			scopes = append([]string(nil), issuerScopes...)
		} else if !policy.CoversAll(issuerScopes, scopes) {
			return nil, errorsmod.Wrapf(types.ErrInvalidScope,
				"scopes: [%s] are not all within the issuer key's scopes [%s]", joinSpace(scopes), joinSpace(issuerScopes))
		}
	}

	addr := types.KeyAddress(alg, msg.PublicKey)
	addrStr := m.addrString(addr)
	if has, err := m.Keys.Has(ctx, addr); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrKeyExists, "%s", addrStr)
	}
	if org, isAdmin, err := m.ck.IsActiveMember(ctx, addr); err != nil {
		return nil, err
	} else if isAdmin {
		return nil, errorsmod.Wrapf(types.ErrKeyExists, "%s is an admin account of organization %q; use a fresh key", addrStr, org)
	}

	key := types.Key{
		Address:          addrStr,
		PrincipalId:      target.Id,
		OrgId:            target.OrgId,
		Algorithm:        alg.String(),
		PublicKey:        append([]byte(nil), msg.PublicKey...),
		NotBefore:        notBefore,
		NotAfter:         notAfter,
		Scopes:           scopes,
		Status:           types.KEY_STATUS_ACTIVE,
		RegisteredHeight: sdkCtx.BlockHeight(),
		RegisteredTime:   now.UTC(),
		RegisteredBy:     signerStr,
	}
	if err := m.setNewKey(ctx, addr, key); err != nil {
		return nil, err
	}
	m.ensureAccount(ctx, addr)
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventKeyRegistered{
		Address: addrStr, PrincipalId: key.PrincipalId, OrgId: key.OrgId, Algorithm: key.Algorithm,
		NotBefore: key.NotBefore, NotAfter: key.NotAfter, Scopes: key.Scopes, RegisteredBy: signerStr,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRegisterKeyResponse{Address: addrStr}, nil
}

// RevokeKey revokes a key at once. Allowed signers: the key itself,
// another usable key of the same principal, an admin of the key's
// organisation, or the authority.
func (m msgServer) RevokeKey(ctx context.Context, msg *types.MsgRevokeKey) (*types.MsgRevokeKeyResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := types.ValidateReason(msg.Reason); err != nil {
		return nil, err
	}
	addr, _, err := types.ParseAddress(m.AddressCodec(), msg.Address)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "address: %s", err)
	}
	key, found, err := m.KeyInfo(ctx, addr)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errorsmod.Wrapf(types.ErrKeyNotFound, "%s", msg.Address)
	}

	var signerStr string
	if msg.Signer == m.authority {
		signerStr = m.authority
	} else {
		signer, s, err := types.ParseAddress(m.AddressCodec(), msg.Signer)
		if err != nil {
			return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
		}
		signerStr = s
		if err := m.checkRevoker(ctx, signer, signerStr, addr, key); err != nil {
			return nil, err
		}
	}

	switch key.Status {
	case types.KEY_STATUS_ACTIVE:
	case types.KEY_STATUS_REVOKED:
		return nil, errorsmod.Wrapf(types.ErrKeyNotActive, "key %s was already revoked at height %d", key.Address, key.RevokedHeight)
	default:
		return nil, errorsmod.Wrapf(types.ErrKeyNotActive, "key %s is %s", key.Address, key.Status)
	}
	if err := m.revokeKey(sdkCtx, addr, key, signerStr, msg.Reason); err != nil {
		return nil, err
	}
	return &types.MsgRevokeKeyResponse{}, nil
}

// checkRevoker checks that signer may revoke key (at addr).
func (m msgServer) checkRevoker(ctx context.Context, signer sdk.AccAddress, signerStr string, addr sdk.AccAddress, key types.Key) error {
	if signer.Equals(addr) {
		return nil // a key may always revoke itself
	}
	if signerKey, isKey, err := m.KeyInfo(ctx, signer); err != nil {
		return err
	} else if isKey {
		if signerKey.OrgId != key.OrgId {
			return errorsmod.Wrapf(types.ErrUnauthorized, "key %s belongs to organization %q; %s is a key of %q", key.Address, key.OrgId, signerStr, signerKey.OrgId)
		}
		if signerKey.PrincipalId != key.PrincipalId {
			return errorsmod.Wrapf(types.ErrUnauthorized, "key %s belongs to principal %q; %s is a key of %q", key.Address, key.PrincipalId, signerStr, signerKey.PrincipalId)
		}
		if reason := keyUnusable(signerKey, sdk.UnwrapSDKContext(ctx).BlockTime()); reason != "" {
			return errorsmod.Wrap(types.ErrUnauthorized, reason)
		}
		return nil
	}
	org, isAdmin, err := m.ck.IsActiveMember(ctx, signer)
	if err != nil {
		return err
	}
	if !isAdmin {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither a key of principal %q nor an admin of an active organization", signerStr, key.PrincipalId)
	}
	if org != key.OrgId {
		return errorsmod.Wrapf(types.ErrUnauthorized, "key %s belongs to organization %q; %s administers %q", key.Address, key.OrgId, signerStr, org)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Approvals
// ---------------------------------------------------------------------------

// Approve records the signer's principal's approval of (action, scope,
// subject). The signer must be a key authorised for action "approve" on scope.
func (m msgServer) Approve(ctx context.Context, msg *types.MsgApprove) (*types.MsgApproveResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	signer, signerStr, err := types.ParseAddress(m.AddressCodec(), msg.Signer)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	if err := types.ValidateApprovalTarget(msg.Action, msg.Scope, msg.Subject); err != nil {
		return nil, err
	}
	d, err := m.Authorize(ctx, signer, types.ActionApprove, msg.Scope)
	if err != nil {
		return nil, err
	}
	if !d.Allowed {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s may not approve on %s: %s", signerStr, msg.Scope, d.Reason)
	}
	if d.PrincipalId == "" {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is not a principal's key", signerStr)
	}
	k := collections.Join4(msg.Action, msg.Scope, msg.Subject, d.PrincipalId)
	if has, err := m.Approvals.Has(ctx, k); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyApproved, "principal %q already approved %s on %s for %s", d.PrincipalId, msg.Action, msg.Scope, msg.Subject)
	}
	if err := m.Approvals.Set(ctx, k, types.Approval{
		Action: msg.Action, Scope: msg.Scope, Subject: msg.Subject, PrincipalId: d.PrincipalId,
		Approver: signerStr, Height: sdkCtx.BlockHeight(), Time: sdkCtx.BlockTime().UTC(),
	}); err != nil {
		return nil, err
	}
	n, err := m.countApprovals(ctx, msg.Action, msg.Scope, msg.Subject, "")
	if err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventApproved{
		Action: msg.Action, Scope: msg.Scope, Subject: msg.Subject, PrincipalId: d.PrincipalId, Approver: signerStr, Approvals: n,
	}); err != nil {
		return nil, err
	}
	return &types.MsgApproveResponse{Approvals: n}, nil
}

// ---------------------------------------------------------------------------
// Authority messages (run only inside an approved consortium proposal)
// ---------------------------------------------------------------------------

// SetPolicy creates or replaces a policy.
func (m msgServer) SetPolicy(ctx context.Context, msg *types.MsgSetPolicy) (*types.MsgSetPolicyResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := types.ValidatePolicy(msg.Policy); err != nil {
		return nil, err
	}
	if err := m.setPolicy(ctx, msg.Policy); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPolicySet{Policy: msg.Policy}); err != nil {
		return nil, err
	}
	return &types.MsgSetPolicyResponse{}, nil
}

// RemovePolicy deletes a policy.
func (m msgServer) RemovePolicy(ctx context.Context, msg *types.MsgRemovePolicy) (*types.MsgRemovePolicyResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	p, err := m.Policies.Get(ctx, msg.Id)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrPolicyNotFound, "%q", msg.Id)
	}
	if err != nil {
		return nil, err
	}
	if err := m.Policies.Remove(ctx, p.Id); err != nil {
		return nil, err
	}
	if err := m.PoliciesByAction.Remove(ctx, collections.Join(p.Action, p.Id)); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPolicyRemoved{Id: p.Id}); err != nil {
		return nil, err
	}
	return &types.MsgRemovePolicyResponse{}, nil
}

// UpdateParams replaces the params. Existing keys keep their validity.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidParams, "params.%s", err)
	}
	if err := m.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Params: msg.Params}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

// requireAdmin parses an admin address and returns the active organisation
// it administers.
func (m msgServer) requireAdmin(ctx context.Context, admin string) (string, string, error) {
	addr, adminStr, err := types.ParseAddress(m.AddressCodec(), admin)
	if err != nil {
		return "", "", errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "admin: %s", err)
	}
	org, ok, err := m.ck.IsActiveMember(ctx, addr)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", errorsmod.Wrapf(types.ErrUnauthorized, "%s is not an admin of an active organization", adminStr)
	}
	return org, adminStr, nil
}

// usableKeyAndPrincipal returns a key that can sign now and its active
// principal of an active organisation, or ErrUnauthorized with the reason.
func (k Keeper) usableKeyAndPrincipal(ctx context.Context, addr sdk.AccAddress) (types.Key, types.Principal, error) {
	key, found, err := k.KeyInfo(ctx, addr)
	if err != nil {
		return types.Key{}, types.Principal{}, err
	}
	if !found {
		return types.Key{}, types.Principal{}, errorsmod.Wrapf(types.ErrUnauthorized, "%s is not a registered key", k.addrString(addr))
	}
	if reason := keyUnusable(key, sdk.UnwrapSDKContext(ctx).BlockTime()); reason != "" {
		return types.Key{}, types.Principal{}, errorsmod.Wrap(types.ErrUnauthorized, reason)
	}
	p, err := k.getPrincipal(ctx, key.PrincipalId)
	if err != nil {
		return types.Key{}, types.Principal{}, err
	}
	if p.Status != types.PRINCIPAL_STATUS_ACTIVE {
		return types.Key{}, types.Principal{}, errorsmod.Wrapf(types.ErrUnauthorized, "principal %s is %s", p.Id, principalStatusWord(p.Status))
	}
	active, err := k.ck.IsActiveOrg(ctx, p.OrgId)
	if err != nil {
		return types.Key{}, types.Principal{}, err
	}
	if !active {
		return types.Key{}, types.Principal{}, errorsmod.Wrapf(types.ErrUnauthorized, "organization %s is not active", p.OrgId)
	}
	return key, p, nil
}

func hasRole(roles []string, role string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

func joinSpace(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
