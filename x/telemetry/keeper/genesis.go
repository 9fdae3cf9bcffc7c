package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/pkg/telemetry"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

// InitGenesis validates and loads gs and rebuilds the indexes: devices by
// organisation, reports by device, duplicates, incidents by device and the
// expiry queue of open alerts.
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
	if err := k.NextReportID.Set(ctx, gs.NextReportId); err != nil {
		return err
	}
	if err := k.NextIncidentID.Set(ctx, gs.NextIncidentId); err != nil {
		return err
	}
	for _, d := range gs.Devices {
		if err := k.Devices.Set(ctx, d.Id, d); err != nil {
			return err
		}
		if err := k.DevicesByOrg.Set(ctx, collections.Join(d.OrgId, d.Id)); err != nil {
			return err
		}
	}
	for _, st := range gs.States {
		if err := k.States.Set(ctx, st.DeviceId, st); err != nil {
			return err
		}
	}
	for _, r := range gs.Reports {
		if err := k.Reports.Set(ctx, r.Id, r); err != nil {
			return err
		}
		if err := k.ReportsByDevice.Set(ctx, collections.Join3(r.DeviceId, r.Time, r.Id)); err != nil {
			return err
		}
		if err := k.ReportDedup.Set(ctx, telemetry.DedupKey(r.Detector, r.Input()), r.Id); err != nil {
			return err
		}
	}
	for _, inc := range gs.Incidents {
		if err := k.Incidents.Set(ctx, inc.Id, inc); err != nil {
			return err
		}
		if err := k.IncidentsByDevice.Set(ctx, collections.Join(inc.DeviceId, inc.Id)); err != nil {
			return err
		}
		if inc.Status == types.INCIDENT_STATUS_ALERT && inc.ExpiresAt > 0 {
			if err := k.ExpiryQueue.Set(ctx, collections.Join(inc.ExpiresAt, inc.Id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportGenesis exports devices, states, reports and incidents in key
// order; indexes are rebuilt on import.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.NextReportId, err = k.NextReportID.Get(ctx); notFound(err) {
		gs.NextReportId, err = 1, nil
	}
	if err != nil {
		return nil, err
	}
	if gs.NextIncidentId, err = k.NextIncidentID.Get(ctx); notFound(err) {
		gs.NextIncidentId, err = 1, nil
	}
	if err != nil {
		return nil, err
	}
	if err := k.Devices.Walk(ctx, nil, func(_ string, d types.Device) (bool, error) {
		gs.Devices = append(gs.Devices, d)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.States.Walk(ctx, nil, func(_ string, s types.DeviceState) (bool, error) {
		gs.States = append(gs.States, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Reports.Walk(ctx, nil, func(_ uint64, r types.AnomalyReport) (bool, error) {
		gs.Reports = append(gs.Reports, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Incidents.Walk(ctx, nil, func(_ uint64, inc types.Incident) (bool, error) {
		gs.Incidents = append(gs.Incidents, inc)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
