package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/attestation/types"
)

// Keeper owns the attestation state: anchored roots of batcher logs,
// directly anchored attestations, the subject index and provenance links.
type Keeper struct {
	cdc          codec.Codec
	storeService corestore.KVStoreService
	ik           types.IdentityKeeper
	ac           address.Codec
	authority    string

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Logs: log id → log (owner organisation and latest anchored root).
	Logs collections.Map[string, types.Log]
	// Roots: (log id, tree size) → every anchored root of every log.
	Roots collections.Map[collections.Pair[string, uint64], types.AnchoredRoot]
	// Attestations: envelope digest → directly anchored attestation.
	Attestations collections.Map[[]byte, types.Attestation]
	// SubjectIndex: (subject sha256, envelope digest) for every subject of
	// every anchored attestation.
	SubjectIndex collections.KeySet[collections.Pair[[]byte, []byte]]
	// ProvenanceLinks: (material sha256, envelope digest): the attestation
	// used the material, which was the subject of an earlier attestation.
	ProvenanceLinks collections.KeySet[collections.Pair[[]byte, []byte]]
	// DirectUsage: org id → direct anchors in the current UTC day.
	DirectUsage collections.Map[string, types.DirectAnchorUsage]
	// LastSequence: the sequence of the last anchored attestation (0: none).
	LastSequence collections.Item[uint64]
}

// NewKeeper builds the keeper. ik is x/identity's keeper (authorisation
// decisions and registered keys), ac the chain's account address codec,
// authority the bech32 address whose MsgUpdateParams only an approved
// consortium proposal can send.
func NewKeeper(
	cdc codec.Codec,
	storeService corestore.KVStoreService,
	ik types.IdentityKeeper,
	ac address.Codec,
	authority string,
) Keeper {
	if ik == nil {
		panic("attestation: nil identity keeper")
	}
	if ac == nil {
		panic("attestation: nil address codec")
	}
	if _, err := ac.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("attestation: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	bytesPair := collections.PairKeyCodec(collections.BytesKey, collections.BytesKey)
	k := Keeper{
		cdc:          cdc,
		storeService: storeService,
		ik:           ik,
		ac:           ac,
		authority:    authority,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Logs:         collections.NewMap(sb, types.LogsKey, "logs", collections.StringKey, codec.CollValue[types.Log](cdc)),
		Roots: collections.NewMap(sb, types.RootsKey, "roots",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), codec.CollValue[types.AnchoredRoot](cdc)),
		Attestations:    collections.NewMap(sb, types.AttestationsKey, "attestations", collections.BytesKey, codec.CollValue[types.Attestation](cdc)),
		SubjectIndex:    collections.NewKeySet(sb, types.SubjectIndexKey, "subject_index", bytesPair),
		ProvenanceLinks: collections.NewKeySet(sb, types.ProvenanceLinksKey, "provenance_links", bytesPair),
		DirectUsage:     collections.NewMap(sb, types.DirectUsageKey, "direct_usage", collections.StringKey, codec.CollValue[types.DirectAnchorUsage](cdc)),
		LastSequence:    collections.NewItem(sb, types.AttestationSeqKey, "last_sequence", collections.Uint64Value),
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
func (k Keeper) AddressCodec() address.Codec { return k.ac }

// Logger returns the module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetParams returns the params.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) {
	return k.Params.Get(ctx)
}

// GetLog returns a log and whether it exists.
func (k Keeper) GetLog(ctx context.Context, logID string) (types.Log, bool, error) {
	l, err := k.Logs.Get(ctx, logID)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Log{}, false, nil
	}
	return l, err == nil, err
}

// GetRoot returns the root anchored for (logID, treeSize) and whether it
// exists. Off-chain verifiers check inclusion proofs against it.
func (k Keeper) GetRoot(ctx context.Context, logID string, treeSize uint64) (types.AnchoredRoot, bool, error) {
	r, err := k.Roots.Get(ctx, collections.Join(logID, treeSize))
	if errors.Is(err, collections.ErrNotFound) {
		return types.AnchoredRoot{}, false, nil
	}
	return r, err == nil, err
}

// GetAttestation returns the attestation of an envelope digest and whether
// it exists.
func (k Keeper) GetAttestation(ctx context.Context, digest []byte) (types.Attestation, bool, error) {
	a, err := k.Attestations.Get(ctx, digest)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Attestation{}, false, nil
	}
	return a, err == nil, err
}

// HasSubject reports whether some anchored attestation has the sha256
// subject digest (other modules use it, e.g. for "missing provenance").
func (k Keeper) HasSubject(ctx context.Context, subject []byte) (bool, error) {
	it, err := k.SubjectIndex.Iterate(ctx, collections.NewPrefixedPairRange[[]byte, []byte](subject))
	if err != nil {
		return false, err
	}
	defer it.Close()
	return it.Valid(), nil
}

// checkAuthority rejects a message whose authority is not the module's.
func (k Keeper) checkAuthority(got string) error {
	if got != k.authority {
		return errorsmod.Wrapf(types.ErrUnauthorized, "invalid authority: expected %s, got %s", k.authority, got)
	}
	return nil
}

// storeAttestation stores a and indexes it: provenance links first (for
// each material that is already the subject of an earlier attestation),
// then a's own subjects, so a statement never links to itself. It returns
// the linked materials. Attestations must be stored in sequence order (the
// handler does; InitGenesis sorts them), so the links are the same on
// every node and after an export/import.
func (k Keeper) storeAttestation(ctx context.Context, a types.Attestation) ([][]byte, error) {
	var linked [][]byte
	for _, m := range a.MaterialDigests {
		has, err := k.HasSubject(ctx, m)
		if err != nil {
			return nil, err
		}
		if !has {
			continue
		}
		key := collections.Join(m, a.EnvelopeDigest)
		if dup, err := k.ProvenanceLinks.Has(ctx, key); err != nil {
			return nil, err
		} else if dup {
			continue // the statement lists the material twice
		}
		if err := k.ProvenanceLinks.Set(ctx, key); err != nil {
			return nil, err
		}
		linked = append(linked, m)
	}
	for _, s := range a.SubjectDigests {
		if err := k.SubjectIndex.Set(ctx, collections.Join(s, a.EnvelopeDigest)); err != nil {
			return nil, err
		}
	}
	if err := k.Attestations.Set(ctx, a.EnvelopeDigest, a); err != nil {
		return nil, err
	}
	return linked, nil
}
