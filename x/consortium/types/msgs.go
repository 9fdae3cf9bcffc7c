package types

import (
	"fmt"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdktx "github.com/cosmos/cosmos-sdk/types/tx"
)

var (
	_ sdk.Msg = (*MsgSubmitProposal)(nil)
	_ sdk.Msg = (*MsgVote)(nil)
	_ sdk.Msg = (*MsgUpdateOrgAdmins)(nil)
	_ sdk.Msg = (*MsgAddOrganization)(nil)
	_ sdk.Msg = (*MsgSetOrganizationStatus)(nil)
	_ sdk.Msg = (*MsgAddValidator)(nil)
	_ sdk.Msg = (*MsgRemoveValidator)(nil)
	_ sdk.Msg = (*MsgSetValidatorPower)(nil)
	_ sdk.Msg = (*MsgRotateConsensusKey)(nil)
	_ sdk.Msg = (*MsgUpdateParams)(nil)

	_ sdk.HasValidateBasic = (*MsgSubmitProposal)(nil)
	_ sdk.HasValidateBasic = (*MsgVote)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateOrgAdmins)(nil)
	_ sdk.HasValidateBasic = (*MsgAddOrganization)(nil)
	_ sdk.HasValidateBasic = (*MsgSetOrganizationStatus)(nil)
	_ sdk.HasValidateBasic = (*MsgAddValidator)(nil)
	_ sdk.HasValidateBasic = (*MsgRemoveValidator)(nil)
	_ sdk.HasValidateBasic = (*MsgSetValidatorPower)(nil)
	_ sdk.HasValidateBasic = (*MsgRotateConsensusKey)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)

	_ codectypes.UnpackInterfacesMessage = (*MsgSubmitProposal)(nil)
	_ codectypes.UnpackInterfacesMessage = (*MsgAddValidator)(nil)
	_ codectypes.UnpackInterfacesMessage = (*MsgRotateConsensusKey)(nil)
	_ codectypes.UnpackInterfacesMessage = (*Proposal)(nil)
)

// NewMsgSubmitProposal packs msgs into a proposal submission.
func NewMsgSubmitProposal(proposer string, msgs []sdk.Msg, title, summary string) (*MsgSubmitProposal, error) {
	anys, err := sdktx.SetMsgs(msgs)
	if err != nil {
		return nil, err
	}
	return &MsgSubmitProposal{Proposer: proposer, Messages: anys, Title: title, Summary: summary}, nil
}

// NewMsgAddValidator packs pk into an add-validator message.
func NewMsgAddValidator(authority, name, orgID string, pk cryptotypes.PubKey, power int64) (*MsgAddValidator, error) {
	a, err := codectypes.NewAnyWithValue(pk)
	if err != nil {
		return nil, err
	}
	return &MsgAddValidator{Authority: authority, Name: name, OrgId: orgID, PubKey: a, Power: power}, nil
}

// NewMsgRotateConsensusKey packs pk into a key-rotation message.
func NewMsgRotateConsensusKey(authority, name string, pk cryptotypes.PubKey) (*MsgRotateConsensusKey, error) {
	a, err := codectypes.NewAnyWithValue(pk)
	if err != nil {
		return nil, err
	}
	return &MsgRotateConsensusKey{Authority: authority, Name: name, NewPubKey: a}, nil
}

// UnpackMsgs returns the unpacked messages of a list of Anys; unlike
// sdktx.GetMsgs it never panics on a value that is not an sdk.Msg.
func UnpackMsgs(anys []*codectypes.Any) ([]sdk.Msg, error) {
	msgs := make([]sdk.Msg, len(anys))
	for i, a := range anys {
		if a == nil {
			return nil, fmt.Errorf("messages[%d]: empty message", i)
		}
		m, ok := a.GetCachedValue().(sdk.Msg)
		if !ok || m == nil {
			return nil, fmt.Errorf("messages[%d]: %q is not a known, unpacked sdk.Msg", i, a.TypeUrl)
		}
		msgs[i] = m
	}
	return msgs, nil
}

// GetMsgs returns the unpacked proposal messages.
func (m *MsgSubmitProposal) GetMsgs() ([]sdk.Msg, error) { return UnpackMsgs(m.Messages) }

// GetMsgs returns the unpacked proposal messages.
func (p *Proposal) GetMsgs() ([]sdk.Msg, error) { return UnpackMsgs(p.Messages) }

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (m *MsgSubmitProposal) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	return sdktx.UnpackInterfaces(unpacker, m.Messages)
}

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (p *Proposal) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	return sdktx.UnpackInterfaces(unpacker, p.Messages)
}

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (m *MsgAddValidator) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	var pk cryptotypes.PubKey
	return unpacker.UnpackAny(m.PubKey, &pk)
}

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (m *MsgRotateConsensusKey) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	var pk cryptotypes.PubKey
	return unpacker.UnpackAny(m.NewPubKey, &pk)
}

// ValidateProposalText checks the title and summary lengths (in characters).
func ValidateProposalText(title, summary string) error {
	if !utf8.ValidString(title) || utf8.RuneCountInString(title) > MaxTitleLength {
		return errorsmod.Wrapf(ErrInvalidProposal, "title: must be valid UTF-8 of at most %d characters", MaxTitleLength)
	}
	if !utf8.ValidString(summary) || utf8.RuneCountInString(summary) > MaxSummaryLength {
		return errorsmod.Wrapf(ErrInvalidProposal, "summary: must be valid UTF-8 of at most %d characters", MaxSummaryLength)
	}
	return nil
}

// The ValidateBasic methods below are stateless checks run by the ante
// chain and the message router. Addresses are checked by the handlers with
// the chain's address codec, and every handler re-checks everything here.

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgSubmitProposal) ValidateBasic() error {
	if n := len(m.Messages); n < 1 || n > int(MaxProposalMessagesLimit) {
		return errorsmod.Wrapf(ErrInvalidProposal, "messages: count %d is not in 1..%d", n, MaxProposalMessagesLimit)
	}
	for i, a := range m.Messages {
		if a == nil || a.TypeUrl == "" {
			return errorsmod.Wrapf(ErrInvalidProposalMsg, "messages[%d]: empty message", i)
		}
	}
	return ValidateProposalText(m.Title, m.Summary)
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgVote) ValidateBasic() error {
	if m.ProposalId == 0 {
		return errorsmod.Wrap(ErrProposalNotFound, "proposal_id: must be > 0")
	}
	return ValidateVoteOption(m.Option)
}

// ValidateVoteOption accepts YES and NO.
func ValidateVoteOption(o VoteOption) error {
	if o != VOTE_OPTION_YES && o != VOTE_OPTION_NO {
		return errorsmod.Wrapf(ErrInvalidVoteOption, "option: %s; use VOTE_OPTION_YES or VOTE_OPTION_NO", o)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgUpdateOrgAdmins) ValidateBasic() error {
	if err := ValidateOrgID(m.OrgId); err != nil {
		return errorsmod.Wrapf(ErrInvalidOrgID, "org_id: %s", err)
	}
	if n := len(m.Admins); n < 1 || n > MaxAdminsPerOrg {
		return errorsmod.Wrapf(ErrInvalidAdmin, "admins: count %d is not in 1..%d", n, MaxAdminsPerOrg)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgAddOrganization) ValidateBasic() error {
	if err := ValidateOrgID(m.OrgId); err != nil {
		return errorsmod.Wrapf(ErrInvalidOrgID, "org_id: %s", err)
	}
	if err := ValidateOrgName(m.Name); err != nil {
		return errorsmod.Wrapf(ErrInvalidOrgName, "name: %s", err)
	}
	if n := len(m.Admins); n < 1 || n > MaxAdminsPerOrg {
		return errorsmod.Wrapf(ErrInvalidAdmin, "admins: count %d is not in 1..%d", n, MaxAdminsPerOrg)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgSetOrganizationStatus) ValidateBasic() error {
	if err := ValidateOrgID(m.OrgId); err != nil {
		return errorsmod.Wrapf(ErrInvalidOrgID, "org_id: %s", err)
	}
	return ValidateOrgStatus(m.Status)
}

// ValidateOrgStatus accepts ACTIVE, SUSPENDED and REMOVED.
func ValidateOrgStatus(s OrgStatus) error {
	switch s {
	case ORG_STATUS_ACTIVE, ORG_STATUS_SUSPENDED, ORG_STATUS_REMOVED:
		return nil
	default:
		return errorsmod.Wrapf(ErrInvalidStatus, "status: %s", s)
	}
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgAddValidator) ValidateBasic() error {
	if err := ValidateValidatorName(m.Name); err != nil {
		return errorsmod.Wrapf(ErrInvalidValidatorName, "name: %s", err)
	}
	if err := ValidateOrgID(m.OrgId); err != nil {
		return errorsmod.Wrapf(ErrInvalidOrgID, "org_id: %s", err)
	}
	if _, _, _, err := ConsensusPubKeyFromAny(m.PubKey); err != nil {
		return errorsmod.Wrap(err, "pub_key")
	}
	if m.Power < 1 {
		return errorsmod.Wrapf(ErrInvalidPower, "power: %d must be >= 1", m.Power)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRemoveValidator) ValidateBasic() error {
	if err := ValidateValidatorName(m.Name); err != nil {
		return errorsmod.Wrapf(ErrInvalidValidatorName, "name: %s", err)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgSetValidatorPower) ValidateBasic() error {
	if err := ValidateValidatorName(m.Name); err != nil {
		return errorsmod.Wrapf(ErrInvalidValidatorName, "name: %s", err)
	}
	if m.Power < 1 {
		return errorsmod.Wrapf(ErrInvalidPower, "power: %d must be >= 1", m.Power)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRotateConsensusKey) ValidateBasic() error {
	if err := ValidateValidatorName(m.Name); err != nil {
		return errorsmod.Wrapf(ErrInvalidValidatorName, "name: %s", err)
	}
	if _, _, _, err := ConsensusPubKeyFromAny(m.NewPubKey); err != nil {
		return errorsmod.Wrap(err, "new_pub_key")
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
