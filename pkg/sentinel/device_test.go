package sentinel

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

func writeModel(t *testing.T, path string, m anomaly.Model) {
	t.Helper()
	bz, err := anomaly.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bz, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDevices(t *testing.T) {
	t.Run("directory of model files", func(t *testing.T) {
		dir := t.TempDir()
		writeModel(t, filepath.Join(dir, "acme~pump-1.model.json"), &absMax{N: 2, T: 5})
		writeModel(t, filepath.Join(dir, "acme~pump-2.model.json"), &absMax{N: 3, T: 7})
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644); err != nil {
			t.Fatal(err)
		}
		ds, err := LoadDevices(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(ds.IDs(), " "); got != "acme/pump-1 acme/pump-2" {
			t.Fatalf("ids %q", got)
		}
		d := ds.Get("acme/pump-2")
		if strings.Join(d.Channels, ",") != "c0,c1,c2" || d.Model.Threshold() != 7 || !strings.HasPrefix(d.ModelDigest, "sha256:") {
			t.Fatalf("device %+v", d)
		}
		want, _ := anomaly.Digest(&absMax{N: 3, T: 7})
		if d.ModelDigest != want {
			t.Fatalf("digest %s, want %s", d.ModelDigest, want)
		}
	})
	t.Run("config file", func(t *testing.T) {
		dir := t.TempDir()
		writeModel(t, filepath.Join(dir, "m.json"), &absMax{N: 2, T: 5})
		cfg := filepath.Join(dir, "devices.json")
		if err := os.WriteFile(cfg, []byte(`{"devices":[{"id":"acme/v-1","model":"m.json","channels":["pos","flow"]}]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{cfg, dir} { // the file, or its directory
			ds, err := LoadDevices(p)
			if err != nil {
				t.Fatal(err)
			}
			if d := ds.Get("acme/v-1"); d == nil || d.Channel([]byte("flow")) != 1 || d.Channel([]byte("nope")) != -1 {
				t.Fatalf("%s: %+v", p, d)
			}
		}
	})
	for _, tc := range []struct{ name, cfg, want string }{
		{"channel count", `{"devices":[{"id":"acme/v-1","model":"m.json","channels":["pos"]}]}`, "1 channel names but the model"},
		{"unknown field", `{"devices":[{"id":"acme/v-1","model":"m.json","chanels":["a","b"]}]}`, "unknown field"},
		{"duplicate device", `{"devices":[{"id":"acme/v-1","model":"m.json"},{"id":"acme/v-1","model":"m.json"}]}`, "defined twice"},
		{"reserved channel", `{"devices":[{"id":"acme/v-1","model":"m.json","channels":["ts","b"]}]}`, "reserved"},
		{"duplicate channel", `{"devices":[{"id":"acme/v-1","model":"m.json","channels":["a","a"]}]}`, "named twice"},
		{"bad id", `{"devices":[{"id":"acme pump","model":"m.json"}]}`, "device id"},
		{"no model", `{"devices":[{"id":"acme/v-1"}]}`, "has no model"},
		{"missing model file", `{"devices":[{"id":"acme/v-1","model":"gone.json"}]}`, "gone.json"},
		{"no devices", `{"devices":[]}`, "no devices"},
		{"bad model", `{"devices":[{"id":"acme/v-1","model":"devices.json"}]}`, "format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeModel(t, filepath.Join(dir, "m.json"), &absMax{N: 2, T: 5})
			cfg := filepath.Join(dir, "devices.json")
			if err := os.WriteFile(cfg, []byte(tc.cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadDevices(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := LoadDevices(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.model.json") {
		t.Fatalf("empty dir: %v", err)
	}
}

// The evidence encoding is what the on-chain digest commits to: it must
// not change by accident.
func TestEvidenceEncodingIsStable(t *testing.T) {
	d, err := NewDevice("acme/pump-1", []string{"b", "a\"x", "c"}, &absMax{N: 3, T: 5}, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).UnixNano()
	ev := EncodeEvidence([]Sample{
		{Device: d, TS: ts, Values: []float64{1, -0.5, 1e21}},
		{Device: d, TS: ts + 1_500_000, Values: []float64{0.1, math.Copysign(0, -1), 123456789.123}},
	})
	want := `{"device":"acme/pump-1","ts":"2026-12-04T21:00:00Z","values":{"b":1,"a\"x":-0.5,"c":1e+21}}` + "\n" +
		`{"device":"acme/pump-1","ts":"2026-12-04T21:00:00.0015Z","values":{"b":0.1,"a\"x":-0,"c":1.23456789123e+08}}` + "\n"
	if string(ev) != want {
		t.Fatalf("evidence\n%s\nwant\n%s", ev, want)
	}
	if got := EvidenceDigest(ev); got != "sha256:"+sha256Hex(ev) {
		t.Fatalf("digest %s", got)
	}
}

func TestMillionths(t *testing.T) {
	for in, want := range map[float64]int64{
		0: 0, 1.5: 1_500_000, 0.0000005: 1, 0.0000004: 0, -2.25: -2_250_000, 1e300: math.MaxInt64, -1e300: math.MinInt64, math.NaN(): 0,
		9.2e12: 9_200_000_000_000_000_000, 9.3e12: math.MaxInt64, math.Inf(1): math.MaxInt64,
	} {
		if got := Millionths(in); got != want {
			t.Errorf("Millionths(%v) = %d, want %d", in, got, want)
		}
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
