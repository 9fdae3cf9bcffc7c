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

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// Keeper owns the consortium state: member organisations, the validator
// set, proposals and votes.
type Keeper struct {
	cdc          codec.Codec
	storeService corestore.KVStoreService
	ak           types.AccountKeeper
	router       baseapp.MessageRouter
	authority    string

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Organizations: org id → organisation.
	Organizations collections.Map[string, types.Organization]
	// OrgNames: lower-cased name → org id (names are unique case-insensitively).
	OrgNames collections.Map[string, string]
	// Admins: admin address → org id for every organisation that is not
	// removed (an admin belongs to at most one organisation).
	Admins collections.Map[sdk.AccAddress, string]
	// ActiveMembers: admin address → org id, only for ACTIVE organisations.
	// IsActiveMember is a single lookup here.
	ActiveMembers collections.Map[sdk.AccAddress, string]
	// Validators: name → validator.
	Validators collections.Map[string, types.Validator]
	// ConsAddresses: CometBFT address bytes → validator name.
	ConsAddresses collections.Map[[]byte, string]
	// LastPowers: name → what CometBFT was last sent for that validator.
	LastPowers collections.Map[string, types.LastValidatorPower]
	// Proposals: id → proposal (kept after finalisation).
	Proposals collections.Map[uint64, types.Proposal]
	// Votes: (proposal id, org id) → vote.
	Votes collections.Map[collections.Pair[uint64, string], types.Vote]
	// ExpiryQueue: (voting end time, proposal id) of VOTING proposals.
	ExpiryQueue collections.KeySet[collections.Pair[time.Time, uint64]]
	// NextProposalID is the id the next proposal gets.
	NextProposalID collections.Sequence
}

// NewKeeper builds the keeper. router is the app's *baseapp.MsgServiceRouter
// (proposals execute through it); authority is the bech32 address whose
// messages only an approved proposal can send.
func NewKeeper(
	cdc codec.Codec,
	storeService corestore.KVStoreService,
	ak types.AccountKeeper,
	router baseapp.MessageRouter,
	authority string,
) Keeper {
	if ak == nil {
		panic("consortium: nil account keeper")
	}
	if _, err := ak.AddressCodec().StringToBytes(authority); err != nil {
		panic(fmt.Errorf("consortium: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:            cdc,
		storeService:   storeService,
		ak:             ak,
		router:         router,
		authority:      authority,
		Params:         collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Organizations:  collections.NewMap(sb, types.OrganizationsKey, "organizations", collections.StringKey, codec.CollValue[types.Organization](cdc)),
		OrgNames:       collections.NewMap(sb, types.OrgNameIndexKey, "org_names", collections.StringKey, collections.StringValue),
		Admins:         collections.NewMap(sb, types.AdminIndexKey, "admins", sdk.AccAddressKey, collections.StringValue),
		ActiveMembers:  collections.NewMap(sb, types.ActiveMemberIndexKey, "active_members", sdk.AccAddressKey, collections.StringValue),
		Validators:     collections.NewMap(sb, types.ValidatorsKey, "validators", collections.StringKey, codec.CollValue[types.Validator](cdc)),
		ConsAddresses:  collections.NewMap(sb, types.ConsAddressIndexKey, "cons_addresses", collections.BytesKey, collections.StringValue),
		LastPowers:     collections.NewMap(sb, types.LastPowersKey, "last_powers", collections.StringKey, codec.CollValue[types.LastValidatorPower](cdc)),
		Proposals:      collections.NewMap(sb, types.ProposalsKey, "proposals", collections.Uint64Key, codec.CollValue[types.Proposal](cdc)),
		Votes:          collections.NewMap(sb, types.VotesKey, "votes", collections.PairKeyCodec(collections.Uint64Key, collections.StringKey), codec.CollValue[types.Vote](cdc)),
		ExpiryQueue:    collections.NewKeySet(sb, types.ExpiryQueueKey, "expiry_queue", collections.PairKeyCodec(sdk.TimeKey, collections.Uint64Key)),
		NextProposalID: collections.NewSequence(sb, types.NextProposalIDKey, "next_proposal_id"),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// GetAuthority returns the address whose messages run only through an
// approved proposal.
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

// IsActiveMember tells whether addr administers an ACTIVE organisation and
// which. It is one index lookup, cheap enough for every signer of every tx.
func (k Keeper) IsActiveMember(ctx context.Context, addr sdk.AccAddress) (string, bool, error) {
	orgID, err := k.ActiveMembers.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return orgID, true, nil
}

// IsActiveOrg reports whether orgID names an active member organisation;
// other modules use it to refuse actors of suspended or removed members.
func (k Keeper) IsActiveOrg(ctx context.Context, orgID string) (bool, error) {
	org, err := k.Organizations.Get(ctx, orgID)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return org.Status == types.ORG_STATUS_ACTIVE, nil
}

// GetParams returns the params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}

// checkAuthority rejects a message whose authority is not the module's.
func (k Keeper) checkAuthority(got string) error {
	if got != k.authority {
		return errorsmod.Wrapf(types.ErrUnauthorized, "invalid authority: expected %s, got %s", k.authority, got)
	}
	return nil
}

// getOrg returns an organisation or ErrOrgNotFound.
func (k Keeper) getOrg(ctx context.Context, id string) (types.Organization, error) {
	org, err := k.Organizations.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return org, errorsmod.Wrapf(types.ErrOrgNotFound, "%q", id)
	}
	return org, err
}

// getValidator returns a validator or ErrValidatorNotFound.
func (k Keeper) getValidator(ctx context.Context, name string) (types.Validator, error) {
	v, err := k.Validators.Get(ctx, name)
	if errors.Is(err, collections.ErrNotFound) {
		return v, errorsmod.Wrapf(types.ErrValidatorNotFound, "%q", name)
	}
	return v, err
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
