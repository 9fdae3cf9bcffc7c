package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/telemetry"
)

// TestTelemetryTableAgainstRules checks the telemetry table's inputs with
// pkg/telemetry's rules alone: the params, the devices and report shapes
// (valid exactly where the step expects success or a later failure), the
// CTI signal of TelemetryMatches and the order of the steps.
func TestTelemetryTableAgainstRules(t *testing.T) {
	p := TelemetryParams()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.ConfirmWindow >= p.AlertExpiry {
		t.Fatal("the window must be shorter than the expiry for the outside-the-window case")
	}
	sig, err := telemetry.CTISignal(TelemetryMatches(), p.CTIMinDecision)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for _, s := range TelemetrySteps() {
		if s.At < last {
			t.Fatalf("%s: at %d, before %d", s.Name, s.At, last)
		}
		last = s.At
		switch s.Op {
		case OpRegister:
			d := telemetry.Device{ID: s.Device.ID, OrgID: TelemetryOrg, Class: s.Device.Class, ArtifactDigest: s.Device.Artifact, Firmware: "1.0.0",
				Channels: telemetry.NormalizeList(s.Device.Channels), Purls: telemetry.NormalizeList(s.Device.Purls)}
			err := telemetry.ValidateDevice(d, p)
			if (err == nil) != (s.Want == "") || (err != nil && !strings.Contains(err.Error(), s.Want)) {
				t.Errorf("%s: %v, want %q", s.Name, err, s.Want)
			}
		case OpReport:
			in := s.Report.Input(1_800_000_000)
			in.Channels = telemetry.NormalizeList(in.Channels)
			err := telemetry.ValidateReportShape(in, p)
			if err != nil && (s.WantError != "invalid report" || !strings.Contains(err.Error(), s.Want)) {
				t.Errorf("%s: %v, want %q", s.Name, err, s.Want)
			}
			if s.Want == "" && s.WantCTIMatches != nil && !slices.Equal(s.WantCTIMatches, sig) {
				t.Errorf("%s: CTI matches %q, the rules give %q", s.Name, s.WantCTIMatches, sig)
			}
		}
		if s.Want == "" && s.WantIncident != 0 {
			tm := s.WantTiming.Abs(1_800_000_000)
			if tm.OpenedAt == 0 || (s.WantStatus == telemetry.StatusConfirmed) != (tm.ConfirmedAt != 0) && s.WantStatus != telemetry.StatusResolved {
				t.Errorf("%s: timing %+v for status %s", s.Name, tm, s.WantStatus)
			}
		}
	}
}

// TestTelemetryStepsAgainstRules runs the telemetry steps through
// pkg/telemetry's rules alone, with the bookkeeping both deployments do
// around them (incidents, report windows, deduplication, lazy expiry as
// the chaincode does it), so that the table's expectations follow from
// the rules rather than from either deployment. Authorisation is not a
// rule of pkg/telemetry: the operator's lack of the report-anomaly right
// is modelled, the principal kinds are not (the chaincode's behaviour).
func TestTelemetryStepsAgainstRules(t *testing.T) {
	type incident struct {
		dev       string
		status    telemetry.IncidentStatus
		st        telemetry.State
		timing    telemetry.Timing
		detectors []string
		attested  bool
		cti       []string
	}
	type report struct {
		r   telemetry.Report
		inc uint64
	}
	p := TelemetryParams()
	const start = 1_800_000_000
	devices := map[string]telemetry.Device{}
	open := map[string]uint64{} // device → open incident
	var incs []*incident        // incident n is incs[n-1]
	var reports []report        // report n is reports[n-1]
	dedup := map[string]uint64{}
	matches := map[string]telemetry.DependencyMatch{}
	for _, m := range TelemetryMatches() {
		matches[m.Purl] = m
	}
	// expire closes dev's open alert if it is past its expiry at now.
	expire := func(dev string, now int64) {
		if n := open[dev]; n != 0 && incs[n-1].status == telemetry.StatusAlert && telemetry.Expired(incs[n-1].st, now) {
			incs[n-1].status = telemetry.StatusExpired
			delete(open, dev)
		}
	}
	level := func(dev string) telemetry.Level {
		if n := open[dev]; n != 0 {
			return incs[n-1].st.Level
		}
		return telemetry.LevelNormal
	}

	for _, s := range TelemetrySteps() {
		now := int64(start) + s.At
		dev := s.DeviceID
		var err error
		var rec *telemetry.Recommendation
		var from telemetry.Level
		var res struct {
			report, inc uint64
			dup         bool
		}
		switch s.Op {
		case OpRegister:
			dev = s.Device.ID
			d := telemetry.Device{ID: dev, OrgID: TelemetryOrg, Class: s.Device.Class, ArtifactDigest: s.Device.Artifact, Firmware: "1.0.0",
				Channels: telemetry.NormalizeList(s.Device.Channels), Purls: telemetry.NormalizeList(s.Device.Purls)}
			if err = telemetry.ValidateDevice(d, p); err == nil {
				devices[dev] = d
			}
		case OpReport:
			in := s.Report.Input(start)
			in.Channels = telemetry.NormalizeList(in.Channels)
			dev = in.DeviceID
			d, known := devices[dev]
			switch {
			case s.By == TelemetryOperator:
				err = fmt.Errorf("%s may not report-anomaly", s.By)
			case telemetry.ValidateReportShape(in, p) != nil:
				err = telemetry.ValidateReportShape(in, p)
			case !known:
				err = fmt.Errorf("device %s is not registered", dev)
			default:
				err = telemetry.ValidateReport(in, d, now, p)
			}
			if err != nil {
				break
			}
			key := telemetry.DedupKey(s.By, in)
			if id, ok := dedup[key]; ok {
				from = level(dev)
				res.report, res.inc, res.dup = id, reports[id-1].inc, true
				break
			}
			expire(dev, now)
			from = level(dev)
			st := telemetry.State{Level: telemetry.LevelNormal}
			var window []telemetry.Report
			n := open[dev]
			if n != 0 {
				st = incs[n-1].st
				for _, r := range reports {
					if r.inc == n && r.r.Time >= now-p.ConfirmWindow && r.r.Time <= now {
						window = append(window, r.r)
					}
				}
			}
			var dms []telemetry.DependencyMatch
			for _, pu := range d.Purls {
				dms = append(dms, matches[pu])
			}
			sig := telemetry.Signals{Attested: d.ArtifactDigest == TelemetryAttested()}
			if sig.CTIMatches, err = telemetry.CTISignal(dms, p.CTIMinDecision); err != nil {
				t.Fatal(err)
			}
			r := telemetry.Report{ID: uint64(len(reports) + 1), Detector: s.By, Time: now, WindowStart: in.WindowStart, WindowEnd: in.WindowEnd, Channels: in.Channels}
			out, err := telemetry.Escalate(p, d.Class, st, window, r, sig)
			if err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
			if out.Opened {
				incs = append(incs, &incident{dev: dev, status: telemetry.StatusAlert, timing: telemetry.Timing{OpenedAt: now}})
				n = uint64(len(incs))
				open[dev] = n
			}
			inc := incs[n-1]
			inc.st = out.State
			inc.timing.FirstWindowStart = out.State.FirstWindowStart
			inc.detectors = telemetry.NormalizeList(append(inc.detectors, s.By))
			if st.Level != telemetry.LevelConfirmed {
				inc.attested, inc.cti = sig.Attested, sig.CTIMatches
			}
			if out.Confirmed {
				inc.status, inc.timing.ConfirmedAt = telemetry.StatusConfirmed, out.State.ConfirmedAt
			}
			reports = append(reports, report{r: r, inc: n})
			dedup[key] = r.ID
			res.report, res.inc, rec = r.ID, n, out.Recommend
		case OpAcknowledge, OpResolve:
			expire(dev, now)
			from = level(dev)
			inc := incs[s.Incident-1]
			status := inc.status
			if status == telemetry.StatusAlert && telemetry.Expired(inc.st, now) {
				status = telemetry.StatusExpired
			}
			if s.Op == OpAcknowledge {
				if err = telemetry.CanAcknowledge(status, inc.timing.AcknowledgedAt); err == nil {
					inc.timing.AcknowledgedAt = now
				}
			} else if err = telemetry.CanResolve(status); err == nil {
				inc.status, inc.timing.ResolvedAt = telemetry.StatusResolved, now
				if open[dev] == s.Incident {
					delete(open, dev)
				}
			}
		case OpObserve:
			expire(dev, now)
		}

		if s.Want != "" {
			if err == nil || !strings.Contains(err.Error(), s.Want) {
				t.Fatalf("%s: %v, want %q", s.Name, err, s.Want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if s.Op == OpReport && (res.report != s.WantReport || res.dup != s.WantDuplicate || res.inc != s.WantIncident ||
			(rec == nil) != (s.WantRecommend == nil) || (rec != nil && !rec.Equal(*s.WantRecommend))) {
			t.Fatalf("%s: report %+v recommend %v", s.Name, res, rec)
		}
		if s.WantFrom != 0 && from != s.WantFrom {
			t.Fatalf("%s: from %s, want %s", s.Name, from, s.WantFrom)
		}
		if s.WantTo != 0 && level(dev) != s.WantTo {
			t.Fatalf("%s: level %s, want %s", s.Name, level(dev), s.WantTo)
		}
		if s.WantIncident == 0 {
			continue
		}
		inc := incs[s.WantIncident-1]
		if inc.dev != dev || inc.status != s.WantStatus || !slices.Equal(inc.st.Reasons, s.WantReasons) || !inc.st.Mitigation.Equal(s.WantMitigation) ||
			!slices.Equal(inc.st.Channels, s.WantChannels) || !slices.Equal(inc.detectors, s.WantDetectors) || inc.attested != s.WantAttested ||
			!slices.Equal(inc.cti, s.WantCTIMatches) || inc.timing != s.WantTiming.Abs(start) {
			t.Fatalf("%s: incident %d %+v", s.Name, s.WantIncident, *inc)
		}
	}
}
