package keeper

import (
	"context"
	"slices"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/adf-consortium/adf/pkg/telemetry"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	"github.com/adf-consortium/adf/x/internal/addrutil"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the telemetry Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// Every handler checks every item before it writes anything, so a rejected
// message changes no state even outside a cached context: a batch is all or
// nothing.

// Gas charged on top of the store's own gas.
const (
	// GasPerDependency: validating (parsing) one purl of a device.
	GasPerDependency = 200
	// GasPerReport: validating and escalating one report.
	GasPerReport = 2000
)

func (k Keeper) authorize(ctx context.Context, signerStr, action, scope string) (identitytypes.Decision, error) {
	signer, _, err := addrutil.Parse(k.ac, signerStr)
	if err != nil {
		return identitytypes.Decision{}, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "signer: %s", err)
	}
	dec, err := k.ik.Authorize(ctx, signer, action, scope)
	if err != nil {
		return dec, err
	}
	if !dec.Allowed {
		return dec, errorsmod.Wrapf(types.ErrUnauthorized, "%s may not %s on %q: %s", signerStr, action, scope, dec.Reason)
	}
	if dec.OrgId == "" || dec.PrincipalId == "" {
		return dec, errorsmod.Wrapf(types.ErrUnauthorized, "%s may %s but is not a principal of an organisation", signerStr, action)
	}
	return dec, nil
}

func (k Keeper) domainParams(ctx context.Context) (types.Params, telemetry.Params, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return p, telemetry.Params{}, err
	}
	d, err := p.ToDomain()
	return p, d, err
}

// RegisterDevice registers or updates a device of the signer's
// organisation. Channels and purls are sorted and de-duplicated.
func (m msgServer) RegisterDevice(ctx context.Context, msg *types.MsgRegisterDevice) (*types.MsgRegisterDeviceResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, dp, err := m.domainParams(ctx)
	if err != nil {
		return nil, err
	}
	if err := telemetry.ValidateDeviceID(msg.Id); err != nil {
		return nil, types.ErrInvalidDevice.Wrap(err.Error())
	}
	dec, err := m.authorize(ctx, msg.Signer, types.ActionRegisterDevice, msg.Id)
	if err != nil {
		return nil, err
	}
	if org := telemetry.DeviceOrg(msg.Id); org != dec.OrgId {
		return nil, errorsmod.Wrapf(types.ErrWrongOrganization, "device id %s is in organisation %s's namespace; %s is of %s", msg.Id, org, dec.PrincipalId, dec.OrgId)
	}
	if n := len(msg.Purls); n > int(params.MaxDependencies) {
		return nil, errorsmod.Wrapf(types.ErrTooManyDependencies, "%d purls, at most %d (max_dependencies)", n, params.MaxDependencies)
	}
	if n := len(msg.Channels); n > int(params.MaxChannels) {
		return nil, errorsmod.Wrapf(types.ErrInvalidDevice, "%d channels, at most %d (max_channels)", n, params.MaxChannels)
	}
	sdkCtx.GasMeter().ConsumeGas(GasPerDependency*uint64(len(msg.Purls)), "telemetry: validate dependencies")
	dev := types.Device{
		Id: msg.Id, OrgId: dec.OrgId, Class: msg.Class, ArtifactDigest: msg.ArtifactDigest, Firmware: msg.Firmware,
		Channels: telemetry.NormalizeList(msg.Channels), Purls: telemetry.NormalizeList(msg.Purls),
	}
	if len(dev.Purls) == 0 {
		dev.Purls = nil
	}
	if err := telemetry.ValidateDevice(dev.ToDomain(), dp); err != nil {
		return nil, types.ErrInvalidDevice.Wrap(err.Error())
	}
	old, exists, err := m.getDevice(ctx, msg.Id)
	if err != nil {
		return nil, err
	}
	now := sdkCtx.BlockTime().Unix()
	if exists {
		dev.RegisteredBy, dev.RegisteredHeight, dev.RegisteredTime = old.RegisteredBy, old.RegisteredHeight, old.RegisteredTime
	} else {
		dev.RegisteredBy, dev.RegisteredHeight, dev.RegisteredTime = dec.PrincipalId, sdkCtx.BlockHeight(), now
	}
	dev.UpdatedBy, dev.UpdatedHeight, dev.UpdatedTime = dec.PrincipalId, sdkCtx.BlockHeight(), now
	if err := m.Devices.Set(ctx, dev.Id, dev); err != nil {
		return nil, err
	}
	if err := m.DevicesByOrg.Set(ctx, collections.Join(dev.OrgId, dev.Id)); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventDeviceRegistered{
		DeviceId: dev.Id, OrgId: dev.OrgId, ArtifactDigest: dev.ArtifactDigest, By: dec.PrincipalId, Updated: exists,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRegisterDeviceResponse{Updated: exists}, nil
}

// SubmitReports validates a detector's batch, then records each report and
// escalates its device. A report identical to an earlier one of the same
// detector (device, window, method) is answered with the earlier id and
// changes nothing, so a sentinel may resubmit a batch whose fate it did not
// learn.
func (m msgServer) SubmitReports(ctx context.Context, msg *types.MsgSubmitReports) (*types.MsgSubmitReportsResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, dp, err := m.domainParams(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg.Reports) == 0 {
		return nil, types.ErrEmptyBatch
	}
	if n := len(msg.Reports); n > int(params.MaxReportsPerBatch) {
		return nil, errorsmod.Wrapf(types.ErrBatchTooLarge, "%d reports, at most %d per message (max_reports_per_batch)", n, params.MaxReportsPerBatch)
	}
	dec, err := m.authorize(ctx, msg.Signer, types.ActionReportAnomaly, "")
	if err != nil {
		return nil, err
	}
	pr, ok, err := m.ik.GetPrincipal(ctx, dec.PrincipalId)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorsmod.Wrapf(types.ErrNotDetector, "principal %s not found", dec.PrincipalId)
	}
	if pr.Kind != identitytypes.PRINCIPAL_KIND_DETECTOR {
		return nil, errorsmod.Wrapf(types.ErrNotDetector, "principal %s is of kind %s; only detector principals report anomalies", pr.Id, pr.Kind)
	}
	sdkCtx.GasMeter().ConsumeGas(GasPerReport*uint64(len(msg.Reports)), "telemetry: reports")
	now := sdkCtx.BlockTime().Unix()

	// Check everything first.
	type item struct {
		in   types.ReportInput
		dev  types.Device
		key  string
		dup  uint64 // earlier report id, or 0
		skip bool   // a duplicate of an earlier item of this batch
	}
	items := make([]item, len(msg.Reports))
	devices := map[string]types.Device{}
	batchKeys := map[string]int{}
	for i, in := range msg.Reports {
		if n := len(in.Channels); n > int(params.MaxChannels) {
			return nil, errorsmod.Wrapf(types.ErrInvalidReport, "reports[%d]: %d channels, at most %d (max_channels)", i, n, params.MaxChannels)
		}
		// Channels are a set: sorted and de-duplicated, as for devices.
		in.Channels = telemetry.NormalizeList(in.Channels)
		if err := telemetry.ValidateReportShape(in.ToDomain(), dp); err != nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidReport, "reports[%d]: %s", i, err)
		}
		dev, ok := devices[in.DeviceId]
		if !ok {
			d, exists, err := m.getDevice(ctx, in.DeviceId)
			if err != nil {
				return nil, err
			}
			if !exists {
				return nil, errorsmod.Wrapf(types.ErrDeviceNotFound, "reports[%d]: device %s is not registered", i, in.DeviceId)
			}
			dev, devices[in.DeviceId] = d, d
		}
		if err := telemetry.ValidateReport(in.ToDomain(), dev.ToDomain(), now, dp); err != nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidReport, "reports[%d]: %s", i, err)
		}
		it := item{in: in, dev: dev, key: telemetry.DedupKey(dec.PrincipalId, in.ToDomain())}
		if id, err := m.ReportDedup.Get(ctx, it.key); err == nil {
			it.dup = id
		} else if !notFound(err) {
			return nil, err
		}
		if _, seen := batchKeys[it.key]; seen && it.dup == 0 {
			it.skip = true
		} else {
			batchKeys[it.key] = i
		}
		items[i] = it
	}

	// Then write.
	res := &types.MsgSubmitReportsResponse{Results: make([]types.ReportResult, len(items))}
	signals := map[string]*telemetry.Signals{}
	for i, it := range items {
		if it.dup != 0 || it.skip {
			id := it.dup
			if it.skip {
				id = res.Results[batchKeys[it.key]].ReportId
			}
			r, err := m.Reports.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			st, err := m.getState(ctx, r.DeviceId)
			if err != nil {
				return nil, err
			}
			res.Results[i] = types.ReportResult{ReportId: id, Duplicate: true, IncidentId: r.IncidentId, Level: st.Level}
			continue
		}
		rr, err := m.applyReport(ctx, dp, params, dec, it.dev, it.in, it.key, signals)
		if err != nil {
			return nil, err
		}
		res.Results[i] = rr
	}
	return res, nil
}

// AcknowledgeIncident records that an operator of the device's
// organisation took the incident in hand.
func (m msgServer) AcknowledgeIncident(ctx context.Context, msg *types.MsgAcknowledgeIncident) (*types.MsgAcknowledgeIncidentResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	inc, dec, err := m.handleCheck(ctx, msg.Signer, msg.IncidentId, msg.DeviceId, msg.Note)
	if err != nil {
		return nil, err
	}
	if err := telemetry.CanAcknowledge(telemetry.IncidentStatus(inc.Status), inc.AcknowledgedTime); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidIncidentOp, "incident %d: %s", inc.Id, err)
	}
	inc.AcknowledgedTime = sdkCtx.BlockTime().Unix()
	inc.AcknowledgedBy = dec.PrincipalId
	inc.AcknowledgeNote = msg.Note
	inc.TimeToAcknowledge = inc.Timing().TimeToAcknowledge()
	if err := m.Incidents.Set(ctx, inc.Id, inc); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventIncidentAcknowledged{
		IncidentId: inc.Id, DeviceId: inc.DeviceId, By: dec.PrincipalId, TimeToAcknowledge: inc.TimeToAcknowledge,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAcknowledgeIncidentResponse{TimeToAcknowledge: inc.TimeToAcknowledge}, nil
}

// ResolveIncident closes an alert or a confirmed incident; the device
// returns to normal.
func (m msgServer) ResolveIncident(ctx context.Context, msg *types.MsgResolveIncident) (*types.MsgResolveIncidentResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	inc, dec, err := m.handleCheck(ctx, msg.Signer, msg.IncidentId, msg.DeviceId, msg.Note)
	if err != nil {
		return nil, err
	}
	if err := telemetry.CanResolve(telemetry.IncidentStatus(inc.Status)); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidIncidentOp, "incident %d: %s", inc.Id, err)
	}
	now := sdkCtx.BlockTime().Unix()
	if inc.Status == types.INCIDENT_STATUS_ALERT && inc.ExpiresAt > 0 {
		if err := m.ExpiryQueue.Remove(ctx, collections.Join(inc.ExpiresAt, inc.Id)); err != nil {
			return nil, err
		}
	}
	from := types.LEVEL_ALERT
	if inc.Status == types.INCIDENT_STATUS_CONFIRMED {
		from = types.LEVEL_CONFIRMED
	}
	inc.Status = types.INCIDENT_STATUS_RESOLVED
	inc.ResolvedTime = now
	inc.ResolvedBy = dec.PrincipalId
	inc.ResolveNote = msg.Note
	inc.TimeToResolve = inc.Timing().TimeToResolve()
	if err := m.Incidents.Set(ctx, inc.Id, inc); err != nil {
		return nil, err
	}
	if err := m.closeState(ctx, inc, from, telemetry.ReasonResolved); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventIncidentResolved{
		IncidentId: inc.Id, DeviceId: inc.DeviceId, By: dec.PrincipalId, TimeToResolve: inc.TimeToResolve,
	}); err != nil {
		return nil, err
	}
	return &types.MsgResolveIncidentResponse{TimeToResolve: inc.TimeToResolve}, nil
}

// handleCheck authorises handle-incident on the device named by the
// message, which must be the incident's, of the signer's organisation.
func (k Keeper) handleCheck(ctx context.Context, signer string, id uint64, deviceID, note string) (types.Incident, identitytypes.Decision, error) {
	if err := telemetry.ValidateNote(note); err != nil {
		return types.Incident{}, identitytypes.Decision{}, errorsmod.Wrap(types.ErrInvalidIncidentOp, err.Error())
	}
	if err := telemetry.ValidateDeviceID(deviceID); err != nil {
		return types.Incident{}, identitytypes.Decision{}, types.ErrInvalidDevice.Wrap(err.Error())
	}
	dec, err := k.authorize(ctx, signer, types.ActionHandleIncident, deviceID)
	if err != nil {
		return types.Incident{}, dec, err
	}
	inc, err := k.Incidents.Get(ctx, id)
	if notFound(err) {
		return inc, dec, errorsmod.Wrapf(types.ErrIncidentNotFound, "incident %d", id)
	}
	if err != nil {
		return inc, dec, err
	}
	if inc.DeviceId != deviceID {
		return inc, dec, errorsmod.Wrapf(types.ErrInvalidIncidentOp, "incident %d is of device %s, not %s", id, inc.DeviceId, deviceID)
	}
	if inc.OrgId != dec.OrgId {
		return inc, dec, errorsmod.Wrapf(types.ErrWrongOrganization, "incident %d is of organisation %s; %s is of %s", id, inc.OrgId, dec.PrincipalId, dec.OrgId)
	}
	// An alert past its expiry that EndBlock has not reached yet (it runs
	// after the block's transactions, capped) is handled as expired, as a
	// late report treats it: otherwise whether an operator may still
	// acknowledge or resolve it would depend on the expiry backlog.
	now := sdk.UnwrapSDKContext(ctx).BlockTime().Unix()
	if inc.Status == types.INCIDENT_STATUS_ALERT && telemetry.Expired(telemetry.State{Level: telemetry.LevelAlert, ExpiresAt: inc.ExpiresAt}, now) {
		inc.Status = types.INCIDENT_STATUS_EXPIRED
	}
	return inc, dec, nil
}

// UpdateParams replaces the params; it runs only inside a passed consortium
// proposal.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != m.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "invalid authority: expected %s, got %s", m.authority, msg.Authority)
	}
	p := msg.Params
	p.SafeModeClasses = slices.Clone(p.SafeModeClasses)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := m.Params.Set(ctx, p); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
