package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/identity/types"
)

// EndBlocker marks ACTIVE keys whose not_after <= block time EXPIRED, in
// (not_after, address) order, at most max_expirations_per_block per block;
// the rest follow in the next blocks. Authorize checks time itself, so
// correctness never depends on this pruning. It never fails the block:
// problems are logged and retried next block.
func (k Keeper) EndBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if _, err := k.expireKeys(sdkCtx); err != nil {
		k.Logger(ctx).Error("key expiry failed; retrying next block", "error", err.Error())
	}
	return nil
}

// expireKeys processes the expiry queue and returns how many entries it
// took off the queue.
func (k Keeper) expireKeys(ctx sdk.Context) (int, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	now := ctx.BlockTime()
	limit := int(params.MaxExpirationsPerBlock)
	var due []collections.Pair[time.Time, sdk.AccAddress]
	err = k.ExpiryQueue.Walk(ctx, nil, func(key collections.Pair[time.Time, sdk.AccAddress]) (bool, error) {
		if key.K1().After(now) || len(due) >= limit {
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
		addr := qk.K2()
		key, found, err := k.KeyInfo(ctx, addr)
		if err != nil {
			return 0, err
		}
		if !found || key.Status != types.KEY_STATUS_ACTIVE || !key.NotAfter.Equal(qk.K1()) {
			continue // stale entry
		}
		key.Status = types.KEY_STATUS_EXPIRED
		if err := k.Keys.Set(ctx, addr, key); err != nil {
			return 0, err
		}
		if err := ctx.EventManager().EmitTypedEvent(&types.EventKeyExpired{
			Address: key.Address, PrincipalId: key.PrincipalId, NotAfter: key.NotAfter,
		}); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
