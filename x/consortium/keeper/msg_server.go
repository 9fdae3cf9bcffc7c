package keeper

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/adf-consortium/adf/x/consortium/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the consortium Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// ---------------------------------------------------------------------------
// Member messages
// ---------------------------------------------------------------------------

// SubmitProposal opens a proposal; the proposer must administer an active org.
func (m msgServer) SubmitProposal(ctx context.Context, msg *types.MsgSubmitProposal) (*types.MsgSubmitProposalResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	proposer, proposerStr, err := types.ParseAddress(m.AddressCodec(), msg.Proposer)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "proposer: %s", err)
	}
	orgID, ok, err := m.IsActiveMember(ctx, proposer)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorsmod.Wrapf(types.ErrNotMember, "proposer %s", proposerStr)
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if n := len(msg.Messages); n < 1 || n > int(params.MaxProposalMessages) {
		return nil, errorsmod.Wrapf(types.ErrInvalidProposal, "messages: count %d is not in 1..%d", n, params.MaxProposalMessages)
	}
	if err := types.ValidateProposalText(msg.Title, msg.Summary); err != nil {
		return nil, err
	}
	msgs, err := msg.GetMsgs()
	if err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidProposalMsg, err.Error())
	}
	authority, err := m.AddressCodec().StringToBytes(m.authority)
	if err != nil {
		return nil, err
	}
	typeURLs := make([]string, len(msgs))
	for i, inner := range msgs {
		typeURLs[i] = sdk.MsgTypeURL(inner)
		if vb, ok := inner.(sdk.HasValidateBasic); ok {
			if err := vb.ValidateBasic(); err != nil {
				return nil, errorsmod.Wrapf(types.ErrInvalidProposalMsg, "messages[%d] (%s): %s", i, typeURLs[i], err)
			}
		}
		signers, _, err := m.cdc.GetMsgV1Signers(inner)
		if err != nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidProposalMsg, "messages[%d] (%s): %s", i, typeURLs[i], err)
		}
		if len(signers) != 1 || !bytes.Equal(signers[0], authority) {
			return nil, errorsmod.Wrapf(types.ErrInvalidProposalMsg,
				"messages[%d] (%s): the only signer must be the consortium authority %s", i, typeURLs[i], m.authority)
		}
		if m.router == nil || m.router.Handler(inner) == nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidProposalMsg, "messages[%d]: no handler for %s", i, typeURLs[i])
		}
	}

	id, err := m.NextProposalID.Next(ctx)
	if err != nil {
		return nil, err
	}
	if id == 0 { // ids start at 1; a store without genesis starts at 0
		if id, err = m.NextProposalID.Next(ctx); err != nil {
			return nil, err
		}
	}
	now := sdkCtx.BlockTime()
	p := types.Proposal{
		Id:            id,
		Proposer:      proposerStr,
		ProposerOrg:   orgID,
		Messages:      msg.Messages,
		Title:         msg.Title,
		Summary:       msg.Summary,
		Status:        types.PROPOSAL_STATUS_VOTING,
		SubmitHeight:  sdkCtx.BlockHeight(),
		SubmitTime:    now,
		VotingEndTime: now.Add(params.VotingPeriod),
	}
	if err := m.Proposals.Set(ctx, id, p); err != nil {
		return nil, err
	}
	if err := m.ExpiryQueue.Set(ctx, collections.Join(p.VotingEndTime, id)); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventProposalSubmitted{
		ProposalId:  id,
		Proposer:    proposerStr,
		ProposerOrg: orgID,
		MsgTypeUrls: typeURLs,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubmitProposalResponse{ProposalId: id}, nil
}

// Vote records the voter's organisation's vote, tallies, and executes or
// rejects the proposal as soon as the outcome is certain.
func (m msgServer) Vote(ctx context.Context, msg *types.MsgVote) (*types.MsgVoteResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	voter, voterStr, err := types.ParseAddress(m.AddressCodec(), msg.Voter)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "voter: %s", err)
	}
	orgID, ok, err := m.IsActiveMember(ctx, voter)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorsmod.Wrapf(types.ErrNotMember, "voter %s", voterStr)
	}
	if err := types.ValidateVoteOption(msg.Option); err != nil {
		return nil, err
	}
	p, err := m.Proposals.Get(ctx, msg.ProposalId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrProposalNotFound, "%d", msg.ProposalId)
	}
	if err != nil {
		return nil, err
	}
	if p.Status != types.PROPOSAL_STATUS_VOTING {
		return nil, errorsmod.Wrapf(types.ErrProposalNotVoting, "proposal %d is %s", p.Id, p.Status)
	}
	if sdkCtx.BlockTime().After(p.VotingEndTime) {
		return nil, errorsmod.Wrapf(types.ErrVotingClosed, "proposal %d voting ended at %s", p.Id, p.VotingEndTime)
	}
	key := collections.Join(p.Id, orgID)
	if has, err := m.Votes.Has(ctx, key); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyVoted, "organization %q already voted on proposal %d", orgID, p.Id)
	}
	if err := m.Votes.Set(ctx, key, types.Vote{
		ProposalId: p.Id,
		OrgId:      orgID,
		Voter:      voterStr,
		Option:     msg.Option,
		Height:     sdkCtx.BlockHeight(),
	}); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventVote{
		ProposalId: p.Id, OrgId: orgID, Voter: voterStr, Option: msg.Option,
	}); err != nil {
		return nil, err
	}
	status, err := m.tallyAndMaybeFinalize(sdkCtx, p)
	if err != nil {
		return nil, err
	}
	return &types.MsgVoteResponse{Status: status}, nil
}

// UpdateOrgAdmins lets an admin of an active organisation replace the
// organisation's admin list.
func (m msgServer) UpdateOrgAdmins(ctx context.Context, msg *types.MsgUpdateOrgAdmins) (*types.MsgUpdateOrgAdminsResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	signer, signerStr, err := types.ParseAddress(m.AddressCodec(), msg.Admin)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "admin: %s", err)
	}
	org, err := m.getOrg(ctx, msg.OrgId)
	if err != nil {
		return nil, err
	}
	if org.Status != types.ORG_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrOrgNotActive, "%q is %s", org.Id, org.Status)
	}
	signerOrg, ok, err := m.IsActiveMember(ctx, signer)
	if err != nil {
		return nil, err
	}
	if !ok || signerOrg != org.Id {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is not an admin of %q", signerStr, org.Id)
	}
	newBz, newAdmins, err := types.ValidateAdmins(m.AddressCodec(), msg.Admins, m.authority)
	if err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidAdmin, err.Error())
	}
	if err := m.checkAdminsFree(ctx, newBz, newAdmins, org.Id); err != nil {
		return nil, err
	}
	if err := m.removeAdminIndexes(ctx, org); err != nil {
		return nil, err
	}
	org.Admins = newAdmins
	if err := m.setOrg(ctx, org); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventOrganizationUpdated{
		OrgId: org.Id, Status: org.Status, Admins: org.Admins,
	}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateOrgAdminsResponse{}, nil
}

// ---------------------------------------------------------------------------
// Authority messages (run only inside an approved proposal)
// ---------------------------------------------------------------------------

// AddOrganization admits a new, active member organisation.
func (m msgServer) AddOrganization(ctx context.Context, msg *types.MsgAddOrganization) (*types.MsgAddOrganizationResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := types.ValidateOrgID(msg.OrgId); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidOrgID, "org_id: %s", err)
	}
	if err := types.ValidateOrgName(msg.Name); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidOrgName, "name: %s", err)
	}
	if has, err := m.Organizations.Has(ctx, msg.OrgId); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrDuplicateOrg, "%q", msg.OrgId)
	}
	if other, err := m.OrgNames.Get(ctx, types.OrgNameKey(msg.Name)); err == nil {
		return nil, errorsmod.Wrapf(types.ErrDuplicateOrgName, "%q is used by %q", msg.Name, other)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	bzs, admins, err := types.ValidateAdmins(m.AddressCodec(), msg.Admins, m.authority)
	if err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidAdmin, err.Error())
	}
	if err := m.checkAdminsFree(ctx, bzs, admins, ""); err != nil {
		return nil, err
	}
	org := types.Organization{
		Id:           msg.OrgId,
		Name:         msg.Name,
		Admins:       admins,
		Status:       types.ORG_STATUS_ACTIVE,
		JoinedHeight: sdkCtx.BlockHeight(),
	}
	if err := m.OrgNames.Set(ctx, types.OrgNameKey(org.Name), org.Id); err != nil {
		return nil, err
	}
	if err := m.setOrg(ctx, org); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventOrganizationAdded{
		OrgId: org.Id, Name: org.Name, Admins: org.Admins,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAddOrganizationResponse{}, nil
}

// SetOrganizationStatus activates, suspends or removes an organisation.
// Removal is final and removes the organisation's validators.
func (m msgServer) SetOrganizationStatus(ctx context.Context, msg *types.MsgSetOrganizationStatus) (*types.MsgSetOrganizationStatusResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := types.ValidateOrgStatus(msg.Status); err != nil {
		return nil, err
	}
	org, err := m.getOrg(ctx, msg.OrgId)
	if err != nil {
		return nil, err
	}
	if org.Status == types.ORG_STATUS_REMOVED {
		return nil, errorsmod.Wrapf(types.ErrOrgRemoved, "%q cannot change status", org.Id)
	}
	if org.Status == msg.Status {
		return nil, errorsmod.Wrapf(types.ErrInvalidStatus, "%q is already %s", org.Id, org.Status)
	}
	if msg.Status != types.ORG_STATUS_ACTIVE {
		if err := m.checkPowerRule(ctx, powerChange{orgStatus: map[string]types.OrgStatus{org.Id: msg.Status}}); err != nil {
			return nil, err
		}
	}
	if err := m.removeAdminIndexes(ctx, org); err != nil {
		return nil, err
	}
	org.Status = msg.Status
	if err := m.setOrg(ctx, org); err != nil {
		return nil, err
	}
	if org.Status == types.ORG_STATUS_REMOVED {
		var names []string
		err := m.Validators.Walk(ctx, nil, func(name string, v types.Validator) (bool, error) {
			if v.OrgId == org.Id {
				names = append(names, name)
			}
			return false, nil
		})
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if err := m.deleteValidator(sdkCtx, name); err != nil {
				return nil, err
			}
		}
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventOrganizationUpdated{
		OrgId: org.Id, Status: org.Status, Admins: org.Admins,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSetOrganizationStatusResponse{}, nil
}

// AddValidator adds a validator for an active organisation.
func (m msgServer) AddValidator(ctx context.Context, msg *types.MsgAddValidator) (*types.MsgAddValidatorResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := types.ValidateValidatorName(msg.Name); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidValidatorName, "name: %s", err)
	}
	if has, err := m.Validators.Has(ctx, msg.Name); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrDuplicateValidator, "%q", msg.Name)
	}
	org, err := m.getOrg(ctx, msg.OrgId)
	if err != nil {
		return nil, err
	}
	if org.Status != types.ORG_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrOrgNotActive, "%q is %s", org.Id, org.Status)
	}
	pk, keyType, cons, err := types.ConsensusPubKeyFromAny(msg.PubKey)
	if err != nil {
		return nil, err
	}
	if err := checkKeyTypeAllowed(ctx, keyType); err != nil {
		return nil, err
	}
	if other, err := m.ConsAddresses.Get(ctx, pk.Address()); err == nil {
		return nil, errorsmod.Wrapf(types.ErrConsKeyInUse, "%s is the key of validator %q", cons, other)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := params.ValidatePower(msg.Power); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidPower, "power: %s", err)
	}
	v := types.Validator{
		Name:        msg.Name,
		OrgId:       org.Id,
		PubKey:      msg.PubKey,
		Power:       msg.Power,
		Status:      types.VALIDATOR_STATUS_ACTIVE,
		ConsAddress: cons,
	}
	if err := m.checkPowerRule(ctx, powerChange{added: []types.Validator{v}}); err != nil {
		return nil, err
	}
	if err := m.Validators.Set(ctx, v.Name, v); err != nil {
		return nil, err
	}
	if err := m.ConsAddresses.Set(ctx, pk.Address(), v.Name); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventValidatorAdded{
		Name: v.Name, OrgId: v.OrgId, ConsAddress: cons, KeyType: keyType, Power: v.Power,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAddValidatorResponse{}, nil
}

// RemoveValidator removes a validator from the set.
func (m msgServer) RemoveValidator(ctx context.Context, msg *types.MsgRemoveValidator) (*types.MsgRemoveValidatorResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if _, err := m.getValidator(ctx, msg.Name); err != nil {
		return nil, err
	}
	if err := m.checkPowerRule(ctx, powerChange{validators: map[string]*types.Validator{msg.Name: nil}}); err != nil {
		return nil, err
	}
	if err := m.deleteValidator(sdk.UnwrapSDKContext(ctx), msg.Name); err != nil {
		return nil, err
	}
	return &types.MsgRemoveValidatorResponse{}, nil
}

// SetValidatorPower sets a validator's power; on a jailed validator it also
// reinstates it.
func (m msgServer) SetValidatorPower(ctx context.Context, msg *types.MsgSetValidatorPower) (*types.MsgSetValidatorPowerResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	v, err := m.getValidator(ctx, msg.Name)
	if err != nil {
		return nil, err
	}
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := params.ValidatePower(msg.Power); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidPower, "power: %s", err)
	}
	oldPower := v.EffectivePower()
	nv := v
	nv.Power = msg.Power
	nv.Status = types.VALIDATOR_STATUS_ACTIVE
	if err := m.checkPowerRule(ctx, powerChange{validators: map[string]*types.Validator{v.Name: &nv}}); err != nil {
		return nil, err
	}
	if err := m.Validators.Set(ctx, nv.Name, nv); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventValidatorPowerChanged{
		Name: nv.Name, OldPower: oldPower, NewPower: nv.Power,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSetValidatorPowerResponse{}, nil
}

// RotateConsensusKey replaces a validator's consensus key.
func (m msgServer) RotateConsensusKey(ctx context.Context, msg *types.MsgRotateConsensusKey) (*types.MsgRotateConsensusKeyResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	v, err := m.getValidator(ctx, msg.Name)
	if err != nil {
		return nil, err
	}
	pk, keyType, cons, err := types.ConsensusPubKeyFromAny(msg.NewPubKey)
	if err != nil {
		return nil, err
	}
	if err := checkKeyTypeAllowed(ctx, keyType); err != nil {
		return nil, err
	}
	if other, err := m.ConsAddresses.Get(ctx, pk.Address()); err == nil {
		return nil, errorsmod.Wrapf(types.ErrConsKeyInUse, "%s is the key of validator %q", cons, other)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	oldPk, err := v.ConsPubKey()
	if err != nil {
		return nil, err
	}
	oldCons := v.ConsAddress
	if err := m.ConsAddresses.Remove(ctx, oldPk.Address()); err != nil {
		return nil, err
	}
	v.PubKey = msg.NewPubKey
	v.ConsAddress = cons
	if err := m.Validators.Set(ctx, v.Name, v); err != nil {
		return nil, err
	}
	if err := m.ConsAddresses.Set(ctx, pk.Address(), v.Name); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventValidatorKeyRotated{
		Name: v.Name, OldConsAddress: oldCons, NewConsAddress: cons, NewKeyType: keyType,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRotateConsensusKeyResponse{}, nil
}

// UpdateParams replaces the params.
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
	p := msg.Params
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Params: &p}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

// setOrg stores org and (re)builds its admin indexes for its status; it
// creates auth accounts for admins of a non-removed organisation.
func (k Keeper) setOrg(ctx context.Context, org types.Organization) error {
	if err := k.Organizations.Set(ctx, org.Id, org); err != nil {
		return err
	}
	if org.Status == types.ORG_STATUS_REMOVED {
		return nil
	}
	for _, a := range org.Admins {
		bz, err := k.AddressCodec().StringToBytes(a)
		if err != nil {
			return fmt.Errorf("organization %q admin %q: %w", org.Id, a, err)
		}
		addr := sdk.AccAddress(bz)
		if err := k.Admins.Set(ctx, addr, org.Id); err != nil {
			return err
		}
		if org.Status == types.ORG_STATUS_ACTIVE {
			if err := k.ActiveMembers.Set(ctx, addr, org.Id); err != nil {
				return err
			}
		}
		k.ensureAccount(ctx, addr)
	}
	return nil
}

// removeAdminIndexes drops org's admins from both admin indexes.
func (k Keeper) removeAdminIndexes(ctx context.Context, org types.Organization) error {
	for _, a := range org.Admins {
		bz, err := k.AddressCodec().StringToBytes(a)
		if err != nil {
			return fmt.Errorf("organization %q admin %q: %w", org.Id, a, err)
		}
		owner, err := k.Admins.Get(ctx, bz)
		if err == nil && owner == org.Id {
			if err := k.Admins.Remove(ctx, bz); err != nil {
				return err
			}
		}
		owner, err = k.ActiveMembers.Get(ctx, bz)
		if err == nil && owner == org.Id {
			if err := k.ActiveMembers.Remove(ctx, bz); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteValidator removes a validator and its cons-address index entry;
// EndBlocker then sends power 0 for the key CometBFT last got.
func (k Keeper) deleteValidator(ctx sdk.Context, name string) error {
	v, err := k.getValidator(ctx, name)
	if err != nil {
		return err
	}
	if pk, err := v.ConsPubKey(); err == nil {
		if err := k.ConsAddresses.Remove(ctx, pk.Address()); err != nil {
			return err
		}
	}
	if err := k.Validators.Remove(ctx, name); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventValidatorRemoved{Name: v.Name, ConsAddress: v.ConsAddress})
}

// checkAdminsFree rejects admins that already act for an organisation other
// than ownOrg (empty for a new organisation): an account speaks for one
// member only.
func (m msgServer) checkAdminsFree(ctx context.Context, bzs []sdk.AccAddress, admins []string, ownOrg string) error {
	for i, bz := range bzs {
		other, err := m.Admins.Get(ctx, bz)
		switch {
		case err == nil && other != ownOrg:
			return errorsmod.Wrapf(types.ErrAdminTaken, "admins[%d]: %s is an admin of %q", i, admins[i], other)
		case err != nil && !errors.Is(err, collections.ErrNotFound):
			return err
		}
	}
	return nil
}
