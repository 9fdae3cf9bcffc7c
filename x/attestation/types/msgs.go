package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/anchor"
)

var (
	_ sdk.Msg = (*MsgAnchorRoot)(nil)
	_ sdk.Msg = (*MsgAnchorAttestation)(nil)
	_ sdk.Msg = (*MsgUpdateParams)(nil)

	_ sdk.HasValidateBasic = (*MsgAnchorRoot)(nil)
	_ sdk.HasValidateBasic = (*MsgAnchorAttestation)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
)

// The ValidateBasic methods are stateless checks run by the ante chain and
// the message router; the handlers re-check everything here and apply the
// params (envelope size, quotas). Addresses are checked by the handlers
// with the chain's address codec.

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgAnchorRoot) ValidateBasic() error {
	return ValidateAnchorRoot(m)
}

// ValidateAnchorRoot checks a MsgAnchorRoot's fields (not the signer).
func ValidateAnchorRoot(m *MsgAnchorRoot) error {
	return Wrap(anchor.ValidateRootUpdate(RootUpdate(m)))
}

// RootUpdate is the message in pkg/anchor's terms.
func RootUpdate(m *MsgAnchorRoot) anchor.RootUpdate {
	return anchor.RootUpdate{LogID: m.LogId, TreeSize: m.TreeSize, RootHash: m.RootHash, ConsistencyProof: m.ConsistencyProof}
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgAnchorAttestation) ValidateBasic() error {
	return ValidateAnchorAttestation(m)
}

// ValidateAnchorAttestation checks a MsgAnchorAttestation's fields (not the
// signer, not the envelope's content) against the absolute limits.
func ValidateAnchorAttestation(m *MsgAnchorAttestation) error {
	if len(m.Envelope) == 0 {
		return errorsmod.Wrap(ErrInvalidEnvelope, "envelope: empty")
	}
	if uint64(len(m.Envelope)) > MaxEnvelopeBytesLimit {
		return errorsmod.Wrapf(ErrEnvelopeTooLarge, "envelope: %d bytes exceeds %d", len(m.Envelope), MaxEnvelopeBytesLimit)
	}
	if err := ValidateRiskClass(m.RiskClass); err != nil {
		return err
	}
	return ValidateScope(m.Scope)
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := m.Params.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "params.%s", err)
	}
	return nil
}
