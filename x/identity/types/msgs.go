package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

var (
	_ sdk.Msg = (*MsgRegisterPrincipal)(nil)
	_ sdk.Msg = (*MsgUpdatePrincipal)(nil)
	_ sdk.Msg = (*MsgRegisterKey)(nil)
	_ sdk.Msg = (*MsgRevokeKey)(nil)
	_ sdk.Msg = (*MsgApprove)(nil)
	_ sdk.Msg = (*MsgSetPolicy)(nil)
	_ sdk.Msg = (*MsgRemovePolicy)(nil)
	_ sdk.Msg = (*MsgUpdateParams)(nil)

	_ sdk.HasValidateBasic = (*MsgRegisterPrincipal)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdatePrincipal)(nil)
	_ sdk.HasValidateBasic = (*MsgRegisterKey)(nil)
	_ sdk.HasValidateBasic = (*MsgRevokeKey)(nil)
	_ sdk.HasValidateBasic = (*MsgApprove)(nil)
	_ sdk.HasValidateBasic = (*MsgSetPolicy)(nil)
	_ sdk.HasValidateBasic = (*MsgRemovePolicy)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
)

// The ValidateBasic methods below are stateless checks run by the ante
// chain and the message router; limits that are params (role and attribute
// counts, TTLs, allowed algorithms) are checked by the handlers, which also
// re-check everything here. Addresses are checked by the handlers with the
// chain's address codec.

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRegisterPrincipal) ValidateBasic() error {
	if _, _, err := SplitPrincipalID(m.Id); err != nil {
		return errorsmod.Wrapf(ErrInvalidPrincipalID, "id: %s", err)
	}
	if err := ValidatePrincipalKind(m.Kind); err != nil {
		return err
	}
	if _, err := NormalizeRoles(m.Roles, MaxRolesLimit); err != nil {
		return err
	}
	_, err := NormalizeAttributes(m.Attributes, MaxAttributesLimit, MaxAttributeBytesLimit)
	return err
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgUpdatePrincipal) ValidateBasic() error {
	if _, _, err := SplitPrincipalID(m.Id); err != nil {
		return errorsmod.Wrapf(ErrInvalidPrincipalID, "id: %s", err)
	}
	if err := ValidatePrincipalKind(m.Kind); err != nil {
		return err
	}
	if err := ValidatePrincipalStatus(m.Status); err != nil {
		return err
	}
	if _, err := NormalizeRoles(m.Roles, MaxRolesLimit); err != nil {
		return err
	}
	_, err := NormalizeAttributes(m.Attributes, MaxAttributesLimit, MaxAttributeBytesLimit)
	return err
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRegisterKey) ValidateBasic() error {
	if _, _, err := SplitPrincipalID(m.PrincipalId); err != nil {
		return errorsmod.Wrapf(ErrInvalidPrincipalID, "principal_id: %s", err)
	}
	alg, err := sigscheme.ParseAlgorithm(m.Algorithm)
	if err != nil {
		return errorsmod.Wrapf(ErrInvalidAlgorithm, "algorithm: %s", err)
	}
	if len(m.PublicKey) != alg.PublicKeySize() {
		return errorsmod.Wrapf(ErrInvalidPubKey, "public_key: %s public key is %d bytes, want %d", alg, len(m.PublicKey), alg.PublicKeySize())
	}
	if !m.NotBefore.IsZero() && !m.NotBefore.Before(m.NotAfter) {
		return errorsmod.Wrapf(ErrInvalidValidity, "not_after %s must be after not_before %s", m.NotAfter, m.NotBefore)
	}
	_, err = NormalizeKeyScopes(m.Scopes)
	return err
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRevokeKey) ValidateBasic() error {
	if m.Address == "" {
		return errorsmod.Wrap(ErrKeyNotFound, "address: empty")
	}
	return ValidateReason(m.Reason)
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgApprove) ValidateBasic() error {
	return ValidateApprovalTarget(m.Action, m.Scope, m.Subject)
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgSetPolicy) ValidateBasic() error {
	return ValidatePolicy(m.Policy)
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRemovePolicy) ValidateBasic() error {
	if err := ValidatePolicy(Policy{Id: m.Id, Role: "x", Action: "x", ScopePattern: "*"}); err != nil {
		return errorsmod.Wrapf(ErrInvalidPolicy, "id: %q is not a valid policy id", m.Id)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := m.Params.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "params.%s", err)
	}
	return nil
}
