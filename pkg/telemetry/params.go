package telemetry

import (
	"fmt"
	"slices"
)

// Params are the escalation rules and the bounds of work per message.
type Params struct {
	// ConfirmReports (k): distinct detectors whose reports fall within
	// ConfirmWindow confirm an alert.
	ConfirmReports uint32
	// ConfirmWindow: seconds of block time over which reports are counted.
	ConfirmWindow int64
	// MaxClockSkew: a report window may end at most this far after the
	// block time.
	MaxClockSkew int64
	// MaxReportAge: a report window must end at most this long before the
	// block time.
	MaxReportAge int64
	// AlertExpiry: an alert not confirmed this many seconds after it
	// opened expires.
	AlertExpiry int64
	// SafeModeClasses: device classes whose confirmed incidents recommend
	// safe mode. Sorted, unique.
	SafeModeClasses []string
	// SafeModeChannels: an incident on at least this many channels
	// recommends safe mode (0: never by count).
	SafeModeChannels uint32
	// CTIMinDecision: the least x/cti decision that counts as a CTI signal.
	CTIMinDecision Decision
	// Work bounds.
	MaxReportsPerBatch  uint32
	MaxDependencies     uint32
	MaxChannels         uint32
	MaxExpiriesPerBlock uint32
}

// Defaults.
const (
	DefaultConfirmReports      = 2
	DefaultConfirmWindow       = 600
	DefaultMaxClockSkew        = 30
	DefaultMaxReportAge        = 3600
	DefaultAlertExpiry         = 600
	DefaultSafeModeChannels    = 3
	DefaultMaxReportsPerBatch  = 64
	DefaultMaxDependencies     = 2000
	DefaultMaxChannels         = 64
	DefaultMaxExpiriesPerBlock = 100

	// Hard limits on the params themselves.
	MaxConfirmReports   = 64
	MaxWindowSeconds    = 7 * 24 * 3600
	MaxBatchLimit       = 1000
	MaxDependencyLimit  = 10000
	MaxChannelLimit     = 256
	MaxExpiryLimit      = 10000
	MaxSafeModeClasses  = 64
	MaxSkewSeconds      = 3600
	DefaultCTIMinString = "warn"
)

// DefaultParams: two detectors within ten minutes confirm; unconfirmed
// alerts expire after ten minutes; PLCs and safety controllers, or three
// channels, go to safe mode; any CTI decision from warn up counts.
func DefaultParams() Params {
	return Params{
		ConfirmReports:      DefaultConfirmReports,
		ConfirmWindow:       DefaultConfirmWindow,
		MaxClockSkew:        DefaultMaxClockSkew,
		MaxReportAge:        DefaultMaxReportAge,
		AlertExpiry:         DefaultAlertExpiry,
		SafeModeClasses:     []string{"plc", "safety-controller"},
		SafeModeChannels:    DefaultSafeModeChannels,
		CTIMinDecision:      DecisionWarn,
		MaxReportsPerBatch:  DefaultMaxReportsPerBatch,
		MaxDependencies:     DefaultMaxDependencies,
		MaxChannels:         DefaultMaxChannels,
		MaxExpiriesPerBlock: DefaultMaxExpiriesPerBlock,
	}
}

// Validate checks every field against its limits.
func (p Params) Validate() error {
	if p.ConfirmReports == 0 || p.ConfirmReports > MaxConfirmReports {
		return fmt.Errorf("confirm_reports: %d is not in 1..%d", p.ConfirmReports, MaxConfirmReports)
	}
	if err := inRange("confirm_window", p.ConfirmWindow, 1, MaxWindowSeconds); err != nil {
		return err
	}
	if err := inRange("max_clock_skew", p.MaxClockSkew, 0, MaxSkewSeconds); err != nil {
		return err
	}
	if err := inRange("max_report_age", p.MaxReportAge, 1, MaxWindowSeconds); err != nil {
		return err
	}
	if err := inRange("alert_expiry", p.AlertExpiry, 1, MaxWindowSeconds); err != nil {
		return err
	}
	if len(p.SafeModeClasses) > MaxSafeModeClasses {
		return fmt.Errorf("safe_mode_classes: %d entries, at most %d", len(p.SafeModeClasses), MaxSafeModeClasses)
	}
	for i, c := range p.SafeModeClasses {
		if err := ValidateClass(c); err != nil {
			return fmt.Errorf("safe_mode_classes[%d]: %w", i, err)
		}
		if i > 0 && p.SafeModeClasses[i-1] >= c {
			return fmt.Errorf("safe_mode_classes must be sorted and unique (%q after %q)", c, p.SafeModeClasses[i-1])
		}
	}
	if p.SafeModeChannels > MaxChannelLimit {
		return fmt.Errorf("safe_mode_channels: %d is more than %d", p.SafeModeChannels, MaxChannelLimit)
	}
	if p.CTIMinDecision < DecisionWarn || p.CTIMinDecision > DecisionBlock {
		return fmt.Errorf("cti_min_decision: %s is not warn, hold or block", p.CTIMinDecision)
	}
	if err := inRange("max_reports_per_batch", int64(p.MaxReportsPerBatch), 1, MaxBatchLimit); err != nil {
		return err
	}
	if err := inRange("max_dependencies", int64(p.MaxDependencies), 0, MaxDependencyLimit); err != nil {
		return err
	}
	if err := inRange("max_channels", int64(p.MaxChannels), 1, MaxChannelLimit); err != nil {
		return err
	}
	if err := inRange("max_expiries_per_block", int64(p.MaxExpiriesPerBlock), 1, MaxExpiryLimit); err != nil {
		return err
	}
	return nil
}

func inRange(name string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s: %d is not in %d..%d", name, v, lo, hi)
	}
	return nil
}

// SafeModeClass reports whether class is listed for safe mode.
func (p Params) SafeModeClass(class string) bool {
	_, ok := slices.BinarySearch(p.SafeModeClasses, class)
	return ok
}
