package keeper

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// InitGenesis validates gs with the chain's address codec, loads it,
// rebuilds every index and the expiry queue, and returns the initial
// validator set (ACTIVE validators, by name), which it records as last sent.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) ([]abci.ValidatorUpdate, error) {
	if gs == nil {
		return nil, fmt.Errorf("%s genesis: missing", types.ModuleName)
	}
	if err := gs.ValidateWithAddressCodec(k.AddressCodec()); err != nil {
		return nil, fmt.Errorf("%s genesis: %w", types.ModuleName, err)
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return nil, err
	}
	for i, org := range gs.Organizations {
		_, admins, err := types.ValidateAdmins(k.AddressCodec(), org.Admins, k.authority)
		if err != nil {
			return nil, fmt.Errorf("%s genesis: organizations[%d].%w", types.ModuleName, i, err)
		}
		org.Admins = admins // canonical form
		if err := k.OrgNames.Set(ctx, types.OrgNameKey(org.Name), org.Id); err != nil {
			return nil, err
		}
		if err := k.setOrg(ctx, org); err != nil {
			return nil, err
		}
	}
	for i, v := range gs.Validators {
		pk, keyType, _, err := types.ConsensusPubKeyFromAny(v.PubKey)
		if err != nil {
			return nil, fmt.Errorf("%s genesis: validators[%d].pub_key: %w", types.ModuleName, i, err)
		}
		if err := checkKeyTypeAllowed(ctx, keyType); err != nil {
			return nil, fmt.Errorf("%s genesis: validators[%d].pub_key: %w", types.ModuleName, i, err)
		}
		if err := k.Validators.Set(ctx, v.Name, v); err != nil {
			return nil, err
		}
		if err := k.ConsAddresses.Set(ctx, pk.Address(), v.Name); err != nil {
			return nil, err
		}
	}
	for _, p := range gs.Proposals {
		if err := k.Proposals.Set(ctx, p.Id, p); err != nil {
			return nil, err
		}
		if p.Status == types.PROPOSAL_STATUS_VOTING {
			if err := k.ExpiryQueue.Set(ctx, collections.Join(p.VotingEndTime, p.Id)); err != nil {
				return nil, err
			}
		}
	}
	for _, v := range gs.Votes {
		if err := k.Votes.Set(ctx, collections.Join(v.ProposalId, v.OrgId), v); err != nil {
			return nil, err
		}
	}
	if err := k.NextProposalID.Set(ctx, gs.NextProposalId); err != nil {
		return nil, err
	}

	// the initial set: every ACTIVE validator, in name order
	if err := k.LastPowers.Clear(ctx, nil); err != nil {
		return nil, err
	}
	var updates []abci.ValidatorUpdate
	var lvps []types.LastValidatorPower
	err := k.Validators.Walk(ctx, nil, func(name string, v types.Validator) (bool, error) {
		p := v.EffectivePower()
		if p <= 0 {
			return false, nil
		}
		u, err := toUpdate(v.PubKey, p)
		if err != nil {
			return true, fmt.Errorf("validator %q: %w", name, err)
		}
		updates = append(updates, u)
		lvps = append(lvps, types.LastValidatorPower{Name: name, PubKey: v.PubKey, Power: p})
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s genesis: %w", types.ModuleName, err)
	}
	for _, l := range lvps {
		if err := k.LastPowers.Set(ctx, l.Name, l); err != nil {
			return nil, err
		}
	}
	if len(updates) == 0 {
		return nil, fmt.Errorf("%s genesis: validators: no ACTIVE validator with power > 0", types.ModuleName)
	}
	return updates, nil
}

// ExportGenesis exports the whole state in key order (organisations by id,
// validators by name, proposals by id, votes by proposal then org).
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	if err := k.Organizations.Walk(ctx, nil, func(_ string, org types.Organization) (bool, error) {
		gs.Organizations = append(gs.Organizations, org)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Validators.Walk(ctx, nil, func(_ string, v types.Validator) (bool, error) {
		gs.Validators = append(gs.Validators, v)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Proposals.Walk(ctx, nil, func(_ uint64, p types.Proposal) (bool, error) {
		gs.Proposals = append(gs.Proposals, p)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Votes.Walk(ctx, nil, func(_ collections.Pair[uint64, string], v types.Vote) (bool, error) {
		gs.Votes = append(gs.Votes, v)
		return false, nil
	}); err != nil {
		return nil, err
	}
	next, err := k.NextProposalID.Peek(ctx)
	if err != nil {
		return nil, err
	}
	if next < 1 {
		next = 1
	}
	gs.NextProposalId = next
	return gs, nil
}
