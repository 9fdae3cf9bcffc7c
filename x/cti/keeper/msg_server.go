package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/x/cti/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	"github.com/adf-consortium/adf/x/internal/addrutil"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the CTI Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// Every handler checks every item before it writes anything, so a rejected
// message changes no state even outside a cached context: a batch is all or
// nothing.

// GasPerIndicator is charged per published indicator for validation and
// normalisation, on top of the store's own gas.
const GasPerIndicator = 2000

func (k Keeper) authorize(ctx context.Context, signerStr, action, scope string) (identitytypes.Decision, error) {
	signer, _, err := addrutil.Parse(k.ac, signerStr)
	if err != nil {
		return identitytypes.Decision{}, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	dec, err := k.ik.Authorize(ctx, signer, action, scope)
	if err != nil {
		return dec, err
	}
	if !dec.Allowed {
		return dec, errorsmod.Wrapf(types.ErrUnauthorized, "%s may not %s on %q: %s", signerStr, action, scope, dec.Reason)
	}
	if dec.OrgId == "" || dec.PrincipalId == "" {
		return dec, errorsmod.Wrapf(types.ErrUnauthorized, "%s may %s but is not a principal of an organisation", signerStr, action)
	}
	return dec, nil
}

// PublishIndicators publishes new indicators and new revisions of the
// signer organisation's own indicators.
func (m msgServer) PublishIndicators(ctx context.Context, msg *types.MsgPublishIndicators) (*types.MsgPublishIndicatorsResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg.Indicators) == 0 {
		return nil, types.ErrEmptyBatch
	}
	if n := len(msg.Indicators); n > int(params.MaxIndicatorsPerTx) {
		return nil, errorsmod.Wrapf(types.ErrBatchTooLarge, "%d indicators, at most %d per message", n, params.MaxIndicatorsPerTx)
	}
	dec, err := m.authorize(ctx, msg.Signer, types.ActionPublishIndicator, "")
	if err != nil {
		return nil, err
	}
	sdkCtx.GasMeter().ConsumeGas(GasPerIndicator*uint64(len(msg.Indicators)), "cti: validate indicators")

	type item struct {
		ind     types.Indicator
		old     types.IndicatorRecord
		exists  bool
		changed bool
	}
	items := make([]item, len(msg.Indicators))
	seen := make(map[string]int, len(msg.Indicators))
	for i, wire := range msg.Indicators {
		wire.Publisher = dec.OrgId
		d := wire.ToDomain()
		if err := d.Validate(); err != nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidIndicator, "indicators[%d] (%s): %v", i, wire.SourceId, err)
		}
		if j, dup := seen[d.SourceID]; dup {
			return nil, errorsmod.Wrapf(types.ErrDuplicateSourceID, "indicators[%d] and [%d] both have source id %q", j, i, d.SourceID)
		}
		seen[d.SourceID] = i
		old, exists, err := m.getRecord(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		if exists && old.Indicator.Publisher != dec.OrgId {
			return nil, errorsmod.Wrapf(types.ErrNotPublisher, "indicators[%d]: %s (source %s) was published by %s", i, d.ID, d.SourceID, old.Indicator.Publisher)
		}
		changed := !exists || old.Status != types.INDICATOR_STATUS_ACTIVE || !cti.SameContent(old.Indicator.ToDomain(), d)
		items[i] = item{ind: wire, old: old, exists: exists, changed: changed}
	}

	height, now := sdkCtx.BlockHeight(), sdkCtx.BlockTime().Unix()
	res := &types.MsgPublishIndicatorsResponse{}
	for _, it := range items {
		if !it.changed {
			res.Unchanged++
			continue
		}
		d := it.ind.ToDomain()
		rec := types.IndicatorRecord{
			Indicator:       it.ind,
			Status:          types.INDICATOR_STATUS_ACTIVE,
			Revision:        1,
			PublishedHeight: height,
			PublishedAt:     now,
			UpdatedHeight:   height,
			UpdatedAt:       now,
			PrincipalId:     dec.PrincipalId,
		}
		action := types.HISTORY_ACTION_PUBLISHED
		if it.exists {
			action = types.HISTORY_ACTION_UPDATED
			rec.Revision = it.old.Revision + 1
			rec.PublishedHeight, rec.PublishedAt = it.old.PublishedHeight, it.old.PublishedAt
			rec.TruePositives, rec.FalsePositives = it.old.TruePositives, it.old.FalsePositives
			oldDomain := it.old.Indicator.ToDomain()
			if oldKey := oldDomain.IndexKey(); oldKey != d.IndexKey() {
				if err := m.indexRemove(ctx, oldKey, d.ID); err != nil {
					return nil, err
				}
			}
			res.Updated++
		} else {
			res.Published++
			rep, err := m.getReputation(ctx, dec.OrgId)
			if err != nil {
				return nil, err
			}
			rep.Published++
			if err := m.Reputations.Set(ctx, dec.OrgId, rep); err != nil {
				return nil, err
			}
		}
		if err := m.Indicators.Set(ctx, d.ID, rec); err != nil {
			return nil, err
		}
		if err := m.indexAdd(ctx, d.IndexKey(), d.ID, it.ind.Package); err != nil {
			return nil, err
		}
		if err := m.ByPublisher.Set(ctx, collections.Join(dec.OrgId, d.ID)); err != nil {
			return nil, err
		}
		if err := m.History.Set(ctx, collections.Join(d.ID, rec.Revision), types.HistoryEntry{
			IndicatorId: d.ID, Revision: rec.Revision, Action: action, Height: height, Time: now,
			Actor: dec.PrincipalId, Indicator: it.ind,
		}); err != nil {
			return nil, err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventIndicatorPublished{
			Id: d.ID, SourceId: d.SourceID, Kind: string(d.Kind), Publisher: dec.OrgId,
			PrincipalId: dec.PrincipalId, Revision: rec.Revision, Updated: it.exists,
		}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// RevokeIndicators revokes indicators of the signer's organisation, or any
// indicator when the authority sends it from a passed consortium proposal.
// A revoked indicator stops matching from the next block on; its history
// stays.
func (m msgServer) RevokeIndicators(ctx context.Context, msg *types.MsgRevokeIndicators) (*types.MsgRevokeIndicatorsResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg.Ids) == 0 {
		return nil, types.ErrEmptyBatch
	}
	if len(msg.Ids) > int(params.MaxIndicatorsPerTx) {
		return nil, errorsmod.Wrapf(types.ErrBatchTooLarge, "%d ids, at most %d per message", len(msg.Ids), params.MaxIndicatorsPerTx)
	}
	if msg.Reason == "" || len(msg.Reason) > types.MaxReasonLen {
		return nil, errorsmod.Wrapf(types.ErrInvalidReason, "reason: empty or longer than %d bytes", types.MaxReasonLen)
	}
	byAuthority := msg.Signer == m.authority
	actor, org := m.authority, ""
	if !byAuthority {
		dec, err := m.authorize(ctx, msg.Signer, types.ActionRevokeIndicator, "")
		if err != nil {
			return nil, err
		}
		actor, org = dec.PrincipalId, dec.OrgId
	}
	recs := make([]types.IndicatorRecord, len(msg.Ids))
	seen := make(map[string]bool, len(msg.Ids))
	for i, id := range msg.Ids {
		if seen[id] {
			return nil, errorsmod.Wrapf(types.ErrInvalidIndicator, "ids[%d]: %s listed twice", i, id)
		}
		seen[id] = true
		rec, found, err := m.getRecord(ctx, id)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, errorsmod.Wrapf(types.ErrIndicatorNotFound, "ids[%d]: %s", i, id)
		}
		if rec.Status == types.INDICATOR_STATUS_REVOKED {
			return nil, errorsmod.Wrapf(types.ErrIndicatorRevoked, "ids[%d]: %s was revoked at height %d", i, id, rec.RevokedHeight)
		}
		if !byAuthority && rec.Indicator.Publisher != org {
			return nil, errorsmod.Wrapf(types.ErrNotPublisher, "ids[%d]: %s was published by %s, not %s", i, id, rec.Indicator.Publisher, org)
		}
		recs[i] = rec
	}
	action := types.HISTORY_ACTION_REVOKED
	if byAuthority {
		action = types.HISTORY_ACTION_REVOKED_BY_CONSORTIUM
	}
	height, now := sdkCtx.BlockHeight(), sdkCtx.BlockTime().Unix()
	for _, rec := range recs {
		id := rec.Indicator.Id
		rec.Status = types.INDICATOR_STATUS_REVOKED
		rec.Revision++
		rec.RevokedHeight, rec.RevokeReason = height, msg.Reason
		rec.UpdatedHeight, rec.UpdatedAt = height, now
		if err := m.Indicators.Set(ctx, id, rec); err != nil {
			return nil, err
		}
		// A revoked indicator leaves the match index; its record and history
		// stay (a re-publication files it again).
		dom := rec.Indicator.ToDomain()
		if err := m.indexRemove(ctx, dom.IndexKey(), id); err != nil {
			return nil, err
		}
		if err := m.History.Set(ctx, collections.Join(id, rec.Revision), types.HistoryEntry{
			IndicatorId: id, Revision: rec.Revision, Action: action, Height: height, Time: now,
			Actor: actor, Indicator: rec.Indicator, Reason: msg.Reason,
		}); err != nil {
			return nil, err
		}
		rep, err := m.getReputation(ctx, rec.Indicator.Publisher)
		if err != nil {
			return nil, err
		}
		rep.Revoked++
		if err := m.Reputations.Set(ctx, rec.Indicator.Publisher, rep); err != nil {
			return nil, err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventIndicatorRevoked{
			Id: id, Publisher: rec.Indicator.Publisher, By: actor, Reason: msg.Reason, Revision: rec.Revision,
		}); err != nil {
			return nil, err
		}
	}
	return &types.MsgRevokeIndicatorsResponse{Revoked: uint32(len(recs))}, nil
}

// SubmitSightings records the signer organisation's latest verdict on each
// indicator. A changed verdict moves the indicator's counters and the
// publisher's reputation from the old verdict to the new one, so each
// organisation counts once per indicator.
func (m msgServer) SubmitSightings(ctx context.Context, msg *types.MsgSubmitSightings) (*types.MsgSubmitSightingsResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg.Sightings) == 0 {
		return nil, types.ErrEmptyBatch
	}
	if len(msg.Sightings) > int(params.MaxIndicatorsPerTx) {
		return nil, errorsmod.Wrapf(types.ErrBatchTooLarge, "%d sightings, at most %d per message", len(msg.Sightings), params.MaxIndicatorsPerTx)
	}
	dec, err := m.authorize(ctx, msg.Signer, types.ActionSight, "")
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(msg.Sightings))
	// Each indicator is listed once, so the records read here are the ones
	// the writes below update.
	recs := make([]types.IndicatorRecord, len(msg.Sightings))
	for i, s := range msg.Sightings {
		if s.Verdict != types.SIGHTING_VERDICT_TRUE_POSITIVE && s.Verdict != types.SIGHTING_VERDICT_FALSE_POSITIVE {
			return nil, errorsmod.Wrapf(types.ErrInvalidSighting, "sightings[%d]: verdict must be true or false positive", i)
		}
		if len(s.Note) > types.MaxReasonLen {
			return nil, errorsmod.Wrapf(types.ErrInvalidSighting, "sightings[%d]: note longer than %d bytes", i, types.MaxReasonLen)
		}
		if seen[s.IndicatorId] {
			return nil, errorsmod.Wrapf(types.ErrInvalidSighting, "sightings[%d]: %s listed twice", i, s.IndicatorId)
		}
		seen[s.IndicatorId] = true
		rec, found, err := m.getRecord(ctx, s.IndicatorId)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, errorsmod.Wrapf(types.ErrIndicatorNotFound, "sightings[%d]: %s", i, s.IndicatorId)
		}
		if rec.Status != types.INDICATOR_STATUS_ACTIVE {
			return nil, errorsmod.Wrapf(types.ErrIndicatorRevoked, "sightings[%d]: %s", i, s.IndicatorId)
		}
		if rec.Indicator.Publisher == dec.OrgId {
			return nil, errorsmod.Wrapf(types.ErrOwnIndicator, "sightings[%d]: %s was published by %s", i, s.IndicatorId, dec.OrgId)
		}
		recs[i] = rec
	}
	height, now := sdkCtx.BlockHeight(), sdkCtx.BlockTime().Unix()
	for i, s := range msg.Sightings {
		key := collections.Join(s.IndicatorId, dec.OrgId)
		prev, err := m.Sightings.Get(ctx, key)
		hadPrev := err == nil
		if err != nil && !errorsIsNotFound(err) {
			return nil, err
		}
		rec := recs[i]
		rep, err := m.getReputation(ctx, rec.Indicator.Publisher)
		if err != nil {
			return nil, err
		}
		if hadPrev {
			moveCount(&rec, &rep, prev.Verdict, -1)
		}
		moveCount(&rec, &rep, s.Verdict, +1)
		if err := m.Indicators.Set(ctx, s.IndicatorId, rec); err != nil {
			return nil, err
		}
		if err := m.Reputations.Set(ctx, rec.Indicator.Publisher, rep); err != nil {
			return nil, err
		}
		if err := m.Sightings.Set(ctx, key, types.Sighting{
			IndicatorId: s.IndicatorId, OrgId: dec.OrgId, Verdict: s.Verdict, PrincipalId: dec.PrincipalId,
			Height: height, Time: now, Note: s.Note,
		}); err != nil {
			return nil, err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventSighting{
			IndicatorId: s.IndicatorId, OrgId: dec.OrgId, Verdict: s.Verdict.Short(), Publisher: rec.Indicator.Publisher,
		}); err != nil {
			return nil, err
		}
	}
	return &types.MsgSubmitSightingsResponse{}, nil
}

// moveCount adds delta (±1) to the counters of verdict v with pkg/cti's
// rule.
func moveCount(rec *types.IndicatorRecord, rep *types.Reputation, v types.SightingVerdict, delta int) {
	if v != types.SIGHTING_VERDICT_TRUE_POSITIVE && v != types.SIGHTING_VERDICT_FALSE_POSITIVE {
		return
	}
	s := cti.Sightings{TruePositive: rec.TruePositives, FalsePositive: rec.FalsePositives}
	r := cti.Reputation{TruePositive: rep.TruePositives, FalsePositive: rep.FalsePositives}
	cti.MoveSighting(&s, &r, v == types.SIGHTING_VERDICT_TRUE_POSITIVE, delta)
	rec.TruePositives, rec.FalsePositives = s.TruePositive, s.FalsePositive
	rep.TruePositives, rep.FalsePositives = r.TruePositive, r.FalsePositive
}

// SetException adds or replaces a time-boxed exception. The signer needs
// gate-exception on the target; if the allowing policy requires approvals,
// they must be recorded for the exception id first (x/identity MsgApprove).
func (m msgServer) SetException(ctx context.Context, msg *types.MsgSetException) (*types.MsgSetExceptionResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateExceptionFields(msg.Id, msg.Target, msg.Reason, msg.Expires); err != nil {
		return nil, err
	}
	maxDecision := cti.DecisionHold
	if msg.MaxDecision != "" {
		if maxDecision, err = cti.ParseDecision(msg.MaxDecision); err != nil || maxDecision == cti.DecisionPass {
			return nil, errorsmod.Wrapf(types.ErrInvalidException, "max_decision %q: want warn, hold or block", msg.MaxDecision)
		}
	}
	now := sdkCtx.BlockTime().Unix()
	if msg.Expires <= now {
		return nil, errorsmod.Wrapf(types.ErrInvalidException, "expires %d is not after the block time %d", msg.Expires, now)
	}
	if msg.Expires-now > params.MaxExceptionSeconds {
		return nil, errorsmod.Wrapf(types.ErrInvalidException, "expires in %d s, at most %d s (max_exception_seconds)", msg.Expires-now, params.MaxExceptionSeconds)
	}
	signer, _, err := addrutil.Parse(m.ac, msg.Signer)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	dec, err := m.ik.AuthorizeSubject(ctx, signer, types.ActionGateException, msg.Target, msg.Id)
	if err != nil {
		return nil, err
	}
	if !dec.Allowed || dec.OrgId == "" {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s may not %s on %q: %s", msg.Signer, types.ActionGateException, msg.Target, dec.Reason)
	}
	if dec.ApprovalsRequired > 0 && dec.ApprovalsHave < dec.ApprovalsRequired {
		return nil, errorsmod.Wrapf(types.ErrApprovalsRequired, "policy %s needs %d approvals of %s on %q for %q, have %d",
			dec.PolicyId, dec.ApprovalsRequired, types.ActionGateException, msg.Target, msg.Id, dec.ApprovalsHave)
	}
	existing, err := m.exceptions(ctx)
	if err != nil {
		return nil, err
	}
	// Replacing an exception on another target takes the right on that
	// target too: otherwise a narrow approver could end a wide exception.
	var kept []types.Exception
	var expired []string
	for _, e := range existing {
		switch {
		case e.Id == msg.Id:
			if e.Target != msg.Target {
				if _, err := m.authorize(ctx, msg.Signer, types.ActionGateException, e.Target); err != nil {
					return nil, errorsmod.Wrapf(err, "replacing exception %q on %q", e.Id, e.Target)
				}
			}
		case e.Expires <= now:
			expired = append(expired, e.Id)
		default:
			kept = append(kept, e)
		}
	}
	exc := types.Exception{
		Id: msg.Id, Target: msg.Target, Reason: msg.Reason, Approver: dec.PrincipalId, OrgId: dec.OrgId,
		Expires: msg.Expires, MaxDecision: maxDecision.String(), CreatedHeight: sdkCtx.BlockHeight(),
	}
	// pkg/cti's rules for the whole policy (count, lengths, expiry bound),
	// with expired exceptions pruned: they no longer act, their history is
	// in the events.
	gp, err := params.GatePolicy(0, append(kept, exc))
	if err != nil {
		return nil, err
	}
	if err := gp.Validate(now); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidException, err.Error())
	}
	for _, id := range expired {
		if err := m.Exceptions.Remove(ctx, id); err != nil {
			return nil, err
		}
	}
	if err := m.Exceptions.Set(ctx, msg.Id, exc); err != nil {
		return nil, err
	}
	v, err := m.bumpPolicyVersion(ctx)
	if err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventExceptionSet{
		Id: msg.Id, Target: msg.Target, Approver: dec.PrincipalId, Expires: msg.Expires, PolicyVersion: v,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSetExceptionResponse{PolicyVersion: v}, nil
}

// RemoveException ends an exception before it expires.
func (m msgServer) RemoveException(ctx context.Context, msg *types.MsgRemoveException) (*types.MsgRemoveExceptionResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	e, err := m.Exceptions.Get(ctx, msg.Id)
	if errorsIsNotFound(err) {
		return nil, errorsmod.Wrapf(types.ErrExceptionNotFound, "%q", msg.Id)
	}
	if err != nil {
		return nil, err
	}
	if e.Target != msg.Target {
		return nil, errorsmod.Wrapf(types.ErrInvalidException, "exception %q has target %q, not %q", msg.Id, e.Target, msg.Target)
	}
	dec, err := m.authorize(ctx, msg.Signer, types.ActionGateException, msg.Target)
	if err != nil {
		return nil, err
	}
	if err := m.Exceptions.Remove(ctx, msg.Id); err != nil {
		return nil, err
	}
	v, err := m.bumpPolicyVersion(ctx)
	if err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventExceptionRemoved{Id: msg.Id, By: dec.PrincipalId, PolicyVersion: v}); err != nil {
		return nil, err
	}
	return &types.MsgRemoveExceptionResponse{PolicyVersion: v}, nil
}

// UpdateParams replaces the params; it runs only inside a passed consortium
// proposal. Every change is a new policy version.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != m.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "invalid authority: expected %s, got %s", m.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := m.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	v, err := m.bumpPolicyVersion(ctx)
	if err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPolicyChanged{PolicyVersion: v}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{PolicyVersion: v}, nil
}
