package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/identity/types"
)

// InitGenesis validates gs with the chain's address codec, loads it, and
// rebuilds every index and the expiry queue. It creates the auth account of
// every ACTIVE key that lacks one (put auth before identity in the
// init-genesis order).
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if gs == nil {
		return fmt.Errorf("%s genesis: missing", types.ModuleName)
	}
	if err := gs.ValidateWithAddressCodec(k.AddressCodec()); err != nil {
		return fmt.Errorf("%s genesis: %w", types.ModuleName, err)
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, p := range gs.Principals {
		if err := k.setPrincipal(ctx, p); err != nil {
			return err
		}
	}
	for i, key := range gs.Keys {
		addr, canon, err := types.ParseAddress(k.AddressCodec(), key.Address)
		if err != nil {
			return fmt.Errorf("%s genesis: keys[%d].address: %w", types.ModuleName, i, err)
		}
		key.Address = canon
		if err := k.setNewKey(ctx, addr, key); err != nil {
			return err
		}
		if key.Status == types.KEY_STATUS_ACTIVE {
			k.ensureAccount(ctx, addr)
		}
	}
	for _, p := range gs.Policies {
		if err := k.setPolicy(ctx, p); err != nil {
			return err
		}
	}
	for _, a := range gs.Approvals {
		if err := k.Approvals.Set(ctx, collections.Join4(a.Action, a.Scope, a.Subject, a.PrincipalId), a); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis exports the whole state in key order (principals by id,
// keys by address bytes, policies by id, approvals by action, scope,
// subject, principal).
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	if err := k.Principals.Walk(ctx, nil, func(_ string, p types.Principal) (bool, error) {
		gs.Principals = append(gs.Principals, p)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Keys.Walk(ctx, nil, func(_ sdk.AccAddress, key types.Key) (bool, error) {
		gs.Keys = append(gs.Keys, key)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Policies.Walk(ctx, nil, func(_ string, p types.Policy) (bool, error) {
		gs.Policies = append(gs.Policies, p)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Approvals.Walk(ctx, nil, func(_ collections.Quad[string, string, string, string], a types.Approval) (bool, error) {
		gs.Approvals = append(gs.Approvals, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
