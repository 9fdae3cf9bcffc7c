package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	corestore "cosmossdk.io/core/store"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/telemetry/types"
)

// Keeper owns the telemetry registry: devices, anomaly reports, escalation
// states and incidents.
type Keeper struct {
	cdc          codec.Codec
	storeService corestore.KVStoreService
	ik           types.IdentityKeeper
	ak           types.AttestationKeeper
	ck           types.CTIKeeper
	ac           address.Codec
	authority    string

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Devices: device id → device.
	Devices collections.Map[string, types.Device]
	// DevicesByOrg: (org id, device id).
	DevicesByOrg collections.KeySet[collections.Pair[string, string]]
	// States: device id → escalation state (absent = normal).
	States collections.Map[string, types.DeviceState]
	// Reports: report id → report, never deleted.
	Reports collections.Map[uint64, types.AnomalyReport]
	// ReportsByDevice: (device id, block time, report id), the window scan
	// and the per-device listing.
	ReportsByDevice collections.KeySet[collections.Triple[string, int64, uint64]]
	// ReportDedup: pkg/telemetry.DedupKey → report id.
	ReportDedup collections.Map[string, uint64]
	// Incidents: incident id → incident.
	Incidents collections.Map[uint64, types.Incident]
	// IncidentsByDevice: (device id, incident id).
	IncidentsByDevice collections.KeySet[collections.Pair[string, uint64]]
	// ExpiryQueue: (expires at, incident id) of open alerts.
	ExpiryQueue    collections.KeySet[collections.Pair[int64, uint64]]
	NextReportID   collections.Item[uint64]
	NextIncidentID collections.Item[uint64]
}

// NewKeeper builds the keeper. ik is x/identity's keeper (through an
// adapter with GetPrincipal), ak x/attestation's, ck x/cti's; authority is
// the consortium's address (params).
func NewKeeper(cdc codec.Codec, storeService corestore.KVStoreService, ik types.IdentityKeeper, ak types.AttestationKeeper,
	ck types.CTIKeeper, ac address.Codec, authority string,
) Keeper {
	if ik == nil || ak == nil || ck == nil {
		panic("telemetry: nil identity, attestation or CTI keeper")
	}
	if ac == nil {
		panic("telemetry: nil address codec")
	}
	if _, err := ac.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("telemetry: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc: cdc, storeService: storeService, ik: ik, ak: ak, ck: ck, ac: ac, authority: authority,
		Params:  collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Devices: collections.NewMap(sb, types.DevicesKey, "devices", collections.StringKey, codec.CollValue[types.Device](cdc)),
		DevicesByOrg: collections.NewKeySet(sb, types.DevicesByOrgKey, "devices_by_org",
			collections.PairKeyCodec(collections.StringKey, collections.StringKey)),
		States:  collections.NewMap(sb, types.StatesKey, "states", collections.StringKey, codec.CollValue[types.DeviceState](cdc)),
		Reports: collections.NewMap(sb, types.ReportsKey, "reports", collections.Uint64Key, codec.CollValue[types.AnomalyReport](cdc)),
		ReportsByDevice: collections.NewKeySet(sb, types.ReportsByDeviceKey, "reports_by_device",
			collections.TripleKeyCodec(collections.StringKey, collections.Int64Key, collections.Uint64Key)),
		ReportDedup: collections.NewMap(sb, types.ReportDedupKey, "report_dedup", collections.StringKey, collections.Uint64Value),
		Incidents:   collections.NewMap(sb, types.IncidentsKey, "incidents", collections.Uint64Key, codec.CollValue[types.Incident](cdc)),
		IncidentsByDevice: collections.NewKeySet(sb, types.IncidentsByDeviceKey, "incidents_by_device",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)),
		ExpiryQueue: collections.NewKeySet(sb, types.ExpiryQueueKey, "expiry_queue",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		NextReportID:   collections.NewItem(sb, types.NextReportIDKey, "next_report_id", collections.Uint64Value),
		NextIncidentID: collections.NewItem(sb, types.NextIncidentIDKey, "next_incident_id", collections.Uint64Value),
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

func notFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// getDevice returns a device and whether it exists.
func (k Keeper) getDevice(ctx context.Context, id string) (types.Device, bool, error) {
	d, err := k.Devices.Get(ctx, id)
	if notFound(err) {
		return types.Device{}, false, nil
	}
	return d, err == nil, err
}

// getState returns a device's state, normal when none is stored.
func (k Keeper) getState(ctx context.Context, id string) (types.DeviceState, error) {
	st, err := k.States.Get(ctx, id)
	if notFound(err) {
		return types.DeviceState{DeviceId: id, Level: types.LEVEL_NORMAL}, nil
	}
	return st, err
}

// nextID returns the value of a counter item (1 when unset) and stores the
// following one.
func nextID(ctx context.Context, item collections.Item[uint64]) (uint64, error) {
	n, err := item.Get(ctx)
	if notFound(err) {
		n, err = 1, nil
	}
	if err != nil {
		return 0, err
	}
	return n, item.Set(ctx, n+1)
}
