package keeper

import (
	"context"
	"math"

	"cosmossdk.io/collections"

	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/pkg/telemetry"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

// Bounds of the per-report work.
const (
	// MaxWindowScan bounds the reports read from the confirmation window of
	// one device for one report, in time order from the window start; past
	// it the decision rests on what was read.
	MaxWindowScan = 256
	// MaxIncidentDetectors bounds the distinct detectors listed on an
	// incident.
	MaxIncidentDetectors = 64
)

// windowReports returns the reports of incident incID of a device with a
// block time in [now - seconds, now], at most MaxWindowScan, in (time, id)
// order.
func (k Keeper) windowReports(ctx context.Context, deviceID string, incID uint64, now, seconds int64) ([]telemetry.Report, error) {
	rng := new(collections.Range[collections.Triple[string, int64, uint64]]).
		StartInclusive(collections.Join3(deviceID, now-seconds, uint64(0))).
		EndInclusive(collections.Join3(deviceID, now, uint64(math.MaxUint64)))
	it, err := k.ReportsByDevice.Iterate(ctx, rng)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []telemetry.Report
	for n := 0; it.Valid() && n < MaxWindowScan; it.Next() {
		key, err := it.Key()
		if err != nil {
			return nil, err
		}
		n++
		r, err := k.Reports.Get(ctx, key.K3())
		if err != nil {
			return nil, err
		}
		if r.IncidentId == incID {
			out = append(out, r.Rule())
		}
	}
	return out, nil
}

// deviceSignals evaluates the provenance and CTI signals of a device now.
func (k Keeper) deviceSignals(ctx context.Context, params types.Params, dp telemetry.Params, dev types.Device) (telemetry.Signals, error) {
	var sig telemetry.Signals
	digest, err := telemetry.ValidateDigest("artifact digest", dev.ArtifactDigest)
	if err != nil {
		return sig, err
	}
	if sig.Attested, err = k.ak.HasSubject(ctx, digest); err != nil {
		return sig, err
	}
	if len(dev.Purls) == 0 {
		return sig, nil
	}
	sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(params.GasPerPurl*uint64(len(dev.Purls)), "telemetry: match dependencies against x/cti")
	results, err := k.ck.MatchDevicePackages(ctx, dev.Purls)
	if err != nil {
		return sig, err
	}
	dms := make([]telemetry.DependencyMatch, 0, len(results))
	for _, r := range results {
		dm := telemetry.DependencyMatch{Purl: r.Purl, Decision: r.Decision}
		for _, m := range r.Matches {
			dm.IndicatorIDs = append(dm.IndicatorIDs, m.IndicatorId)
		}
		dms = append(dms, dm)
	}
	sig.CTIMatches, err = telemetry.CTISignal(dms, dp.CTIMinDecision)
	return sig, err
}

// applyReport records one validated report and escalates its device.
// signals caches each device's signals for the rest of the message.
func (k Keeper) applyReport(ctx context.Context, dp telemetry.Params, params types.Params, dec identitytypes.Decision,
	dev types.Device, in types.ReportInput, dedupKey string, signals map[string]*telemetry.Signals,
) (types.ReportResult, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	now := sdkCtx.BlockTime().Unix()
	st, err := k.getState(ctx, dev.Id)
	if err != nil {
		return types.ReportResult{}, err
	}
	var inc types.Incident
	var window []telemetry.Report
	if st.Level == types.LEVEL_ALERT || st.Level == types.LEVEL_CONFIRMED {
		if inc, err = k.Incidents.Get(ctx, st.IncidentId); err != nil {
			return types.ReportResult{}, err
		}
		// An alert past its expiry that EndBlock has not reached yet (it
		// runs after the block's transactions, capped) expires now: a late
		// report opens a new incident rather than confirming a stale one.
		if telemetry.Expired(types.RuleState(st, inc), now) {
			if err := k.expireIncident(ctx, inc, now); err != nil {
				return types.ReportResult{}, err
			}
			if st, err = k.getState(ctx, dev.Id); err != nil {
				return types.ReportResult{}, err
			}
			inc = types.Incident{}
		}
	}
	if st.Level == types.LEVEL_ALERT || st.Level == types.LEVEL_CONFIRMED {
		if window, err = k.windowReports(ctx, dev.Id, inc.Id, now, dp.ConfirmWindow); err != nil {
			return types.ReportResult{}, err
		}
	}
	// Signals matter only until confirmation: a confirmed device is not
	// matched again.
	var sig telemetry.Signals
	evaluated := false
	if st.Level != types.LEVEL_CONFIRMED {
		s, ok := signals[dev.Id]
		if !ok {
			v, err := k.deviceSignals(ctx, params, dp, dev)
			if err != nil {
				return types.ReportResult{}, err
			}
			s = &v
			signals[dev.Id] = s
		}
		sig, evaluated = *s, true
	}

	reportID, err := nextID(ctx, k.NextReportID)
	if err != nil {
		return types.ReportResult{}, err
	}
	rep := types.AnomalyReport{
		Id: reportID, DeviceId: dev.Id, Detector: dec.PrincipalId, OrgId: dec.OrgId,
		WindowStart: in.WindowStart, WindowEnd: in.WindowEnd, Channels: telemetry.NormalizeList(in.Channels),
		Score: in.Score, Threshold: in.Threshold, Method: in.Method, ModelDigest: in.ModelDigest, EvidenceDigest: in.EvidenceDigest,
		Height: sdkCtx.BlockHeight(), Time: now,
	}
	out, err := telemetry.Escalate(dp, dev.Class, types.RuleState(st, inc), window, rep.Rule(), sig)
	if err != nil {
		return types.ReportResult{}, types.ErrInvalidReport.Wrap(err.Error())
	}

	oldExpiry := inc.ExpiresAt
	if out.Opened {
		id, err := nextID(ctx, k.NextIncidentID)
		if err != nil {
			return types.ReportResult{}, err
		}
		inc = types.Incident{Id: id, DeviceId: dev.Id, OrgId: dev.OrgId, Status: types.INCIDENT_STATUS_ALERT,
			OpenedHeight: sdkCtx.BlockHeight(), OpenedTime: now}
		oldExpiry = 0
		if err := k.IncidentsByDevice.Set(ctx, collections.Join(dev.Id, id)); err != nil {
			return types.ReportResult{}, err
		}
	}
	ns := out.State
	inc.Channels = ns.Channels
	inc.FirstWindowStart = ns.FirstWindowStart
	inc.ExpiresAt = ns.ExpiresAt
	inc.ReportCount++
	inc.Detectors = addDetector(inc.Detectors, dec.PrincipalId)
	if evaluated {
		inc.Attested = sig.Attested
		inc.CtiMatches = sig.CTIMatches
	}
	if out.Confirmed {
		inc.Status = types.INCIDENT_STATUS_CONFIRMED
		inc.ConfirmedTime = ns.ConfirmedAt
		inc.Reasons = reasonStrings(ns.Reasons)
		inc.TimeToDetect = inc.Timing().TimeToDetect()
	}
	inc.Mitigation = string(ns.Mitigation.Action)
	inc.MitigationChannels = ns.Mitigation.Channels
	if oldExpiry != 0 && oldExpiry != inc.ExpiresAt {
		if err := k.ExpiryQueue.Remove(ctx, collections.Join(oldExpiry, inc.Id)); err != nil {
			return types.ReportResult{}, err
		}
	}
	if inc.ExpiresAt != 0 && inc.ExpiresAt != oldExpiry {
		if err := k.ExpiryQueue.Set(ctx, collections.Join(inc.ExpiresAt, inc.Id)); err != nil {
			return types.ReportResult{}, err
		}
	}
	if err := k.Incidents.Set(ctx, inc.Id, inc); err != nil {
		return types.ReportResult{}, err
	}

	rep.IncidentId = inc.Id
	if err := k.Reports.Set(ctx, rep.Id, rep); err != nil {
		return types.ReportResult{}, err
	}
	if err := k.ReportsByDevice.Set(ctx, collections.Join3(dev.Id, now, rep.Id)); err != nil {
		return types.ReportResult{}, err
	}
	if err := k.ReportDedup.Set(ctx, dedupKey, rep.Id); err != nil {
		return types.ReportResult{}, err
	}
	newSt := types.DeviceState{DeviceId: dev.Id, Level: types.Level(out.To), IncidentId: inc.Id, Since: st.Since, LastReportId: rep.Id}
	if out.From != out.To {
		newSt.Since = now
	}
	if err := k.States.Set(ctx, dev.Id, newSt); err != nil {
		return types.ReportResult{}, err
	}

	em := sdkCtx.EventManager()
	evs := []proto.Message{&types.EventAnomalyReported{
		ReportId: rep.Id, DeviceId: dev.Id, Detector: rep.Detector, Channels: rep.Channels,
		Score: rep.Score, Threshold: rep.Threshold, Method: rep.Method, IncidentId: inc.Id,
	}}
	if out.Opened {
		evs = append(evs, &types.EventIncidentOpened{IncidentId: inc.Id, DeviceId: dev.Id, ReportId: rep.Id})
	}
	if out.From != out.To {
		evs = append(evs, &types.EventEscalated{DeviceId: dev.Id, From: out.From.String(), To: out.To.String(),
			Reason: telemetry.JoinReasons(out.Reasons), IncidentId: inc.Id})
	}
	if out.Confirmed {
		evs = append(evs, &types.EventIncidentConfirmed{IncidentId: inc.Id, DeviceId: dev.Id,
			Reasons: telemetry.JoinReasons(ns.Reasons), TimeToDetect: inc.TimeToDetect})
	}
	if out.Recommend != nil {
		evs = append(evs, &types.EventMitigationRecommended{DeviceId: dev.Id, Action: string(out.Recommend.Action),
			Channels: out.Recommend.Channels, IncidentId: inc.Id, Reason: telemetry.JoinReasons(ns.Reasons)})
	}
	for _, ev := range evs {
		if err := em.EmitTypedEvent(ev); err != nil {
			return types.ReportResult{}, err
		}
	}
	return types.ReportResult{ReportId: rep.Id, IncidentId: inc.Id, Level: newSt.Level}, nil
}

// closeState returns a device whose open incident inc closed to normal.
func (k Keeper) closeState(ctx context.Context, inc types.Incident, from types.Level, reason telemetry.Reason) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	st, err := k.getState(ctx, inc.DeviceId)
	if err != nil {
		return err
	}
	if st.IncidentId != inc.Id {
		return nil
	}
	st.Level = types.LEVEL_NORMAL
	st.IncidentId = 0
	st.Since = sdkCtx.BlockTime().Unix()
	if err := k.States.Set(ctx, inc.DeviceId, st); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventEscalated{
		DeviceId: inc.DeviceId, From: types.LevelWord(from), To: types.LevelWord(types.LEVEL_NORMAL),
		Reason: string(reason), IncidentId: inc.Id,
	})
}

func addDetector(ds []string, d string) []string {
	for i, x := range ds {
		if x == d {
			return ds
		}
		if x > d {
			if len(ds) >= MaxIncidentDetectors {
				return ds
			}
			out := append(append(append([]string{}, ds[:i]...), d), ds[i:]...)
			return out
		}
	}
	if len(ds) >= MaxIncidentDetectors {
		return ds
	}
	return append(ds, d)
}

func reasonStrings(rs []telemetry.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}
