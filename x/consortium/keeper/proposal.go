package keeper

import (
	"errors"
	"fmt"
	"time"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// countActiveOrgs returns the number of ACTIVE organisations now.
func (k Keeper) countActiveOrgs(ctx sdk.Context) (uint64, error) {
	var n uint64
	err := k.Organizations.Walk(ctx, nil, func(_ string, org types.Organization) (bool, error) {
		if org.Status == types.ORG_STATUS_ACTIVE {
			n++
		}
		return false, nil
	})
	return n, err
}

// tally counts the YES and NO votes on a proposal from organisations that
// are active now, and the number of active organisations.
func (k Keeper) tally(ctx sdk.Context, id uint64) (yes, no, active uint64, err error) {
	active, err = k.countActiveOrgs(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	rng := collections.NewPrefixedPairRange[uint64, string](id)
	err = k.Votes.Walk(ctx, rng, func(key collections.Pair[uint64, string], v types.Vote) (bool, error) {
		org, err := k.Organizations.Get(ctx, key.K2())
		if err != nil || org.Status != types.ORG_STATUS_ACTIVE {
			return false, nil
		}
		switch v.Option {
		case types.VOTE_OPTION_YES:
			yes++
		case types.VOTE_OPTION_NO:
			no++
		}
		return false, nil
	})
	return yes, no, active, err
}

// tallyAndMaybeFinalize re-tallies a VOTING proposal. It passes (and
// executes) when yes*den >= num*active, and is rejected once
// (active-no)*den < num*active, i.e. the threshold can no longer be met.
func (k Keeper) tallyAndMaybeFinalize(ctx sdk.Context, p types.Proposal) (types.ProposalStatus, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return p.Status, err
	}
	yes, no, active, err := k.tally(ctx, p.Id)
	if err != nil {
		return p.Status, err
	}
	p.YesOrgs, p.NoOrgs = uint32(yes), uint32(no)
	num, den := uint64(params.ThresholdNumerator), uint64(params.ThresholdDenominator)
	switch {
	case active > 0 && yes*den >= num*active:
		return k.execute(ctx, p)
	case no > active || (active-no)*den < num*active:
		return types.PROPOSAL_STATUS_REJECTED, k.finalize(ctx, p, types.PROPOSAL_STATUS_REJECTED, "")
	default:
		return p.Status, k.Proposals.Set(ctx, p.Id, p)
	}
}

// execute runs the messages of a passed proposal in order in a cache
// context. All succeed: the writes are committed and the inner events
// emitted, PASSED. One fails: nothing is applied, FAILED with the error.
func (k Keeper) execute(ctx sdk.Context, p types.Proposal) (types.ProposalStatus, error) {
	var (
		events    sdk.Events
		execErr   error
		cacheCtx  sdk.Context
		writeFunc func()
	)
	msgs, err := p.GetMsgs()
	if err != nil {
		execErr = err
	} else {
		cacheCtx, writeFunc = ctx.CacheContext()
		for i, msg := range msgs {
			var handler baseapp.MsgServiceHandler
			if k.router != nil {
				handler = k.router.Handler(msg)
			}
			if handler == nil {
				execErr = fmt.Errorf("messages[%d]: no handler for %s", i, sdk.MsgTypeURL(msg))
				break
			}
			res, err := safeExecute(cacheCtx, msg, handler)
			if err != nil {
				execErr = fmt.Errorf("messages[%d] (%s): %w", i, sdk.MsgTypeURL(msg), err)
				break
			}
			for _, ev := range res.GetEvents() {
				events = append(events, sdk.Event(ev))
			}
		}
	}
	if execErr != nil {
		k.Logger(ctx).Info("passed proposal failed to execute", "proposal", p.Id, "error", execErr.Error())
		return types.PROPOSAL_STATUS_FAILED, k.finalize(ctx, p, types.PROPOSAL_STATUS_FAILED, types.TruncateReason(execErr.Error()))
	}
	writeFunc()
	ctx.EventManager().EmitEvents(events)
	return types.PROPOSAL_STATUS_PASSED, k.finalize(ctx, p, types.PROPOSAL_STATUS_PASSED, "")
}

// safeExecute turns a panic in a message handler into an error.
func safeExecute(ctx sdk.Context, msg sdk.Msg, handler baseapp.MsgServiceHandler) (res *sdk.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return handler(ctx, msg)
}

// finalize records a final status, takes the proposal off the expiry queue
// and emits EventProposalFinalized. The proposal and its votes stay queryable.
func (k Keeper) finalize(ctx sdk.Context, p types.Proposal, status types.ProposalStatus, reason string) error {
	p.Status = status
	p.FinalHeight = ctx.BlockHeight()
	p.FailureReason = reason
	if err := k.Proposals.Set(ctx, p.Id, p); err != nil {
		return err
	}
	if err := k.ExpiryQueue.Remove(ctx, collections.Join(p.VotingEndTime, p.Id)); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventProposalFinalized{
		ProposalId: p.Id, Status: status, FailureReason: reason,
	})
}

// expireProposals marks VOTING proposals whose voting ended (end time <=
// block time) EXPIRED, at most max_expirations_per_block per block; the
// rest wait for the next block.
func (k Keeper) expireProposals(ctx sdk.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	limit := int(params.MaxExpirationsPerBlock)
	now := ctx.BlockTime()
	var queue []collections.Pair[time.Time, uint64]
	err = k.ExpiryQueue.Walk(ctx, nil, func(key collections.Pair[time.Time, uint64]) (bool, error) {
		if key.K1().After(now) || len(queue) >= limit {
			return true, nil
		}
		queue = append(queue, key)
		return false, nil
	})
	if err != nil {
		return err
	}
	for _, key := range queue {
		p, err := k.Proposals.Get(ctx, key.K2())
		if err != nil || p.Status != types.PROPOSAL_STATUS_VOTING {
			if err != nil && !errors.Is(err, collections.ErrNotFound) {
				k.Logger(ctx).Error("expiry queue: cannot load proposal", "proposal", key.K2(), "error", err.Error())
			}
			if err := k.ExpiryQueue.Remove(ctx, key); err != nil {
				return err
			}
			continue
		}
		if !p.VotingEndTime.Equal(key.K1()) {
			// stale entry; the proposal's own entry is elsewhere in the queue
			if err := k.ExpiryQueue.Remove(ctx, key); err != nil {
				return err
			}
			continue
		}
		if err := k.finalize(ctx, p, types.PROPOSAL_STATUS_EXPIRED, ""); err != nil {
			return err
		}
	}
	return nil
}
