package telemetry

import (
	"strings"
	"testing"
)

const (
	dig = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func goodDevice() Device {
	return Device{ID: "acme/pump-1", OrgID: "acme", Class: "pump", ArtifactDigest: dig, Firmware: "1.2.3",
		Channels: []string{"flow", "pressure", "temp"}, Purls: []string{"pkg:golang/golang.org/x/net@v0.1.0", "pkg:npm/left-pad@1.3.0"}}
}

func goodReport() ReportInput {
	return ReportInput{DeviceID: "acme/pump-1", WindowStart: 9900, WindowEnd: 10000, Channels: []string{"flow"},
		Score: 2_500_000, Threshold: 1_000_000, Method: "sparse", ModelDigest: dig, EvidenceDigest: dig}
}

func TestValidateDevice(t *testing.T) {
	p := DefaultParams()
	tests := []struct {
		name string
		mod  func(*Device)
		want string
	}{
		{"ok", func(*Device) {}, ""},
		{"no purls ok", func(d *Device) { d.Purls = nil }, ""},
		{"empty id", func(d *Device) { d.ID = "" }, "empty device id"},
		{"no org", func(d *Device) { d.ID = "pump-1" }, "want <org_id>/<name>"},
		{"two slashes", func(d *Device) { d.ID = "acme/a/b" }, "want <org_id>/<name>"},
		{"other org", func(d *Device) { d.ID = "globex/pump" }, "namespace"},
		{"bad char", func(d *Device) { d.ID = "acme/pu mp" }, "not allowed"},
		{"class upper", func(d *Device) { d.Class = "PLC" }, "lower case"},
		{"class empty", func(d *Device) { d.Class = "" }, "class empty"},
		{"digest no prefix", func(d *Device) { d.ArtifactDigest = strings.TrimPrefix(dig, "sha256:") }, "want sha256:"},
		{"digest short", func(d *Device) { d.ArtifactDigest = "sha256:abcd" }, "64 lower-case hex"},
		{"digest upper", func(d *Device) {
			d.ArtifactDigest = strings.ToUpper(dig[7:])
			d.ArtifactDigest = "sha256:" + d.ArtifactDigest
		}, "64 lower-case hex"},
		{"digest not hex", func(d *Device) { d.ArtifactDigest = "sha256:" + strings.Repeat("g", 64) }, "invalid byte"},
		{"firmware empty", func(d *Device) { d.Firmware = "" }, "firmware"},
		{"firmware control", func(d *Device) { d.Firmware = "1\n2" }, "firmware"},
		{"no channels", func(d *Device) { d.Channels = nil }, "no channels"},
		{"unsorted channels", func(d *Device) { d.Channels = []string{"b", "a"} }, "sorted and unique"},
		{"dup channels", func(d *Device) { d.Channels = []string{"a", "a"} }, "sorted and unique"},
		{"bad purl", func(d *Device) { d.Purls = []string{"npm/left-pad"} }, "purls[0]"},
		{"purl without version", func(d *Device) { d.Purls = []string{"pkg:npm/left-pad"} }, "no version"},
		{"unsorted purls", func(d *Device) { d.Purls = []string{"pkg:npm/b@1", "pkg:npm/a@1"} }, "sorted and unique"},
		{"too many purls", func(d *Device) {
			d.Purls = nil
			for i := 0; i <= int(p.MaxDependencies); i++ {
				d.Purls = append(d.Purls, "pkg:npm/x@1")
			}
		}, "max_dependencies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := goodDevice()
			tc.mod(&d)
			err := ValidateDevice(d, p)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestValidateReport(t *testing.T) {
	p := DefaultParams()
	dev := goodDevice()
	const now = 10000
	tests := []struct {
		name string
		mod  func(*ReportInput)
		want string
	}{
		{"ok", func(*ReportInput) {}, ""},
		{"start = end ok", func(r *ReportInput) { r.WindowStart = r.WindowEnd }, ""},
		{"score = threshold ok", func(r *ReportInput) { r.Score = r.Threshold }, ""},
		{"negative scores ok", func(r *ReportInput) { r.Score, r.Threshold = -5, -10 }, ""},
		{"end within skew ok", func(r *ReportInput) { r.WindowEnd = now + p.MaxClockSkew }, ""},
		{"start after end", func(r *ReportInput) { r.WindowStart = r.WindowEnd + 1 }, "window start 10001 is after window end 10000"},
		{"negative start", func(r *ReportInput) { r.WindowStart = -1 }, "negative"},
		{"end in the future", func(r *ReportInput) { r.WindowEnd = now + p.MaxClockSkew + 1 }, "max_clock_skew"},
		{"too old", func(r *ReportInput) { r.WindowStart, r.WindowEnd = 0, 0 }, "max_report_age"},
		{"unknown channel", func(r *ReportInput) { r.Channels = []string{"voltage"} }, "not a channel of device"},
		{"no channels", func(r *ReportInput) { r.Channels = nil }, "no channels"},
		{"below threshold", func(r *ReportInput) { r.Score = r.Threshold - 1 }, "below threshold"},
		{"no method", func(r *ReportInput) { r.Method = "" }, "method empty"},
		{"bad model digest", func(r *ReportInput) { r.ModelDigest = "md5:x" }, "model digest"},
		{"bad evidence digest", func(r *ReportInput) { r.EvidenceDigest = "" }, "evidence digest"},
		{"bad device id", func(r *ReportInput) { r.DeviceID = "x" }, "want <org_id>/<name>"},
		{"other device", func(r *ReportInput) { r.DeviceID = "acme/other" }, "checked against"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := goodReport()
			tc.mod(&r)
			err := ValidateReport(r, dev, now, p)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParams(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(*Params)
		want string
	}{
		{"k 0", func(p *Params) { p.ConfirmReports = 0 }, "confirm_reports"},
		{"k huge", func(p *Params) { p.ConfirmReports = 65 }, "confirm_reports"},
		{"window 0", func(p *Params) { p.ConfirmWindow = 0 }, "confirm_window"},
		{"skew negative", func(p *Params) { p.MaxClockSkew = -1 }, "max_clock_skew"},
		{"expiry 0", func(p *Params) { p.AlertExpiry = 0 }, "alert_expiry"},
		{"classes unsorted", func(p *Params) { p.SafeModeClasses = []string{"z", "a"} }, "sorted"},
		{"class bad", func(p *Params) { p.SafeModeClasses = []string{"A"} }, "lower case"},
		{"cti pass", func(p *Params) { p.CTIMinDecision = DecisionPass }, "cti_min_decision"},
		{"batch 0", func(p *Params) { p.MaxReportsPerBatch = 0 }, "max_reports_per_batch"},
		{"deps huge", func(p *Params) { p.MaxDependencies = MaxDependencyLimit + 1 }, "max_dependencies"},
		{"channels 0", func(p *Params) { p.MaxChannels = 0 }, "max_channels"},
		{"expiries 0", func(p *Params) { p.MaxExpiriesPerBlock = 0 }, "max_expiries_per_block"},
	}
	for _, tc := range tests {
		p := DefaultParams()
		tc.mod(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if !DefaultParams().SafeModeClass("plc") || DefaultParams().SafeModeClass("pump") {
		t.Error("SafeModeClass")
	}
}

func TestParseDecisionAndStatus(t *testing.T) {
	for _, s := range []string{"pass", "warn", "hold", "block"} {
		d, err := ParseDecision(s)
		if err != nil || d.String() != s {
			t.Errorf("%s: %v %v", s, d, err)
		}
	}
	if _, err := ParseDecision("deny"); err == nil {
		t.Error("deny parsed")
	}
	for _, s := range []string{"alert", "confirmed", "resolved", "expired"} {
		st, err := ParseStatus(s)
		if err != nil || st.String() != s {
			t.Errorf("%s: %v %v", s, st, err)
		}
	}
	if _, err := ParseStatus("open"); err == nil {
		t.Error("open parsed")
	}
}

// FuzzValidateReport: any input is either accepted, and then satisfies
// the invariants the escalation relies on, or refused with an error; never
// a panic.
func FuzzValidateReport(f *testing.F) {
	r := goodReport()
	f.Add(r.DeviceID, r.WindowStart, r.WindowEnd, "flow", r.Score, r.Threshold, r.Method, r.ModelDigest, r.EvidenceDigest, int64(10000))
	f.Add("acme/pump-1", int64(5), int64(4), "flow,temp", int64(1), int64(0), "m", dig, dig, int64(0))
	f.Add("", int64(-1), int64(0), "", int64(0), int64(0), "", "", "", int64(-1))
	dev := goodDevice()
	p := DefaultParams()
	f.Fuzz(func(t *testing.T, id string, ws, we int64, chs string, score, thr int64, method, md, ed string, now int64) {
		in := ReportInput{DeviceID: id, WindowStart: ws, WindowEnd: we, Channels: strings.Split(chs, ","), Score: score, Threshold: thr,
			Method: method, ModelDigest: md, EvidenceDigest: ed}
		if err := ValidateReport(in, dev, now, p); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if ws > we || ws < 0 || score < thr || len(in.Channels) == 0 || we > now+p.MaxClockSkew {
			t.Fatalf("accepted invalid report %+v at %d", in, now)
		}
		if _, err := Escalate(p, dev.Class, State{}, nil, Report{Detector: "d", Time: now, WindowStart: ws, WindowEnd: we, Channels: in.Channels}, Signals{}); err != nil {
			t.Fatalf("escalate refused a valid report: %v", err)
		}
	})
}

// FuzzValidateDevice: no panic, and accepted devices have an id in their
// organisation and parseable digests.
func FuzzValidateDevice(f *testing.F) {
	d := goodDevice()
	f.Add(d.ID, d.Class, d.ArtifactDigest, d.Firmware, strings.Join(d.Channels, ","), strings.Join(d.Purls, ","))
	f.Add("a/b", "c", "sha256:", "", "", "pkg:npm/%zz@1")
	p := DefaultParams()
	f.Fuzz(func(t *testing.T, id, class, digest, fw, chs, purls string) {
		dev := Device{ID: id, Class: class, ArtifactDigest: digest, Firmware: fw, Channels: NormalizeList(strings.Split(chs, ","))}
		if purls != "" {
			dev.Purls = NormalizeList(strings.Split(purls, ","))
		}
		if err := ValidateDevice(dev, p); err != nil {
			return
		}
		if DeviceOrg(id) == "" {
			t.Fatalf("accepted %q without an org", id)
		}
		if _, err := ValidateDigest("d", digest); err != nil {
			t.Fatalf("accepted digest %q: %v", digest, err)
		}
	})
}
