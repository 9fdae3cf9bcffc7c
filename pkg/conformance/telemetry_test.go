package conformance

import (
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
