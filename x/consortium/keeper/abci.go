package keeper

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/core/comet"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// BeginBlocker jails ACTIVE validators that CometBFT reports for
// equivocation (duplicate vote or light-client attack). A jailed validator
// keeps its configured power in state but EndBlocker sends 0 for it. It
// never fails the block: problems are logged and skipped.
func (k Keeper) BeginBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	info := sdkCtx.CometInfo()
	if info == nil {
		return nil
	}
	evidence := info.GetEvidence()
	if evidence == nil {
		return nil
	}
	for i := 0; i < evidence.Len(); i++ {
		ev := evidence.Get(i)
		if ev == nil {
			continue
		}
		var kind string
		switch ev.Type() {
		case comet.DuplicateVote:
			kind = "DUPLICATE_VOTE"
		case comet.LightClientAttack:
			kind = "LIGHT_CLIENT_ATTACK"
		default:
			k.Logger(ctx).Info("ignored evidence of unknown type", "type", int32(ev.Type()))
			continue
		}
		if err := k.handleEquivocation(sdkCtx, ev, kind); err != nil {
			k.Logger(ctx).Error("cannot handle evidence", "type", kind, "error", err.Error())
		}
	}
	return nil
}

func (k Keeper) handleEquivocation(ctx sdk.Context, ev comet.Evidence, kind string) error {
	val := ev.Validator()
	if val == nil {
		return nil
	}
	addr := val.Address()
	name, err := k.ConsAddresses.Get(ctx, addr)
	if err != nil {
		// unknown address (or a key rotated away): ignore
		return nil
	}
	v, err := k.Validators.Get(ctx, name)
	if err != nil {
		return fmt.Errorf("cons index points to missing validator %q: %w", name, err)
	}
	if v.Status != types.VALIDATOR_STATUS_ACTIVE {
		return nil
	}
	var total int64
	if err := k.Validators.Walk(ctx, nil, func(n string, other types.Validator) (bool, error) {
		if n != name {
			total += other.EffectivePower()
		}
		return false, nil
	}); err != nil {
		return err
	}
	removed := v.EffectivePower()
	if total <= 0 {
		k.Logger(ctx).Error("misbehaving validator NOT jailed: it is the only validator with power",
			"validator", v.Name, "cons_address", v.ConsAddress, "type", kind, "height", ev.Height())
		removed = 0
	} else {
		v.Status = types.VALIDATOR_STATUS_JAILED
		if err := k.Validators.Set(ctx, v.Name, v); err != nil {
			return err
		}
		k.Logger(ctx).Info("validator jailed for misbehaviour",
			"validator", v.Name, "cons_address", v.ConsAddress, "type", kind, "height", ev.Height())
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventValidatorMisbehaviour{
		Name:             v.Name,
		ConsAddress:      v.ConsAddress,
		MisbehaviorType:  kind,
		InfractionHeight: ev.Height(),
		RemovedPower:     removed,
	})
}

// EndBlocker expires proposals whose voting ended and returns the
// validator-set changes since the last update (nil when nothing changed).
// It never panics and does not fail the block for bad entries: they are
// logged and skipped.
func (k Keeper) EndBlocker(ctx context.Context) ([]abci.ValidatorUpdate, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := k.expireProposals(sdkCtx); err != nil {
		k.Logger(ctx).Error("proposal expiry failed; retrying next block", "error", err.Error())
	}
	updates, err := k.validatorUpdates(sdkCtx)
	if err != nil {
		k.Logger(ctx).Error("validator updates failed; none sent this block", "error", err.Error())
		return nil, nil
	}
	return updates, nil
}

// desiredEntry is one validator CometBFT should have.
type desiredEntry struct {
	name  string
	lvp   types.LastValidatorPower
	proto abci.ValidatorUpdate
}

// validatorUpdates diffs the desired set (ACTIVE validators with their
// power, by name) against what CometBFT was last sent, records the new
// last-sent set and returns the updates in name order.
func (k Keeper) validatorUpdates(ctx sdk.Context) ([]abci.ValidatorUpdate, error) {
	var desired []desiredEntry
	var total int64
	err := k.Validators.Walk(ctx, nil, func(name string, v types.Validator) (bool, error) {
		p := v.EffectivePower()
		if p <= 0 {
			return false, nil
		}
		u, err := toUpdate(v.PubKey, p)
		if err != nil {
			k.Logger(ctx).Error("skipping validator with unusable key", "validator", name, "error", err.Error())
			return false, nil
		}
		desired = append(desired, desiredEntry{
			name:  name,
			lvp:   types.LastValidatorPower{Name: name, PubKey: v.PubKey, Power: p},
			proto: u,
		})
		total += p
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if total <= 0 {
		return nil, fmt.Errorf("desired validator set is empty; keeping the current set")
	}
	var last []types.LastValidatorPower
	if err := k.LastPowers.Walk(ctx, nil, func(_ string, l types.LastValidatorPower) (bool, error) {
		last = append(last, l)
		return false, nil
	}); err != nil {
		return nil, err
	}

	var (
		updates []abci.ValidatorUpdate
		index   = make(map[string]int) // key → position in updates (lookups only)
		sets    []types.LastValidatorPower
		removes []string
	)
	emit := func(u abci.ValidatorUpdate) {
		key := u.PubKey.String()
		if i, ok := index[key]; ok {
			// the same key twice (removed from one validator, given to
			// another in the same block): CometBFT rejects duplicates, so
			// keep a single entry with the surviving power.
			if u.Power > 0 {
				updates[i].Power = u.Power
			}
			return
		}
		index[key] = len(updates)
		updates = append(updates, u)
	}
	zero := func(l types.LastValidatorPower) {
		u, err := toUpdate(l.PubKey, 0)
		if err != nil {
			k.Logger(ctx).Error("cannot zero last-sent key", "validator", l.Name, "error", err.Error())
			return
		}
		emit(u)
	}

	i, j := 0, 0
	for i < len(desired) || j < len(last) {
		switch {
		case j >= len(last) || (i < len(desired) && desired[i].name < last[j].Name):
			d := desired[i]
			emit(d.proto)
			sets = append(sets, d.lvp)
			i++
		case i >= len(desired) || last[j].Name < desired[i].name:
			l := last[j]
			zero(l)
			removes = append(removes, l.Name)
			j++
		default:
			d, l := desired[i], last[j]
			sameKey := l.PubKey != nil && d.lvp.PubKey != nil &&
				l.PubKey.TypeUrl == d.lvp.PubKey.TypeUrl && string(l.PubKey.Value) == string(d.lvp.PubKey.Value)
			switch {
			case !sameKey:
				zero(l)
				emit(d.proto)
				sets = append(sets, d.lvp)
			case l.Power != d.lvp.Power:
				emit(d.proto)
				sets = append(sets, d.lvp)
			}
			i++
			j++
		}
	}
	for _, name := range removes {
		if err := k.LastPowers.Remove(ctx, name); err != nil {
			return nil, err
		}
	}
	for _, l := range sets {
		if err := k.LastPowers.Set(ctx, l.Name, l); err != nil {
			return nil, err
		}
	}
	if len(updates) == 0 {
		return nil, nil
	}
	return updates, nil
}

// toUpdate converts a packed SDK consensus key into a CometBFT update.
func toUpdate(a *codectypes.Any, power int64) (abci.ValidatorUpdate, error) {
	pk, err := types.PubKeyFromAny(a)
	if err != nil {
		return abci.ValidatorUpdate{}, err
	}
	if _, err := types.ValidateConsensusPubKey(pk); err != nil {
		return abci.ValidatorUpdate{}, err
	}
	cpk, err := cryptocodec.ToCmtProtoPublicKey(pk)
	if err != nil {
		return abci.ValidatorUpdate{}, err
	}
	return abci.ValidatorUpdate{PubKey: cpk, Power: power}, nil
}
