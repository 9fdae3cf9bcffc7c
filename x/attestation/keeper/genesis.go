package keeper

import (
	"context"
	"fmt"
	"sort"

	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/x/attestation/types"
)

// InitGenesis validates gs with the chain's address codec, loads it, and
// rebuilds the subject index and the provenance links by storing the
// attestations in sequence order, exactly as the handler did.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if gs == nil {
		return fmt.Errorf("%s genesis: missing", types.ModuleName)
	}
	if err := gs.ValidateWithAddressCodec(k.ac); err != nil {
		return fmt.Errorf("%s genesis: %w", types.ModuleName, err)
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, l := range gs.Logs {
		if err := k.Logs.Set(ctx, l.LogId, l); err != nil {
			return err
		}
	}
	for _, r := range gs.Roots {
		if err := k.Roots.Set(ctx, collections.Join(r.LogId, r.TreeSize), r); err != nil {
			return err
		}
	}
	atts := append([]types.Attestation(nil), gs.Attestations...)
	sort.Slice(atts, func(i, j int) bool { return atts[i].Sequence < atts[j].Sequence })
	var last uint64
	for _, a := range atts {
		if _, err := k.storeAttestation(ctx, a); err != nil {
			return err
		}
		last = a.Sequence
	}
	if err := k.LastSequence.Set(ctx, last); err != nil {
		return err
	}
	for _, u := range gs.DirectUsage {
		if err := k.DirectUsage.Set(ctx, u.OrgId, u); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis exports the state: logs by id, roots by (log id, tree
// size), attestations in sequence order, usage by organisation. The
// indexes are not exported; InitGenesis rebuilds them.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	if err := k.Logs.Walk(ctx, nil, func(_ string, l types.Log) (bool, error) {
		gs.Logs = append(gs.Logs, l)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Roots.Walk(ctx, nil, func(_ collections.Pair[string, uint64], r types.AnchoredRoot) (bool, error) {
		gs.Roots = append(gs.Roots, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Attestations.Walk(ctx, nil, func(_ []byte, a types.Attestation) (bool, error) {
		gs.Attestations = append(gs.Attestations, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	sort.Slice(gs.Attestations, func(i, j int) bool { return gs.Attestations[i].Sequence < gs.Attestations[j].Sequence })
	if err := k.DirectUsage.Walk(ctx, nil, func(_ string, u types.DirectAnchorUsage) (bool, error) {
		gs.DirectUsage = append(gs.DirectUsage, u)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
