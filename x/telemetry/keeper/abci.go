package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/telemetry"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

// EndBlocker expires unconfirmed alerts whose expiry has passed, in
// (expires at, incident id) order, at most max_expiries_per_block per
// block; the rest follow in the next blocks. The work runs in a cached
// context written only on success, and never fails the block: problems are
// logged and retried next block.
func (k Keeper) EndBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	cached, write := sdkCtx.CacheContext()
	if _, err := k.expireAlerts(cached); err != nil {
		k.Logger(ctx).Error("alert expiry failed; retrying next block", "error", err.Error())
		return nil
	}
	write()
	return nil
}

// expireAlerts processes the expiry queue and returns how many entries it
// took off it.
func (k Keeper) expireAlerts(ctx sdk.Context) (int, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	now := ctx.BlockTime().Unix()
	limit := int(params.MaxExpiriesPerBlock)
	var due []collections.Pair[int64, uint64]
	err = k.ExpiryQueue.Walk(ctx, nil, func(key collections.Pair[int64, uint64]) (bool, error) {
		if key.K1() > now || len(due) >= limit {
			return true, nil
		}
		due = append(due, key)
		return false, nil
	})
	if err != nil {
		return 0, err
	}
	for _, qk := range due {
		if err := k.ExpiryQueue.Remove(ctx, qk); err != nil {
			return 0, err
		}
		inc, err := k.Incidents.Get(ctx, qk.K2())
		if notFound(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if inc.Status != types.INCIDENT_STATUS_ALERT || inc.ExpiresAt != qk.K1() {
			continue // stale entry
		}
		if err := k.expireIncident(ctx, inc, now); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// expireIncident marks an unconfirmed alert expired (a false alarm), takes
// it off the queue and returns its device to normal.
func (k Keeper) expireIncident(ctx context.Context, inc types.Incident, now int64) error {
	if err := k.ExpiryQueue.Remove(ctx, collections.Join(inc.ExpiresAt, inc.Id)); err != nil {
		return err
	}
	inc.Status = types.INCIDENT_STATUS_EXPIRED
	inc.ExpiredTime = now
	if err := k.Incidents.Set(ctx, inc.Id, inc); err != nil {
		return err
	}
	if err := k.closeState(ctx, inc, types.LEVEL_ALERT, telemetry.ReasonExpired); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventIncidentExpired{IncidentId: inc.Id, DeviceId: inc.DeviceId})
}
