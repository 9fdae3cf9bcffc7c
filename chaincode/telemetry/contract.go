// Package telemetry is the chaincode's CPS telemetry registry: devices
// with the artifact and dependencies they run, anomaly reports from
// detectors, and the multi-signal escalation of a device (normal → alert →
// confirmed, with a recommended mitigation) by pkg/telemetry's rules, the
// ones x/telemetry applies. The signals come from the other registries of
// the same chaincode: missing provenance from the attestation subject
// index, CTI matches from the gate decision on the device's purls.
//
// Fabric has no end-of-block hook, so an unconfirmed alert past its
// expiry is expired by the next transaction that touches its device (a
// report, an acknowledgement, a resolution) and shown as expired by the
// queries; x/telemetry's EndBlocker does the same at the first block after
// the expiry.
package telemetry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/attestation"
	chaincti "github.com/adf-consortium/adf/chaincode/cti"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/chaincode/internal/wire"
	"github.com/adf-consortium/adf/pkg/policy"
	"github.com/adf-consortium/adf/pkg/telemetry"
)

// State object types.
const (
	keyDevice   = "adf.tel.device"   // [device id] → Device
	keyState    = "adf.tel.state"    // [device id] → DeviceState
	keyIncident = "adf.tel.incident" // [incident id (20 digits)] → Incident
	keyReport   = "adf.tel.report"   // [report id (20 digits)] → Report
	keyByDevice = "adf.tel.bydevice" // [device id, UTC day (20 digits), time (20 digits), report id (20 digits)] → mark
	keyDedup    = "adf.tel.dedup"    // [sha256 of pkg/telemetry.DedupKey] → report id
	keySeq      = "adf.tel.seq"      // [name] → last id
)

// Registry errors (x/telemetry's texts).
var (
	ErrInvalidDevice     = errors.New("invalid device")
	ErrInvalidReport     = errors.New("invalid report")
	ErrDeviceNotFound    = errors.New("device not found")
	ErrWrongOrganization = errors.New("wrong organisation")
	ErrIncidentNotFound  = errors.New("incident not found")
	ErrInvalidIncidentOp = errors.New("invalid incident operation")
	ErrEmptyBatch        = errors.New("empty batch")
	ErrBatchTooLarge     = errors.New("batch too large")
)

// MaxWindowScan bounds the reports read from one device's confirmation
// window for one report (x/telemetry's bound).
const MaxWindowScan = 256

// Device is a registered device.
type Device struct {
	ID             string   `json:"id"`
	OrgID          string   `json:"org_id"`
	Class          string   `json:"class"`
	ArtifactDigest string   `json:"artifact_digest"`
	Firmware       string   `json:"firmware"`
	Channels       []string `json:"channels"`
	Purls          []string `json:"purls,omitempty"`
	RegisteredBy   string   `json:"registered_by"`
	RegisteredAt   int64    `json:"registered_at"`
	UpdatedBy      string   `json:"updated_by"`
	UpdatedAt      int64    `json:"updated_at"`
}

func (d Device) rule() telemetry.Device {
	return telemetry.Device{ID: d.ID, OrgID: d.OrgID, Class: d.Class, ArtifactDigest: d.ArtifactDigest, Firmware: d.Firmware, Channels: d.Channels, Purls: d.Purls}
}

// DeviceState is a device's escalation level and open incident.
type DeviceState struct {
	Level        string `json:"level"`
	IncidentID   uint64 `json:"incident_id,omitempty"`
	Since        int64  `json:"since"`
	LastReportID uint64 `json:"last_report_id,omitempty"`
}

// Incident is one alert or confirmed incident of a device.
type Incident struct {
	ID          uint64           `json:"id"`
	DeviceID    string           `json:"device_id"`
	OrgID       string           `json:"org_id"`
	Status      string           `json:"status"`
	Rule        telemetry.State  `json:"rule_state"`
	ReportCount uint32           `json:"report_count"`
	Detectors   []string         `json:"detectors"`
	Attested    bool             `json:"attested"`
	CTIMatches  []string         `json:"cti_matches,omitempty"`
	Timing      telemetry.Timing `json:"timing"`
	AckBy       string           `json:"acknowledged_by,omitempty"`
	ResolvedBy  string           `json:"resolved_by,omitempty"`
	Note        string           `json:"note,omitempty"`
}

// Report is a stored anomaly report.
type Report struct {
	ID         uint64                `json:"id"`
	IncidentID uint64                `json:"incident_id"`
	Detector   string                `json:"detector"`
	OrgID      string                `json:"org_id"`
	Time       int64                 `json:"time"`
	Input      telemetry.ReportInput `json:"input"`
}

func (r Report) rule() telemetry.Report {
	return telemetry.Report{ID: r.ID, Detector: r.Detector, Time: r.Time, WindowStart: r.Input.WindowStart, WindowEnd: r.Input.WindowEnd, Channels: r.Input.Channels}
}

// Contract is the telemetry contract ("telemetry:…").
type Contract struct {
	contractapi.Contract
	Params telemetry.Params
	// CTI are the gate params the dependency signal is decided with.
	CTI chaincti.Params
}

// NewContract returns the telemetry contract with pkg/telemetry's and
// x/cti's defaults.
func NewContract() *Contract {
	c := &Contract{Params: telemetry.DefaultParams(), CTI: chaincti.DefaultParams()}
	c.Name = "telemetry"
	c.Info.Title = "ADF CPS telemetry registry"
	c.Info.Version = "1.0.0"
	return c
}

func pad(n uint64) string { return fmt.Sprintf("%020d", n) }

func dayOf(t int64) int64 {
	if t < 0 {
		return 0
	}
	return t / 86400
}

func padTime(t int64) string {
	if t < 0 {
		t = 0
	}
	return pad(uint64(t))
}

// nextID increments and returns the counter name.
func nextID(tx *ledger.Tx, name string) (uint64, error) {
	k, err := tx.Key(keySeq, name)
	if err != nil {
		return 0, err
	}
	var last uint64
	if b, ok, err := tx.GetRaw(k); err != nil {
		return 0, err
	} else if ok {
		if last, err = strconv.ParseUint(string(b), 10, 64); err != nil {
			return 0, fmt.Errorf("counter %s is corrupt: %w", name, err)
		}
	}
	last++
	return last, tx.PutRaw([]byte(strconv.FormatUint(last, 10)), keySeq, name)
}

// DeviceInput registers or updates a device.
type DeviceInput struct {
	ID             string   `json:"id"`
	Class          string   `json:"class"`
	ArtifactDigest string   `json:"artifact_digest"`
	Firmware       string   `json:"firmware"`
	Channels       []string `json:"channels"`
	Purls          []string `json:"purls,omitempty"`
}

// RegisterDevice registers or updates a device of the caller's
// organisation (register-device on the device id).
func (c *Contract) RegisterDevice(ctx contractapi.TransactionContextInterface, device string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	var in DeviceInput
	if err := wire.Decode(device, &in); err != nil {
		return "", fmt.Errorf("device: %w", err)
	}
	if err := telemetry.ValidateDeviceID(in.ID); err != nil {
		return "", fmt.Errorf("%s: %w", err, ErrInvalidDevice)
	}
	dec, err := identity.Require(tx, caller, policy.ActionRegisterDevice, in.ID)
	if err != nil {
		return "", err
	}
	if dec.PrincipalID == "" {
		return "", fmt.Errorf("%w: %s is not a principal", identity.ErrUnauthorized, caller.ID)
	}
	if org := telemetry.DeviceOrg(in.ID); org != dec.OrgID {
		return "", fmt.Errorf("device id %s is in organisation %s's namespace; %s is of %s: %w", in.ID, org, dec.PrincipalID, dec.OrgID, ErrWrongOrganization)
	}
	if len(in.Purls) > int(c.Params.MaxDependencies) || len(in.Channels) > int(c.Params.MaxChannels) {
		return "", fmt.Errorf("%d purls and %d channels, at most %d and %d: %w", len(in.Purls), len(in.Channels), c.Params.MaxDependencies, c.Params.MaxChannels, ErrInvalidDevice)
	}
	now := tx.Now().Unix()
	d := Device{ID: in.ID, OrgID: dec.OrgID, Class: in.Class, ArtifactDigest: in.ArtifactDigest, Firmware: in.Firmware,
		Channels: telemetry.NormalizeList(in.Channels), Purls: telemetry.NormalizeList(in.Purls)}
	if len(d.Purls) == 0 {
		d.Purls = nil
	}
	if err := telemetry.ValidateDevice(d.rule(), c.Params); err != nil {
		return "", fmt.Errorf("%s: %w", err, ErrInvalidDevice)
	}
	var old Device
	exists, err := tx.Get(&old, keyDevice, in.ID)
	if err != nil {
		return "", err
	}
	if exists {
		d.RegisteredBy, d.RegisteredAt = old.RegisteredBy, old.RegisteredAt
	} else {
		d.RegisteredBy, d.RegisteredAt = dec.PrincipalID, now
	}
	d.UpdatedBy, d.UpdatedAt = dec.PrincipalID, now
	if err := tx.Put(d, keyDevice, d.ID); err != nil {
		return "", err
	}
	return wire.JSON(map[string]bool{"updated": exists})
}

// ReportInput is an anomaly report as a detector submits it
// (pkg/telemetry.ReportInput with JSON names).
type ReportInput struct {
	DeviceID       string   `json:"device_id"`
	WindowStart    int64    `json:"window_start"`
	WindowEnd      int64    `json:"window_end"`
	Channels       []string `json:"channels"`
	Score          int64    `json:"score"`
	Threshold      int64    `json:"threshold"`
	Method         string   `json:"method"`
	ModelDigest    string   `json:"model_digest"`
	EvidenceDigest string   `json:"evidence_digest"`
}

func (r ReportInput) rule() telemetry.ReportInput {
	return telemetry.ReportInput{DeviceID: r.DeviceID, WindowStart: r.WindowStart, WindowEnd: r.WindowEnd, Channels: r.Channels,
		Score: r.Score, Threshold: r.Threshold, Method: r.Method, ModelDigest: r.ModelDigest, EvidenceDigest: r.EvidenceDigest}
}

// ReportResult answers one report of a batch.
type ReportResult struct {
	ReportID   uint64 `json:"report_id"`
	Duplicate  bool   `json:"duplicate,omitempty"`
	IncidentID uint64 `json:"incident_id"`
	Level      string `json:"level"`
}

// SubmitReports validates a detector's batch of reports (a JSON list of
// pkg/telemetry report inputs), then records each and escalates its
// device. A report identical to an earlier one of the same detector
// (device, window, method) is answered with the earlier id and changes
// nothing, so a sentinel may resubmit a batch whose fate it did not learn.
func (c *Contract) SubmitReports(ctx contractapi.TransactionContextInterface, reports string) (string, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return "", err
	}
	var wireIns []ReportInput
	if err := wire.Decode(reports, &wireIns); err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	ins := make([]telemetry.ReportInput, len(wireIns))
	for i, w := range wireIns {
		ins[i] = w.rule()
	}
	if len(ins) == 0 {
		return "", ErrEmptyBatch
	}
	if len(ins) > int(c.Params.MaxReportsPerBatch) {
		return "", fmt.Errorf("%d reports, at most %d (max_reports_per_batch): %w", len(ins), c.Params.MaxReportsPerBatch, ErrBatchTooLarge)
	}
	dec, err := identity.Require(tx, caller, policy.ActionReportAnomaly, "")
	if err != nil {
		return "", err
	}
	if dec.PrincipalID == "" {
		return "", fmt.Errorf("%w: %s is not a detector principal", identity.ErrUnauthorized, caller.ID)
	}
	now := tx.Now().Unix()
	type item struct {
		in   telemetry.ReportInput
		dev  Device
		key  string
		dup  uint64
		skip int // index+1 of an earlier item of this batch with the same key
	}
	items := make([]item, len(ins))
	devices := map[string]Device{}
	batchKeys := map[string]int{}
	for i, in := range ins {
		if len(in.Channels) > int(c.Params.MaxChannels) {
			return "", fmt.Errorf("reports[%d]: %d channels, at most %d: %w", i, len(in.Channels), c.Params.MaxChannels, ErrInvalidReport)
		}
		in.Channels = telemetry.NormalizeList(in.Channels)
		if err := telemetry.ValidateReportShape(in, c.Params); err != nil {
			return "", fmt.Errorf("reports[%d]: %s: %w", i, err, ErrInvalidReport)
		}
		dev, ok := devices[in.DeviceID]
		if !ok {
			found, err := tx.Get(&dev, keyDevice, in.DeviceID)
			if err != nil {
				return "", err
			}
			if !found {
				return "", fmt.Errorf("reports[%d]: device %s is not registered: %w", i, in.DeviceID, ErrDeviceNotFound)
			}
			devices[in.DeviceID] = dev
		}
		if err := telemetry.ValidateReport(in, dev.rule(), now, c.Params); err != nil {
			return "", fmt.Errorf("reports[%d]: %s: %w", i, err, ErrInvalidReport)
		}
		sum := sha256.Sum256([]byte(telemetry.DedupKey(dec.PrincipalID, in)))
		it := item{in: in, dev: dev, key: hex.EncodeToString(sum[:])}
		var id uint64
		if found, err := tx.Get(&id, keyDedup, it.key); err != nil {
			return "", err
		} else if found {
			it.dup = id
		}
		if j, seen := batchKeys[it.key]; seen && it.dup == 0 {
			it.skip = j + 1
		} else {
			batchKeys[it.key] = i
		}
		items[i] = it
	}

	res := make([]ReportResult, len(items))
	added := map[string][]batchReport{} // this batch's reports per device
	signals := map[string]*telemetry.Signals{}
	for i, it := range items {
		if it.dup != 0 || it.skip != 0 {
			if it.skip != 0 {
				r := res[it.skip-1]
				r.Duplicate = true
				res[i] = r
				continue
			}
			var r Report
			if _, err := tx.Get(&r, keyReport, pad(it.dup)); err != nil {
				return "", err
			}
			st, err := c.state(tx, it.dev.ID)
			if err != nil {
				return "", err
			}
			res[i] = ReportResult{ReportID: it.dup, Duplicate: true, IncidentID: r.IncidentID, Level: st.Level}
			continue
		}
		rr, err := c.apply(tx, dec, it.dev, it.in, it.key, added, signals)
		if err != nil {
			return "", err
		}
		res[i] = rr
	}
	return wire.JSON(map[string]any{"results": res})
}

func (c *Contract) state(tx *ledger.Tx, deviceID string) (DeviceState, error) {
	st := DeviceState{Level: telemetry.LevelNormal.String()}
	_, err := tx.Get(&st, keyState, deviceID)
	return st, err
}

func getIncident(tx *ledger.Tx, id uint64) (Incident, bool, error) {
	var inc Incident
	ok, err := tx.Get(&inc, keyIncident, pad(id))
	return inc, ok, err
}

// openIncident returns the device's open incident (after expiring it if it
// is an alert past its expiry), or ok false.
func (c *Contract) openIncident(tx *ledger.Tx, deviceID string) (DeviceState, Incident, bool, error) {
	st, err := c.state(tx, deviceID)
	if err != nil || st.IncidentID == 0 {
		return st, Incident{}, false, err
	}
	inc, found, err := getIncident(tx, st.IncidentID)
	if err != nil {
		return st, inc, false, err
	}
	if !found {
		return st, inc, false, fmt.Errorf("device %s points to missing incident %d", deviceID, st.IncidentID)
	}
	now := tx.Now().Unix()
	if telemetry.Expired(inc.Rule, now) {
		inc.Status = telemetry.StatusExpired.String()
		if err := tx.Put(inc, keyIncident, pad(inc.ID)); err != nil {
			return st, inc, false, err
		}
		st = DeviceState{Level: telemetry.LevelNormal.String(), Since: now, LastReportID: st.LastReportID}
		return st, Incident{}, false, tx.Put(st, keyState, deviceID)
	}
	return st, inc, true, nil
}

// signalsOf evaluates the provenance and CTI signals of a device now.
func (c *Contract) signalsOf(tx *ledger.Tx, dev Device) (telemetry.Signals, error) {
	var sig telemetry.Signals
	digest, err := telemetry.ValidateDigest("artifact digest", dev.ArtifactDigest)
	if err != nil {
		return sig, err
	}
	if sig.Attested, err = attestation.HasSubject(tx, hex.EncodeToString(digest)); err != nil {
		return sig, err
	}
	if len(dev.Purls) == 0 {
		return sig, nil
	}
	ans, err := chaincti.Decide(tx, c.CTI, dev.Purls)
	if err != nil {
		return sig, err
	}
	dms := make([]telemetry.DependencyMatch, 0, len(ans.Results))
	for _, r := range ans.Results {
		dm := telemetry.DependencyMatch{Purl: r.Purl, Decision: r.Decision}
		for _, m := range r.Reasons {
			dm.IndicatorIDs = append(dm.IndicatorIDs, m.IndicatorID)
		}
		dms = append(dms, dm)
	}
	sig.CTIMatches, err = telemetry.CTISignal(dms, c.Params.CTIMinDecision)
	return sig, err
}

// apply records one validated report and escalates its device.
func (c *Contract) apply(tx *ledger.Tx, dec identity.Decision, dev Device, in telemetry.ReportInput, dedupKey string,
	added map[string][]batchReport, signals map[string]*telemetry.Signals,
) (ReportResult, error) {
	now := tx.Now().Unix()
	st, inc, open, err := c.openIncident(tx, dev.ID)
	if err != nil {
		return ReportResult{}, err
	}
	rule := telemetry.State{Level: telemetry.LevelNormal}
	var window []telemetry.Report
	if open {
		rule = inc.Rule
		// Reports are filed by UTC day, so the window reads one or two
		// days of the device's reports rather than all of them.
		from := now - c.Params.ConfirmWindow
	days:
		for day := dayOf(from); day <= dayOf(now); day++ {
			es, _, err := tx.Keys(0, keyByDevice, dev.ID, padTime(day))
			if err != nil {
				return ReportResult{}, err
			}
			for _, e := range es {
				if len(window) == MaxWindowScan {
					break days
				}
				if len(e.Attrs) != 4 || e.Attrs[2] < padTime(from) || e.Attrs[2] > padTime(now) {
					continue
				}
				var r Report
				if _, err := tx.Get(&r, keyReport, e.Attrs[3]); err != nil {
					return ReportResult{}, err
				}
				if r.IncidentID == inc.ID {
					window = append(window, r.rule())
				}
			}
		}
		for _, b := range added[dev.ID] {
			if b.incident == inc.ID && b.r.Time >= now-c.Params.ConfirmWindow {
				window = append(window, b.r)
			}
		}
	}
	var sig telemetry.Signals
	evaluated := false
	if rule.Level != telemetry.LevelConfirmed {
		s, ok := signals[dev.ID]
		if !ok {
			v, err := c.signalsOf(tx, dev)
			if err != nil {
				return ReportResult{}, err
			}
			s = &v
			signals[dev.ID] = s
		}
		sig, evaluated = *s, true
	}
	reportID, err := nextID(tx, "report")
	if err != nil {
		return ReportResult{}, err
	}
	rep := Report{ID: reportID, Detector: dec.PrincipalID, OrgID: dec.OrgID, Time: now, Input: in}
	out, err := telemetry.Escalate(c.Params, dev.Class, rule, window, rep.rule(), sig)
	if err != nil {
		return ReportResult{}, fmt.Errorf("%s: %w", err, ErrInvalidReport)
	}
	if out.Opened {
		id, err := nextID(tx, "incident")
		if err != nil {
			return ReportResult{}, err
		}
		inc = Incident{ID: id, DeviceID: dev.ID, OrgID: dev.OrgID, Status: telemetry.StatusAlert.String()}
		inc.Timing.OpenedAt = now
	}
	inc.Rule = out.State
	inc.Timing.FirstWindowStart = out.State.FirstWindowStart
	inc.ReportCount++
	inc.Detectors = telemetry.NormalizeList(append(inc.Detectors, dec.PrincipalID))
	if evaluated {
		inc.Attested, inc.CTIMatches = sig.Attested, sig.CTIMatches
	}
	if out.Confirmed {
		inc.Status = telemetry.StatusConfirmed.String()
		inc.Timing.ConfirmedAt = out.State.ConfirmedAt
	}
	if err := tx.Put(inc, keyIncident, pad(inc.ID)); err != nil {
		return ReportResult{}, err
	}
	rep.IncidentID = inc.ID
	if err := tx.Put(rep, keyReport, pad(rep.ID)); err != nil {
		return ReportResult{}, err
	}
	if err := tx.Mark(keyByDevice, dev.ID, padTime(dayOf(now)), padTime(now), pad(rep.ID)); err != nil {
		return ReportResult{}, err
	}
	if err := tx.Put(rep.ID, keyDedup, dedupKey); err != nil {
		return ReportResult{}, err
	}
	added[dev.ID] = append(added[dev.ID], batchReport{r: rep.rule(), incident: inc.ID})
	ns := DeviceState{Level: out.To.String(), IncidentID: inc.ID, Since: st.Since, LastReportID: rep.ID}
	if out.From != out.To {
		ns.Since = now
	}
	if err := tx.Put(ns, keyState, dev.ID); err != nil {
		return ReportResult{}, err
	}
	if out.Recommend != nil {
		if err := tx.Emit("adf.telemetry.MitigationRecommended", map[string]any{
			"device_id": dev.ID, "incident_id": inc.ID, "action": out.Recommend.Action, "channels": out.Recommend.Channels,
			"reasons": telemetry.JoinReasons(out.State.Reasons),
		}); err != nil {
			return ReportResult{}, err
		}
	}
	return ReportResult{ReportID: rep.ID, IncidentID: inc.ID, Level: ns.Level}, nil
}

// batchReport is a report written earlier in the same transaction, which
// range reads do not see.
type batchReport struct {
	r        telemetry.Report
	incident uint64
}

// handle authorises handle-incident on deviceID, which must be the
// incident's, of the caller's organisation, and expires the incident first
// if it is an alert past its expiry.
func (c *Contract) handle(ctx contractapi.TransactionContextInterface, incidentID uint64, deviceID, note string) (*ledger.Tx, Incident, identity.Decision, error) {
	tx, caller, err := identity.Begin(ctx)
	if err != nil {
		return nil, Incident{}, identity.Decision{}, err
	}
	if err := telemetry.ValidateNote(note); err != nil {
		return nil, Incident{}, identity.Decision{}, fmt.Errorf("%s: %w", err, ErrInvalidIncidentOp)
	}
	if err := telemetry.ValidateDeviceID(deviceID); err != nil {
		return nil, Incident{}, identity.Decision{}, fmt.Errorf("%s: %w", err, ErrInvalidDevice)
	}
	dec, err := identity.Require(tx, caller, policy.ActionHandleIncident, deviceID)
	if err != nil {
		return nil, Incident{}, dec, err
	}
	inc, found, err := getIncident(tx, incidentID)
	if err != nil {
		return nil, inc, dec, err
	}
	if !found {
		return nil, inc, dec, fmt.Errorf("incident %d: %w", incidentID, ErrIncidentNotFound)
	}
	if inc.DeviceID != deviceID {
		return nil, inc, dec, fmt.Errorf("incident %d is of device %s, not %s: %w", incidentID, inc.DeviceID, deviceID, ErrInvalidIncidentOp)
	}
	if inc.OrgID != dec.OrgID {
		return nil, inc, dec, fmt.Errorf("incident %d is of organisation %s; %s is of %s: %w", incidentID, inc.OrgID, dec.PrincipalID, dec.OrgID, ErrWrongOrganization)
	}
	if telemetry.Expired(inc.Rule, tx.Now().Unix()) && inc.Status == telemetry.StatusAlert.String() {
		inc.Status = telemetry.StatusExpired.String()
	}
	return tx, inc, dec, nil
}

func statusOf(inc Incident) telemetry.IncidentStatus {
	s, err := telemetry.ParseStatus(inc.Status)
	if err != nil {
		return 0
	}
	return s
}

// AcknowledgeIncident records that an operator of the device's
// organisation took the incident in hand.
func (c *Contract) AcknowledgeIncident(ctx contractapi.TransactionContextInterface, incidentID uint64, deviceID, note string) (string, error) {
	tx, inc, dec, err := c.handle(ctx, incidentID, deviceID, note)
	if err != nil {
		return "", err
	}
	if err := telemetry.CanAcknowledge(statusOf(inc), inc.Timing.AcknowledgedAt); err != nil {
		return "", fmt.Errorf("incident %d: %s: %w", inc.ID, err, ErrInvalidIncidentOp)
	}
	inc.Timing.AcknowledgedAt, inc.AckBy, inc.Note = tx.Now().Unix(), dec.PrincipalID, note
	if err := tx.Put(inc, keyIncident, pad(inc.ID)); err != nil {
		return "", err
	}
	return wire.JSON(map[string]int64{"time_to_acknowledge": inc.Timing.TimeToAcknowledge()})
}

// ResolveIncident closes an alert or a confirmed incident; the device
// returns to normal.
func (c *Contract) ResolveIncident(ctx contractapi.TransactionContextInterface, incidentID uint64, deviceID, note string) (string, error) {
	tx, inc, dec, err := c.handle(ctx, incidentID, deviceID, note)
	if err != nil {
		return "", err
	}
	if err := telemetry.CanResolve(statusOf(inc)); err != nil {
		return "", fmt.Errorf("incident %d: %s: %w", inc.ID, err, ErrInvalidIncidentOp)
	}
	now := tx.Now().Unix()
	inc.Status, inc.Timing.ResolvedAt, inc.ResolvedBy, inc.Note = telemetry.StatusResolved.String(), now, dec.PrincipalID, note
	if err := tx.Put(inc, keyIncident, pad(inc.ID)); err != nil {
		return "", err
	}
	st, err := c.state(tx, deviceID)
	if err != nil {
		return "", err
	}
	if st.IncidentID == inc.ID {
		st = DeviceState{Level: telemetry.LevelNormal.String(), Since: now, LastReportID: st.LastReportID}
		if err := tx.Put(st, keyState, deviceID); err != nil {
			return "", err
		}
	}
	return wire.JSON(map[string]int64{"time_to_resolve": inc.Timing.TimeToResolve()})
}

// GetDevice returns a device with its escalation state (an alert past its
// expiry shows as normal, as it will be once a transaction touches it).
func (c *Contract) GetDevice(ctx contractapi.TransactionContextInterface, deviceID string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	var d Device
	if found, err := tx.Get(&d, keyDevice, deviceID); err != nil {
		return "", err
	} else if !found {
		return "", fmt.Errorf("device %s: %w", deviceID, ErrDeviceNotFound)
	}
	st, err := c.state(tx, deviceID)
	if err != nil {
		return "", err
	}
	if st.IncidentID != 0 {
		inc, found, err := getIncident(tx, st.IncidentID)
		if err != nil {
			return "", err
		}
		if found && telemetry.Expired(inc.Rule, tx.Now().Unix()) {
			st = DeviceState{Level: telemetry.LevelNormal.String(), Since: inc.Rule.ExpiresAt, LastReportID: st.LastReportID}
		}
	}
	return wire.JSON(map[string]any{"device": d, "state": st})
}

// GetIncident returns an incident with its times (time to detect,
// acknowledge, resolve).
func (c *Contract) GetIncident(ctx contractapi.TransactionContextInterface, incidentID uint64) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	inc, found, err := getIncident(tx, incidentID)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("incident %d: %w", incidentID, ErrIncidentNotFound)
	}
	if inc.Status == telemetry.StatusAlert.String() && telemetry.Expired(inc.Rule, tx.Now().Unix()) {
		inc.Status = telemetry.StatusExpired.String()
	}
	return wire.JSON(map[string]any{"incident": inc, "time_to_detect": inc.Timing.TimeToDetect(),
		"time_to_acknowledge": inc.Timing.TimeToAcknowledge(), "time_to_resolve": inc.Timing.TimeToResolve()})
}
