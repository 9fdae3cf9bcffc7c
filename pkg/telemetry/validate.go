package telemetry

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/purl"
)

// Limits on names and texts.
const (
	MaxDeviceIDLen = 128
	MaxNameLen     = 64
	MaxFirmwareLen = 128
	MaxNoteLen     = 512
	MaxPurlLen     = 512
)

// Device is what the registry knows of a device, as far as the rules care.
type Device struct {
	ID             string
	OrgID          string
	Class          string
	ArtifactDigest string
	Firmware       string
	Channels       []string
	Purls          []string
}

// ValidateDeviceID checks "<org_id>/<name>": two non-empty tokens of
// [A-Za-z0-9._-] (the org id as x/consortium spells it) around one '/'.
func ValidateDeviceID(id string) error {
	if id == "" {
		return fmt.Errorf("empty device id")
	}
	if len(id) > MaxDeviceIDLen {
		return fmt.Errorf("device id %.40q…: %d bytes, at most %d", id, len(id), MaxDeviceIDLen)
	}
	org, name, ok := strings.Cut(id, "/")
	if !ok || org == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("device id %q: want <org_id>/<name>", id)
	}
	if err := token(org); err != nil {
		return fmt.Errorf("device id %q: org part: %w", id, err)
	}
	if err := token(name); err != nil {
		return fmt.Errorf("device id %q: name part: %w", id, err)
	}
	return nil
}

// DeviceOrg returns the organisation part of a device id.
func DeviceOrg(id string) string {
	org, _, _ := strings.Cut(id, "/")
	return org
}

// token: 1..MaxNameLen bytes of [A-Za-z0-9._:-].
func token(s string) error {
	if s == "" {
		return fmt.Errorf("empty")
	}
	if len(s) > MaxNameLen {
		return fmt.Errorf("%.20q…: %d bytes, at most %d", s, len(s), MaxNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == ':' {
			continue
		}
		return fmt.Errorf("%q: character %q not allowed (want letters, digits, '.', '_', '-', ':')", s, c)
	}
	return nil
}

// ValidateClass checks a device class: a lower-case token.
func ValidateClass(c string) error {
	if err := token(c); err != nil {
		return fmt.Errorf("class %w", err)
	}
	if strings.ToLower(c) != c {
		return fmt.Errorf("class %q: must be lower case", c)
	}
	return nil
}

// ValidateDigest checks "sha256:<64 lower-case hex>" and returns the 32
// bytes.
func ValidateDigest(what, d string) ([]byte, error) {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok {
		return nil, fmt.Errorf("%s %.80q: want sha256:<64 hex>", what, d)
	}
	if len(h) != 64 || strings.ToLower(h) != h {
		return nil, fmt.Errorf("%s %.80q: want 64 lower-case hex digits after sha256:", what, d)
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%s %.80q: %v", what, d, err)
	}
	return b, nil
}

// ValidateChannels checks a list of channel names: 1..max tokens, sorted
// and unique.
func ValidateChannels(chs []string, max uint32) error {
	if len(chs) == 0 {
		return fmt.Errorf("no channels")
	}
	if uint32(len(chs)) > max {
		return fmt.Errorf("%d channels, at most %d", len(chs), max)
	}
	for i, c := range chs {
		if err := token(c); err != nil {
			return fmt.Errorf("channel %w", err)
		}
		if i > 0 && chs[i-1] >= c {
			return fmt.Errorf("channels must be sorted and unique (%q after %q)", c, chs[i-1])
		}
	}
	return nil
}

// NormalizeList returns a sorted copy without duplicates.
func NormalizeList(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// ValidateDevice checks a device against the params. Channels and purls
// must already be normalised (sorted, unique): use NormalizeList.
func ValidateDevice(d Device, p Params) error {
	if err := ValidateDeviceID(d.ID); err != nil {
		return err
	}
	if d.OrgID != "" && DeviceOrg(d.ID) != d.OrgID {
		return fmt.Errorf("device id %q is not in organisation %s's namespace (%s/…)", d.ID, d.OrgID, d.OrgID)
	}
	if err := ValidateClass(d.Class); err != nil {
		return err
	}
	if _, err := ValidateDigest("artifact digest", d.ArtifactDigest); err != nil {
		return err
	}
	if d.Firmware == "" || len(d.Firmware) > MaxFirmwareLen || !printable(d.Firmware) {
		return fmt.Errorf("firmware %.40q: want 1..%d printable characters", d.Firmware, MaxFirmwareLen)
	}
	if err := ValidateChannels(d.Channels, p.MaxChannels); err != nil {
		return err
	}
	if uint32(len(d.Purls)) > p.MaxDependencies {
		return fmt.Errorf("%d dependencies, at most %d (max_dependencies)", len(d.Purls), p.MaxDependencies)
	}
	for i, s := range d.Purls {
		if len(s) > MaxPurlLen {
			return fmt.Errorf("purls[%d]: %d bytes, at most %d", i, len(s), MaxPurlLen)
		}
		pu, err := purl.Parse(s)
		if err != nil {
			return fmt.Errorf("purls[%d] %.80q: %v", i, s, err)
		}
		if pu.Version == "" {
			return fmt.Errorf("purls[%d] %.80q: no version (CTI matching needs exact versions)", i, s)
		}
		if i > 0 && d.Purls[i-1] >= s {
			return fmt.Errorf("purls must be sorted and unique (%q after %q)", s, d.Purls[i-1])
		}
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// ValidateNote checks an operator's note: at most MaxNoteLen bytes of
// printable UTF-8 (may be empty).
func ValidateNote(n string) error {
	if len(n) > MaxNoteLen {
		return fmt.Errorf("note: %d bytes, at most %d", len(n), MaxNoteLen)
	}
	if !printable(n) {
		return fmt.Errorf("note: control characters or invalid UTF-8")
	}
	return nil
}

// ReportInput is an anomaly report as a detector submits it.
type ReportInput struct {
	DeviceID       string
	WindowStart    int64
	WindowEnd      int64
	Channels       []string
	Score          int64
	Threshold      int64
	Method         string
	ModelDigest    string
	EvidenceDigest string
}

// ValidateReportShape checks what a report says on its own: the device
// id, the window, channels, score and threshold, method and digests. It
// needs neither the device nor the time (the sentinel runs it before
// submitting); ValidateReport adds those.
func ValidateReportShape(r ReportInput, p Params) error {
	if err := ValidateDeviceID(r.DeviceID); err != nil {
		return err
	}
	if r.WindowStart < 0 {
		return fmt.Errorf("window start %d is negative", r.WindowStart)
	}
	if r.WindowStart > r.WindowEnd {
		return fmt.Errorf("window start %d is after window end %d", r.WindowStart, r.WindowEnd)
	}
	if err := ValidateChannels(r.Channels, p.MaxChannels); err != nil {
		return err
	}
	if r.Score < r.Threshold {
		return fmt.Errorf("score %d is below threshold %d: not an anomaly", r.Score, r.Threshold)
	}
	if err := token(r.Method); err != nil {
		return fmt.Errorf("method %w", err)
	}
	if _, err := ValidateDigest("model digest", r.ModelDigest); err != nil {
		return err
	}
	if _, err := ValidateDigest("evidence digest", r.EvidenceDigest); err != nil {
		return err
	}
	return nil
}

// ValidateReport checks a report at block time now against the device it
// names: the shape, a window that ends no later than now + MaxClockSkew and
// no earlier than now - MaxReportAge, and channels that are the device's.
func ValidateReport(r ReportInput, dev Device, now int64, p Params) error {
	if err := ValidateReportShape(r, p); err != nil {
		return err
	}
	if r.DeviceID != dev.ID {
		return fmt.Errorf("report names device %s, checked against %s", r.DeviceID, dev.ID)
	}
	if r.WindowEnd > now+p.MaxClockSkew {
		return fmt.Errorf("window end %d is %d s after the block time %d (max_clock_skew %d s)", r.WindowEnd, r.WindowEnd-now, now, p.MaxClockSkew)
	}
	if r.WindowEnd < now-p.MaxReportAge {
		return fmt.Errorf("window end %d is %d s before the block time %d (max_report_age %d s)", r.WindowEnd, now-r.WindowEnd, now, p.MaxReportAge)
	}
	for _, c := range r.Channels {
		if _, ok := slices.BinarySearch(dev.Channels, c); !ok {
			return fmt.Errorf("channel %q is not a channel of device %s (%s)", c, dev.ID, strings.Join(dev.Channels, ", "))
		}
	}
	return nil
}

// DedupKey identifies a report for idempotency: the same detector, device,
// window and method is the same report.
func DedupKey(detector string, r ReportInput) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", detector, r.DeviceID, r.WindowStart, r.WindowEnd, r.Method)
}
