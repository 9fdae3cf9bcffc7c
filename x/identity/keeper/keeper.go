package keeper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/identity/types"
)

// Keeper owns the identity state: principals, their short-lived keys,
// per-action policies and approvals.
type Keeper struct {
	cdc          codec.Codec
	storeService corestore.KVStoreService
	ak           types.AccountKeeper
	ck           types.ConsortiumKeeper
	authority    string

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Principals: principal id ("<org>/<name>") → principal.
	Principals collections.Map[string, types.Principal]
	// PrincipalsByOrg: (org id, principal id), for listing an organisation's principals.
	PrincipalsByOrg collections.KeySet[collections.Pair[string, string]]
	// Keys: key address → key (revoked and expired keys are kept for audits).
	Keys collections.Map[sdk.AccAddress, types.Key]
	// KeysByPrincipal: (principal id, key address).
	KeysByPrincipal collections.KeySet[collections.Pair[string, sdk.AccAddress]]
	// ExpiryQueue: (not_after, key address) of ACTIVE keys.
	ExpiryQueue collections.KeySet[collections.Pair[time.Time, sdk.AccAddress]]
	// Policies: policy id → policy.
	Policies collections.Map[string, types.Policy]
	// PoliciesByAction: (action, policy id), so Authorize reads only the
	// policies of the action asked about, in id order.
	PoliciesByAction collections.KeySet[collections.Pair[string, string]]
	// Approvals: (action, scope, subject, principal id) → approval.
	Approvals collections.Map[collections.Quad[string, string, string, string], types.Approval]
}

// NewKeeper builds the keeper. ak is x/auth's keeper (it creates an account
// for every registered key), ck x/consortium's keeper (organisation admins
// and status), authority the bech32 address whose messages only an
// approved consortium proposal can send.
func NewKeeper(
	cdc codec.Codec,
	storeService corestore.KVStoreService,
	ak types.AccountKeeper,
	ck types.ConsortiumKeeper,
	authority string,
) Keeper {
	if ak == nil {
		panic("identity: nil account keeper")
	}
	if ck == nil {
		panic("identity: nil consortium keeper")
	}
	if _, err := ak.AddressCodec().StringToBytes(authority); err != nil {
		panic(fmt.Errorf("identity: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:              cdc,
		storeService:     storeService,
		ak:               ak,
		ck:               ck,
		authority:        authority,
		Params:           collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Principals:       collections.NewMap(sb, types.PrincipalsKey, "principals", collections.StringKey, codec.CollValue[types.Principal](cdc)),
		PrincipalsByOrg:  collections.NewKeySet(sb, types.PrincipalsByOrgKey, "principals_by_org", collections.PairKeyCodec(collections.StringKey, collections.StringKey)),
		Keys:             collections.NewMap(sb, types.KeysKey, "keys", sdk.AccAddressKey, codec.CollValue[types.Key](cdc)),
		KeysByPrincipal:  collections.NewKeySet(sb, types.KeysByPrincipalKey, "keys_by_principal", collections.PairKeyCodec(collections.StringKey, sdk.AccAddressKey)),
		ExpiryQueue:      collections.NewKeySet(sb, types.KeyExpiryQueueKey, "key_expiry_queue", collections.PairKeyCodec(sdk.TimeKey, sdk.AccAddressKey)),
		Policies:         collections.NewMap(sb, types.PoliciesKey, "policies", collections.StringKey, codec.CollValue[types.Policy](cdc)),
		PoliciesByAction: collections.NewKeySet(sb, types.PoliciesByActionKey, "policies_by_action", collections.PairKeyCodec(collections.StringKey, collections.StringKey)),
		Approvals: collections.NewMap(sb, types.ApprovalsKey, "approvals",
			collections.QuadKeyCodec(collections.StringKey, collections.StringKey, collections.StringKey, collections.StringKey),
			codec.CollValue[types.Approval](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// GetAuthority returns the address whose messages run only through an
// approved consortium proposal.
func (k Keeper) GetAuthority() string { return k.authority }

// AddressCodec returns the account address codec (nil for a zero Keeper).
func (k Keeper) AddressCodec() address.Codec {
	if k.ak == nil {
		return nil
	}
	return k.ak.AddressCodec()
}

// Logger returns the module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetParams returns the params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}

// KeyInfo returns the key registered at addr, whatever its status.
func (k Keeper) KeyInfo(ctx context.Context, addr sdk.AccAddress) (types.Key, bool, error) {
	key, err := k.Keys.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Key{}, false, nil
	}
	if err != nil {
		return types.Key{}, false, err
	}
	return key, true, nil
}

// IsRegisteredKey reports whether addr is a registered key, whatever its
// status (a store error counts as not registered).
func (k Keeper) IsRegisteredKey(ctx context.Context, addr sdk.AccAddress) bool {
	has, err := k.Keys.Has(ctx, addr)
	return err == nil && has
}

// checkAuthority rejects a message whose authority is not the module's.
func (k Keeper) checkAuthority(got string) error {
	if got != k.authority {
		return errorsmod.Wrapf(types.ErrUnauthorized, "invalid authority: expected %s, got %s", k.authority, got)
	}
	return nil
}

// getPrincipal returns a principal or ErrPrincipalNotFound.
func (k Keeper) getPrincipal(ctx context.Context, id string) (types.Principal, error) {
	p, err := k.Principals.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return p, errorsmod.Wrapf(types.ErrPrincipalNotFound, "%q", id)
	}
	return p, err
}

// addrString renders an address with the chain's codec (hex if it fails).
func (k Keeper) addrString(addr sdk.AccAddress) string {
	if ac := k.AddressCodec(); ac != nil {
		if s, err := ac.BytesToString(addr); err == nil {
			return s
		}
	}
	return fmt.Sprintf("%X", []byte(addr))
}

// ensureAccount creates an auth account for addr if it has none: without a
// bank module nothing else would, and the ante chain needs one to verify a
// signature.
func (k Keeper) ensureAccount(ctx context.Context, addr sdk.AccAddress) {
	if k.ak.HasAccount(ctx, addr) {
		return
	}
	acc := k.ak.NewAccountWithAddress(ctx, addr)
	k.ak.SetAccount(ctx, acc)
}

// setPrincipal stores p and its organisation index entry.
func (k Keeper) setPrincipal(ctx context.Context, p types.Principal) error {
	if err := k.Principals.Set(ctx, p.Id, p); err != nil {
		return err
	}
	return k.PrincipalsByOrg.Set(ctx, collections.Join(p.OrgId, p.Id))
}

// setNewKey stores a key with its principal index entry and, if ACTIVE,
// its expiry queue entry.
func (k Keeper) setNewKey(ctx context.Context, addr sdk.AccAddress, key types.Key) error {
	if err := k.Keys.Set(ctx, addr, key); err != nil {
		return err
	}
	if err := k.KeysByPrincipal.Set(ctx, collections.Join(key.PrincipalId, addr)); err != nil {
		return err
	}
	if key.Status == types.KEY_STATUS_ACTIVE {
		return k.ExpiryQueue.Set(ctx, collections.Join(key.NotAfter, addr))
	}
	return nil
}

// setPolicy stores p and its action index entry, replacing an older
// version of the same id.
func (k Keeper) setPolicy(ctx context.Context, p types.Policy) error {
	old, err := k.Policies.Get(ctx, p.Id)
	switch {
	case err == nil:
		if err := k.PoliciesByAction.Remove(ctx, collections.Join(old.Action, old.Id)); err != nil {
			return err
		}
	case !errors.Is(err, collections.ErrNotFound):
		return err
	}
	if err := k.Policies.Set(ctx, p.Id, p); err != nil {
		return err
	}
	return k.PoliciesByAction.Set(ctx, collections.Join(p.Action, p.Id))
}

// revokeKey marks key REVOKED at the current block and drops it from the
// expiry queue. The caller checked the signer's right.
func (k Keeper) revokeKey(ctx sdk.Context, addr sdk.AccAddress, key types.Key, by, reason string) error {
	now := ctx.BlockTime()
	key.Status = types.KEY_STATUS_REVOKED
	key.RevokedHeight = ctx.BlockHeight()
	key.RevokedTime = &now
	key.RevokedBy = by
	key.RevocationReason = reason
	if err := k.Keys.Set(ctx, addr, key); err != nil {
		return err
	}
	if err := k.ExpiryQueue.Remove(ctx, collections.Join(key.NotAfter, addr)); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventKeyRevoked{
		Address: key.Address, PrincipalId: key.PrincipalId, OrgId: key.OrgId, RevokedBy: by, Reason: reason,
	})
}
