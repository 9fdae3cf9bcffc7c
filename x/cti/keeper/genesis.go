package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/x/cti/types"
)

// InitGenesis validates and loads gs and rebuilds the match index and the
// publisher index from the indicators.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if gs == nil {
		return fmt.Errorf("%s genesis: missing", types.ModuleName)
	}
	if err := gs.Validate(); err != nil {
		return fmt.Errorf("%s genesis: %w", types.ModuleName, err)
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.PolicyVersion.Set(ctx, gs.PolicyVersion); err != nil {
		return err
	}
	for _, r := range gs.Indicators {
		d := r.Indicator.ToDomain()
		if err := k.Indicators.Set(ctx, d.ID, r); err != nil {
			return err
		}
		if r.Status == types.INDICATOR_STATUS_ACTIVE {
			if err := k.indexAdd(ctx, d.IndexKey(), d.ID, r.Indicator.Package); err != nil {
				return err
			}
		}
		if err := k.ByPublisher.Set(ctx, collections.Join(d.Publisher, d.ID)); err != nil {
			return err
		}
	}
	for _, h := range gs.History {
		if err := k.History.Set(ctx, collections.Join(h.IndicatorId, h.Revision), h); err != nil {
			return err
		}
	}
	for _, s := range gs.Sightings {
		if err := k.Sightings.Set(ctx, collections.Join(s.IndicatorId, s.OrgId), s); err != nil {
			return err
		}
	}
	for _, e := range gs.Exceptions {
		if err := k.Exceptions.Set(ctx, e.Id, e); err != nil {
			return err
		}
	}
	for _, r := range gs.Reputations {
		if err := k.Reputations.Set(ctx, r.OrgId, r); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis exports the registry in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.PolicyVersion, err = k.policyVersion(ctx); err != nil {
		return nil, err
	}
	if err := k.Indicators.Walk(ctx, nil, func(_ string, r types.IndicatorRecord) (bool, error) {
		gs.Indicators = append(gs.Indicators, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.History.Walk(ctx, nil, func(_ collections.Pair[string, uint32], h types.HistoryEntry) (bool, error) {
		gs.History = append(gs.History, h)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Sightings.Walk(ctx, nil, func(_ collections.Pair[string, string], s types.Sighting) (bool, error) {
		gs.Sightings = append(gs.Sightings, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.Exceptions, err = k.exceptions(ctx); err != nil {
		return nil, err
	}
	if err := k.Reputations.Walk(ctx, nil, func(_ string, r types.Reputation) (bool, error) {
		gs.Reputations = append(gs.Reputations, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
