package keeper

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/cti/types"
)

// Keeper owns the CTI registry: indicators with their full history,
// sightings, publisher reputations, gate exceptions and the policy version.
type Keeper struct {
	cdc          codec.Codec
	storeService corestore.KVStoreService
	ik           types.IdentityKeeper
	ac           address.Codec
	authority    string

	Schema        collections.Schema
	Params        collections.Item[types.Params]
	PolicyVersion collections.Item[uint64]
	// BlockTime is the time (unix seconds) of the block that wrote the
	// state, so a query at height H scores with H's time, not the node's
	// latest block: the same verdict at the same height on every node.
	BlockTime collections.Item[int64]
	// Indicators: id → record.
	Indicators collections.Map[string, types.IndicatorRecord]
	// Index: index key → the sorted ids under it; the key is ecosystem and
	// folded name for packages, kind and value otherwise
	// (pkg/cti.Indicator.IndexKey). One point read answers a purl.
	Index collections.Map[string, types.IndexEntry]
	// ByPublisher: (org id, indicator id).
	ByPublisher collections.KeySet[collections.Pair[string, string]]
	// History: (id, revision) → entry, never deleted.
	History collections.Map[collections.Pair[string, uint32], types.HistoryEntry]
	// Sightings: (indicator id, org id) → that org's latest verdict.
	Sightings collections.Map[collections.Pair[string, string], types.Sighting]
	// Reputations: org id → counters over its indicators.
	Reputations collections.Map[string, types.Reputation]
	// Exceptions: id → gate exception.
	Exceptions collections.Map[string, types.Exception]
}

// NewKeeper builds the keeper. ik is x/identity's keeper, ac the account
// address codec, authority the consortium's address (params, consortium
// revocations).
func NewKeeper(cdc codec.Codec, storeService corestore.KVStoreService, ik types.IdentityKeeper, ac address.Codec, authority string) Keeper {
	if ik == nil {
		panic("cti: nil identity keeper")
	}
	if ac == nil {
		panic("cti: nil address codec")
	}
	if _, err := ac.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("cti: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	strPair := collections.PairKeyCodec(collections.StringKey, collections.StringKey)
	k := Keeper{
		cdc:           cdc,
		storeService:  storeService,
		ik:            ik,
		ac:            ac,
		authority:     authority,
		Params:        collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		PolicyVersion: collections.NewItem(sb, types.PolicyVersionKey, "policy_version", collections.Uint64Value),
		BlockTime:     collections.NewItem(sb, types.BlockTimeKey, "block_time", collections.Int64Value),
		Indicators:    collections.NewMap(sb, types.IndicatorsKey, "indicators", collections.StringKey, codec.CollValue[types.IndicatorRecord](cdc)),
		Index:         collections.NewMap(sb, types.IndexKey, "index", collections.StringKey, codec.CollValue[types.IndexEntry](cdc)),
		ByPublisher:   collections.NewKeySet(sb, types.PublisherKey, "by_publisher", strPair),
		History: collections.NewMap(sb, types.HistoryKey, "history",
			collections.PairKeyCodec(collections.StringKey, collections.Uint32Key), codec.CollValue[types.HistoryEntry](cdc)),
		Sightings:   collections.NewMap(sb, types.SightingsKey, "sightings", strPair, codec.CollValue[types.Sighting](cdc)),
		Reputations: collections.NewMap(sb, types.ReputationsKey, "reputations", collections.StringKey, codec.CollValue[types.Reputation](cdc)),
		Exceptions:  collections.NewMap(sb, types.ExceptionsKey, "exceptions", collections.StringKey, codec.CollValue[types.Exception](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// GetAuthority returns the consortium's address.
func (k Keeper) GetAuthority() string { return k.authority }

// AddressCodec returns the account address codec.
func (k Keeper) AddressCodec() address.Codec { return k.ac }

// Logger returns the module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetParams returns the params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) { return k.Params.Get(ctx) }

// BeginBlocker records the block time for queries at this height.
func (k Keeper) BeginBlocker(ctx context.Context) error {
	return k.BlockTime.Set(ctx, sdk.UnwrapSDKContext(ctx).BlockTime().Unix())
}

// now is the time the state at this height was written at: the block time
// during execution, the stored block time in queries.
func (k Keeper) now(ctx context.Context) (int64, error) {
	t, err := k.BlockTime.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return sdk.UnwrapSDKContext(ctx).BlockTime().Unix(), nil
	}
	return t, err
}

func (k Keeper) getRecord(ctx context.Context, id string) (types.IndicatorRecord, bool, error) {
	r, err := k.Indicators.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return types.IndicatorRecord{}, false, nil
	}
	return r, err == nil, err
}

func (k Keeper) getReputation(ctx context.Context, org string) (types.Reputation, error) {
	r, err := k.Reputations.Get(ctx, org)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Reputation{OrgId: org}, nil
	}
	return r, err
}

func (k Keeper) bumpPolicyVersion(ctx context.Context) (uint64, error) {
	v, err := k.PolicyVersion.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return 0, err
	}
	v++
	if err := k.PolicyVersion.Set(ctx, v); err != nil {
		return 0, err
	}
	return v, nil
}

func (k Keeper) policyVersion(ctx context.Context) (uint64, error) {
	v, err := k.PolicyVersion.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return v, err
}

// exceptions lists every exception in id order.
func (k Keeper) exceptions(ctx context.Context) ([]types.Exception, error) {
	var out []types.Exception
	err := k.Exceptions.Walk(ctx, nil, func(_ string, e types.Exception) (bool, error) {
		out = append(out, e)
		return false, nil
	})
	return out, err
}

func errorsIsNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// indexEntry returns the entry under an index key (empty when absent).
func (k Keeper) indexEntry(ctx context.Context, key string) (types.IndexEntry, error) {
	e, err := k.Index.Get(ctx, key)
	if errorsIsNotFound(err) {
		return types.IndexEntry{}, nil
	}
	return e, err
}

// indexAdd files id under key with its package match (nil for other
// kinds), keeping ids sorted and unique; an id already there gets the new
// match.
func (k Keeper) indexAdd(ctx context.Context, key, id string, pm *types.PackageMatch) error {
	e, err := k.indexEntry(ctx, key)
	if err != nil {
		return err
	}
	var m types.PackageMatch
	if pm != nil {
		m = *pm
	}
	if len(e.Packages) != len(e.Ids) {
		e.Packages = make([]types.PackageMatch, len(e.Ids))
	}
	i := sort.SearchStrings(e.Ids, id)
	if i < len(e.Ids) && e.Ids[i] == id {
		e.Packages[i] = m
		return k.Index.Set(ctx, key, e)
	}
	e.Ids = append(e.Ids, "")
	copy(e.Ids[i+1:], e.Ids[i:])
	e.Ids[i] = id
	e.Packages = append(e.Packages, types.PackageMatch{})
	copy(e.Packages[i+1:], e.Packages[i:])
	e.Packages[i] = m
	return k.Index.Set(ctx, key, e)
}

// indexRemove takes id out of key's entry, deleting an emptied entry.
func (k Keeper) indexRemove(ctx context.Context, key, id string) error {
	e, err := k.indexEntry(ctx, key)
	if err != nil {
		return err
	}
	i := sort.SearchStrings(e.Ids, id)
	if i == len(e.Ids) || e.Ids[i] != id {
		return nil
	}
	e.Ids = append(e.Ids[:i], e.Ids[i+1:]...)
	if i < len(e.Packages) {
		e.Packages = append(e.Packages[:i], e.Packages[i+1:]...)
	}
	if len(e.Ids) == 0 {
		return k.Index.Remove(ctx, key)
	}
	return k.Index.Set(ctx, key, e)
}
