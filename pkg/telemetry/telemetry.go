// Package telemetry holds ADF's chain-agnostic rules for CPS telemetry:
// validation of devices and anomaly reports, and the multi-signal
// escalation of a device from normal through alert to a confirmed incident
// with a recommended mitigation. It imports neither the Cosmos SDK nor
// Fabric, so x/telemetry and the Fabric chaincode decide alike.
//
// Everything is deterministic: times are block times in unix seconds,
// scores are integers, lists are sorted, and no map is iterated.
package telemetry

import (
	"fmt"
	"slices"
)

// Level is a device's escalation level. The values equal x/telemetry's
// proto enum.
type Level int32

const (
	LevelNormal    Level = 1
	LevelAlert     Level = 2
	LevelConfirmed Level = 3
)

func (l Level) String() string {
	switch l {
	case LevelNormal:
		return "normal"
	case LevelAlert:
		return "alert"
	case LevelConfirmed:
		return "confirmed"
	}
	return fmt.Sprintf("level(%d)", int32(l))
}

// Reason names why a level changed.
type Reason string

const (
	// ReasonReport: a report opened an alert.
	ReasonReport Reason = "report"
	// ReasonDetectors: k distinct detectors reported within the window.
	ReasonDetectors Reason = "detectors"
	// ReasonCTIMatch: a report coincided with a CTI match on the device's
	// dependencies.
	ReasonCTIMatch Reason = "cti-match"
	// ReasonNoAttestation: the device's artifact has no anchored
	// attestation (missing provenance).
	ReasonNoAttestation Reason = "no-attestation"
	// ReasonExpired: an alert was not confirmed in time (false alarm).
	ReasonExpired Reason = "expired"
	// ReasonResolved: an operator resolved the incident.
	ReasonResolved Reason = "resolved"
)

// JoinReasons renders reasons as a comma-separated list.
func JoinReasons(rs []Reason) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ","
		}
		s += string(r)
	}
	return s
}

// Action is a recommended mitigation.
type Action string

const (
	ActionNone Action = ""
	// ActionSafeMode: put the whole device in its safe mode.
	ActionSafeMode Action = "safe-mode"
	// ActionQuarantineChannel: stop trusting (isolate) the affected channels.
	ActionQuarantineChannel Action = "quarantine-channel"
)

// Recommendation is a mitigation for a device.
type Recommendation struct {
	Action   Action
	Channels []string
}

// Equal reports whether two recommendations are the same.
func (r Recommendation) Equal(o Recommendation) bool {
	return r.Action == o.Action && slices.Equal(r.Channels, o.Channels)
}

// Decision is an x/cti gate decision, ordered pass < warn < hold < block.
type Decision int

const (
	DecisionPass Decision = iota
	DecisionWarn
	DecisionHold
	DecisionBlock
)

// ParseDecision parses "pass", "warn", "hold" or "block".
func ParseDecision(s string) (Decision, error) {
	switch s {
	case "pass":
		return DecisionPass, nil
	case "warn":
		return DecisionWarn, nil
	case "hold":
		return DecisionHold, nil
	case "block":
		return DecisionBlock, nil
	}
	return 0, fmt.Errorf("unknown decision %q: want pass, warn, hold or block", s)
}

func (d Decision) String() string {
	switch d {
	case DecisionPass:
		return "pass"
	case DecisionWarn:
		return "warn"
	case DecisionHold:
		return "hold"
	case DecisionBlock:
		return "block"
	}
	return fmt.Sprintf("decision(%d)", int(d))
}

// IncidentStatus is an incident's lifecycle state; the values equal
// x/telemetry's proto enum.
type IncidentStatus int32

const (
	StatusAlert     IncidentStatus = 1
	StatusConfirmed IncidentStatus = 2
	StatusResolved  IncidentStatus = 3
	StatusExpired   IncidentStatus = 4
)

func (s IncidentStatus) String() string {
	switch s {
	case StatusAlert:
		return "alert"
	case StatusConfirmed:
		return "confirmed"
	case StatusResolved:
		return "resolved"
	case StatusExpired:
		return "expired"
	}
	return fmt.Sprintf("status(%d)", int32(s))
}

// ParseStatus parses a status word.
func ParseStatus(s string) (IncidentStatus, error) {
	for _, st := range []IncidentStatus{StatusAlert, StatusConfirmed, StatusResolved, StatusExpired} {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("unknown incident status %q: want alert, confirmed, resolved or expired", s)
}

// Final reports whether no operation changes the incident any more.
func (s IncidentStatus) Final() bool { return s == StatusResolved || s == StatusExpired }
