package types

import (
	"github.com/adf-consortium/adf/pkg/telemetry"
)

// ToDomain converts a device for pkg/telemetry.
func (d Device) ToDomain() telemetry.Device {
	return telemetry.Device{ID: d.Id, OrgID: d.OrgId, Class: d.Class, ArtifactDigest: d.ArtifactDigest,
		Firmware: d.Firmware, Channels: d.Channels, Purls: d.Purls}
}

// ToDomain converts a report input for pkg/telemetry.
func (r ReportInput) ToDomain() telemetry.ReportInput {
	return telemetry.ReportInput{DeviceID: r.DeviceId, WindowStart: r.WindowStart, WindowEnd: r.WindowEnd,
		Channels: r.Channels, Score: r.Score, Threshold: r.Threshold, Method: r.Method,
		ModelDigest: r.ModelDigest, EvidenceDigest: r.EvidenceDigest}
}

// Input is the input a stored report was submitted with.
func (r AnomalyReport) Input() telemetry.ReportInput {
	return telemetry.ReportInput{DeviceID: r.DeviceId, WindowStart: r.WindowStart, WindowEnd: r.WindowEnd,
		Channels: r.Channels, Score: r.Score, Threshold: r.Threshold, Method: r.Method,
		ModelDigest: r.ModelDigest, EvidenceDigest: r.EvidenceDigest}
}

// Rule is a stored report as the escalation rules see it.
func (r AnomalyReport) Rule() telemetry.Report {
	return telemetry.Report{ID: r.Id, Detector: r.Detector, Time: r.Time, WindowStart: r.WindowStart,
		WindowEnd: r.WindowEnd, Channels: r.Channels}
}

// LevelWord is the level as pkg/telemetry names it (normal, alert,
// confirmed).
func LevelWord(l Level) string { return telemetry.Level(l).String() }

// StatusWord is the status as pkg/telemetry names it.
func StatusWord(s IncidentStatus) string { return telemetry.IncidentStatus(s).String() }

// RuleState is the escalation state of a device whose open incident is inc
// (ignored when the level is normal).
func RuleState(st DeviceState, inc Incident) telemetry.State {
	if st.Level != LEVEL_ALERT && st.Level != LEVEL_CONFIRMED {
		return telemetry.State{Level: telemetry.LevelNormal}
	}
	rs := make([]telemetry.Reason, len(inc.Reasons))
	for i, r := range inc.Reasons {
		rs[i] = telemetry.Reason(r)
	}
	return telemetry.State{
		Level:            telemetry.Level(st.Level),
		OpenedAt:         inc.OpenedTime,
		ExpiresAt:        inc.ExpiresAt,
		ConfirmedAt:      inc.ConfirmedTime,
		FirstWindowStart: inc.FirstWindowStart,
		Channels:         inc.Channels,
		Reasons:          rs,
		Mitigation:       telemetry.Recommendation{Action: telemetry.Action(inc.Mitigation), Channels: inc.MitigationChannels},
	}
}

// Timing is an incident's times for pkg/telemetry.
func (inc Incident) Timing() telemetry.Timing {
	return telemetry.Timing{OpenedAt: inc.OpenedTime, ConfirmedAt: inc.ConfirmedTime, FirstWindowStart: inc.FirstWindowStart,
		AcknowledgedAt: inc.AcknowledgedTime, ResolvedAt: inc.ResolvedTime}
}
