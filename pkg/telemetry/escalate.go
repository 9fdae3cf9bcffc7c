package telemetry

import (
	"fmt"
	"slices"
)

// State is a device's escalation state together with the parts of its open
// incident the rules need.
type State struct {
	Level Level
	// OpenedAt is the block time the alert opened; ExpiresAt when an
	// unconfirmed alert expires.
	OpenedAt  int64
	ExpiresAt int64
	// ConfirmedAt is the block time of confirmation (0 before).
	ConfirmedAt int64
	// FirstWindowStart is the earliest window start of the incident's
	// reports.
	FirstWindowStart int64
	// Channels are the channels the incident's reports named, sorted.
	Channels []string
	// Reasons of the confirmation.
	Reasons []Reason
	// Mitigation is the latest recommendation.
	Mitigation Recommendation
}

// Report is an accepted report as the rules see it.
type Report struct {
	ID          uint64
	Detector    string
	Time        int64
	WindowStart int64
	WindowEnd   int64
	Channels    []string
}

// Signals are what the chain knows of the device besides the reports, at
// the time of the report.
type Signals struct {
	// Attested: the device's artifact digest has an anchored attestation.
	Attested bool
	// CTIMatches lists dependency matches whose decision reached
	// CTIMinDecision (empty: no CTI signal).
	CTIMatches []string
}

// Outcome is the result of one report.
type Outcome struct {
	State State
	From  Level
	To    Level
	// Reasons of the level change (nil when the level did not change).
	Reasons []Reason
	// Opened: the report opened a new incident.
	Opened bool
	// Confirmed: the report confirmed the incident.
	Confirmed bool
	// Recommend is set when a new or changed mitigation is recommended.
	Recommend *Recommendation
}

// Escalate applies one report r of a device of class class in state st.
// window holds the incident's earlier reports (any order; those outside
// r.Time - ConfirmWindow .. r.Time are ignored; ignored altogether when st
// is normal, since they belong to closed incidents).
//
// Transitions:
//
//	normal    → alert      one report opens an incident (reason report)
//	alert     → confirmed  ConfirmReports distinct detectors within the
//	                       window (detectors), or the report coincides with a
//	                       CTI match on the dependencies (cti-match), or the
//	                       artifact has no anchored attestation
//	                       (no-attestation); a first report that already
//	                       meets a condition goes normal → confirmed
//	confirmed → confirmed  further reports widen the channels; the
//	                       mitigation is recommended again when it changes
//
// On confirmation the mitigation is safe mode when the class is listed in
// SafeModeClasses or the incident spans at least SafeModeChannels channels,
// and otherwise quarantine of the affected channels. Safe mode is never
// downgraded within an incident.
func Escalate(p Params, class string, st State, window []Report, r Report, sig Signals) (Outcome, error) {
	if r.WindowStart > r.WindowEnd {
		return Outcome{}, fmt.Errorf("report %d: window start after end", r.ID)
	}
	if len(r.Channels) == 0 {
		return Outcome{}, fmt.Errorf("report %d: no channels", r.ID)
	}
	out := Outcome{From: st.Level}
	next := st
	next.Channels = slices.Clone(st.Channels)
	next.Reasons = slices.Clone(st.Reasons)
	switch st.Level {
	case LevelNormal, 0:
		out.From = LevelNormal
		next = State{
			Level:            LevelAlert,
			OpenedAt:         r.Time,
			ExpiresAt:        r.Time + p.AlertExpiry,
			FirstWindowStart: r.WindowStart,
			Channels:         NormalizeList(r.Channels),
		}
		window = nil
		out.Opened = true
	case LevelAlert, LevelConfirmed:
		next.Channels = NormalizeList(append(next.Channels, r.Channels...))
		if r.WindowStart < next.FirstWindowStart {
			next.FirstWindowStart = r.WindowStart
		}
	default:
		return Outcome{}, fmt.Errorf("unknown level %d", st.Level)
	}

	if next.Level == LevelAlert {
		var reasons []Reason
		if DistinctDetectors(window, r, p.ConfirmWindow) >= int(p.ConfirmReports) {
			reasons = append(reasons, ReasonDetectors)
		}
		if len(sig.CTIMatches) > 0 {
			reasons = append(reasons, ReasonCTIMatch)
		}
		if !sig.Attested {
			reasons = append(reasons, ReasonNoAttestation)
		}
		if len(reasons) > 0 {
			next.Level = LevelConfirmed
			next.ConfirmedAt = r.Time
			next.Reasons = reasons
			next.ExpiresAt = 0
			out.Confirmed = true
			out.Reasons = reasons
		} else if out.Opened {
			out.Reasons = []Reason{ReasonReport}
		}
	}
	out.To = next.Level

	if next.Level == LevelConfirmed {
		rec := Mitigate(p, class, next.Channels)
		if next.Mitigation.Action == ActionSafeMode {
			rec.Action = ActionSafeMode
		}
		if !rec.Equal(next.Mitigation) {
			next.Mitigation = rec
			out.Recommend = &rec
		}
	}
	if out.From == out.To && !out.Opened {
		out.Reasons = nil
	}
	out.State = next
	return out, nil
}

// DistinctDetectors counts the distinct detectors of r and of the reports
// in window within window seconds before r.Time (inclusive).
func DistinctDetectors(window []Report, r Report, seconds int64) int {
	ds := []string{r.Detector}
	for _, w := range window {
		if w.Time < r.Time-seconds || w.Time > r.Time {
			continue
		}
		ds = append(ds, w.Detector)
	}
	return len(NormalizeList(ds))
}

// Mitigate recommends safe mode or quarantine of the channels.
func Mitigate(p Params, class string, channels []string) Recommendation {
	chs := NormalizeList(channels)
	if p.SafeModeClass(class) || (p.SafeModeChannels > 0 && uint32(len(chs)) >= p.SafeModeChannels) {
		return Recommendation{Action: ActionSafeMode, Channels: chs}
	}
	return Recommendation{Action: ActionQuarantineChannel, Channels: chs}
}

// Expired reports whether st is an unconfirmed alert past its expiry at
// block time now.
func Expired(st State, now int64) bool {
	return st.Level == LevelAlert && st.ExpiresAt > 0 && now >= st.ExpiresAt
}

// Timing are an incident's times (block time, unix seconds; 0 = not yet).
type Timing struct {
	OpenedAt         int64
	ConfirmedAt      int64
	FirstWindowStart int64
	AcknowledgedAt   int64
	ResolvedAt       int64
}

// DetectedAt is the confirmation time, or the opening time of an incident
// handled before confirmation.
func (t Timing) DetectedAt() int64 {
	if t.ConfirmedAt > 0 {
		return t.ConfirmedAt
	}
	return t.OpenedAt
}

// TimeToDetect is the confirmation time minus the earliest window start
// (0 before confirmation; never negative, as a window may end a little
// after the block time).
func (t Timing) TimeToDetect() int64 {
	if t.ConfirmedAt == 0 {
		return 0
	}
	return nonNeg(t.ConfirmedAt - t.FirstWindowStart)
}

// TimeToAcknowledge is the acknowledgement time minus DetectedAt.
func (t Timing) TimeToAcknowledge() int64 {
	if t.AcknowledgedAt == 0 {
		return 0
	}
	return nonNeg(t.AcknowledgedAt - t.DetectedAt())
}

// TimeToResolve is the resolution time minus DetectedAt.
func (t Timing) TimeToResolve() int64 {
	if t.ResolvedAt == 0 {
		return 0
	}
	return nonNeg(t.ResolvedAt - t.DetectedAt())
}

func nonNeg(v int64) int64 {
	if v < 0 {
		return 0
	}
	return v
}

// CanAcknowledge checks that an incident in status s, acknowledged at
// ackAt (0: not yet), may be acknowledged.
func CanAcknowledge(s IncidentStatus, ackAt int64) error {
	if s.Final() {
		return fmt.Errorf("incident is %s: nothing to acknowledge", s)
	}
	if s != StatusAlert && s != StatusConfirmed {
		return fmt.Errorf("incident status %s", s)
	}
	if ackAt != 0 {
		return fmt.Errorf("incident already acknowledged at %d", ackAt)
	}
	return nil
}

// CanResolve checks that an incident in status s may be resolved: an alert
// (an operator closes a false alarm early) or a confirmed incident.
func CanResolve(s IncidentStatus) error {
	if s.Final() {
		return fmt.Errorf("incident is already %s", s)
	}
	if s != StatusAlert && s != StatusConfirmed {
		return fmt.Errorf("incident status %s", s)
	}
	return nil
}

// DependencyMatch is x/cti's answer for one dependency of a device.
type DependencyMatch struct {
	Purl         string
	Decision     string
	IndicatorIDs []string
}

// MaxCTIMatchLines caps the CTI match lines kept on an incident.
const MaxCTIMatchLines = 16

// CTISignal returns "<purl> <indicator id> <decision>" for each dependency
// whose decision reaches min (capped at MaxCTIMatchLines, in the order
// given). A decision that does not parse is an error: the caller's matcher
// and these rules disagree.
func CTISignal(ms []DependencyMatch, min Decision) ([]string, error) {
	var out []string
	for _, m := range ms {
		d, err := ParseDecision(m.Decision)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Purl, err)
		}
		if d < min || d == DecisionPass {
			continue
		}
		ids := m.IndicatorIDs
		if len(ids) == 0 {
			ids = []string{"-"}
		}
		for _, id := range ids {
			if len(out) == MaxCTIMatchLines {
				return out, nil
			}
			out = append(out, m.Purl+" "+id+" "+d.String())
		}
	}
	return out, nil
}
