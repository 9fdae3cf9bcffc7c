package keeper

import (
	"context"
	"slices"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// powerView is the effective (CometBFT) power of the whole set and the part
// held by validators of ACTIVE organisations.
type powerView struct {
	total  int64
	active int64
}

// margin is active*3 - total*2; the 2/3 rule requires margin > 0.
func (p powerView) margin() int64 { return p.active*3 - p.total*2 }

// powerChange describes a hypothetical change for checkPowerRule:
// validators replaced (nil = removed), validators added and organisation
// status changes.
type powerChange struct {
	validators map[string]*types.Validator
	added      []types.Validator
	orgStatus  map[string]types.OrgStatus
}

// powerViews returns the power view now and after change. Maps are only
// looked up, never iterated, so the result is deterministic.
func (k Keeper) powerViews(ctx context.Context, change powerChange) (before, after powerView, err error) {
	orgStatus := make(map[string]types.OrgStatus)
	statusOf := func(id string) (types.OrgStatus, types.OrgStatus, error) {
		now, ok := orgStatus[id]
		if !ok {
			org, err := k.Organizations.Get(ctx, id)
			if err != nil {
				// A validator whose organisation is missing counts as
				// belonging to a non-active organisation.
				now = types.ORG_STATUS_UNSPECIFIED
			} else {
				now = org.Status
			}
			orgStatus[id] = now
		}
		next := now
		if s, ok := change.orgStatus[id]; ok {
			next = s
		}
		return now, next, nil
	}
	add := func(view *powerView, v types.Validator, st types.OrgStatus) {
		p := v.EffectivePower()
		view.total += p
		if st == types.ORG_STATUS_ACTIVE {
			view.active += p
		}
	}
	err = k.Validators.Walk(ctx, nil, func(name string, v types.Validator) (bool, error) {
		now, next, err := statusOf(v.OrgId)
		if err != nil {
			return true, err
		}
		add(&before, v, now)
		if repl, ok := change.validators[name]; ok {
			if repl == nil {
				return false, nil
			}
			_, next, err = statusOf(repl.OrgId)
			if err != nil {
				return true, err
			}
			add(&after, *repl, next)
			return false, nil
		}
		if next == types.ORG_STATUS_REMOVED {
			// removing an organisation removes its validators
			return false, nil
		}
		add(&after, v, next)
		return false, nil
	})
	if err != nil {
		return before, after, err
	}
	for _, v := range change.added {
		_, next, err := statusOf(v.OrgId)
		if err != nil {
			return before, after, err
		}
		add(&after, v, next)
	}
	return before, after, nil
}

// checkPowerRule rejects a change that would empty the validator set or
// leave validators of active organisations with no more than 2/3 of the
// power (active*3 <= total*2). A change that strictly improves an already
// broken state (for instance after a jailing) is allowed, so the consortium
// can always recover.
func (k Keeper) checkPowerRule(ctx context.Context, change powerChange) error {
	before, after, err := k.powerViews(ctx, change)
	if err != nil {
		return err
	}
	if after.total <= 0 {
		return errorsmod.Wrap(types.ErrEmptyValidatorSet, "no validator would have power")
	}
	if after.margin() > 0 {
		return nil
	}
	if before.margin() <= 0 && after.margin() > before.margin() {
		return nil
	}
	return errorsmod.Wrapf(types.ErrActivePowerTooLow,
		"active organizations would hold %d of %d power; more than 2/3 is required", after.active, after.total)
}

// checkKeyTypeAllowed rejects a consensus key type that the chain's
// consensus params do not accept: CometBFT would halt at the update.
func checkKeyTypeAllowed(ctx context.Context, keyType string) error {
	cp := sdk.UnwrapSDKContext(ctx).ConsensusParams()
	if cp.Validator == nil || len(cp.Validator.PubKeyTypes) == 0 {
		return nil
	}
	if slices.Contains(cp.Validator.PubKeyTypes, keyType) {
		return nil
	}
	return errorsmod.Wrapf(types.ErrUnsupportedPubKey,
		"key type %s is not in the consensus params' validator.pub_key_types %v", keyType, cp.Validator.PubKeyTypes)
}
