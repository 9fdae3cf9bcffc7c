package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/sentinel"
)

// heldSink is a unit-level ReportSink: it holds submissions until released,
// so the sentinel's report queue fills and ingest answers 429.
type heldSink struct {
	release chan struct{}
	mu      sync.Mutex
	got     []*sentinel.Report
}

func (s *heldSink) SubmitReports(ctx context.Context, rs []*sentinel.Report) (*sentinel.Submitted, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &sentinel.Submitted{Height: 42}
	for _, r := range rs {
		s.got = append(s.got, r)
		out.Results = append(out.Results, sentinel.ReportResult{ReportID: uint64(len(s.got))})
	}
	return out, nil
}

// TestSentinelDemoReplaysBundledTelemetry runs `adf sentinel demo` on the
// devnet's bundled model and telemetry against an in-process sentinel whose
// chain is held: the demo waits out the 429s of the full queues (a
// request holds as many rows as a device queue, and the first report
// fills the report queue) and ends with both faults of the file reported.
func TestSentinelDemoReplaysBundledTelemetry(t *testing.T) {
	devs, err := sentinel.LoadDevices("../../networks/devnet/telemetry/devices.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sentinel.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sink := &heldSink{release: make(chan struct{})}
	svc, err := sentinel.New(devs, st, sink, sentinel.Config{QueueSamples: 100, MaxPendingReports: 1, Flush: 10 * time.Millisecond, RetryAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	go func() {
		time.Sleep(1500 * time.Millisecond) // the chain comes back
		close(sink.release)
	}()

	out, err := runAdf(t, "sentinel", "demo", "--sentinel", srv.URL, "--device", "demo/pump-1",
		"--file", "../../networks/devnet/telemetry/pump-1.csv", "--batch", "100", "--wait", "20s")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"sent: 800 accepted, 0 rejected", "answers 429 waited out", "as chain report 1 at height 42", "as chain report 2 at height 42"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sent: 800 accepted, 0 rejected, 0 answers 429") {
		t.Errorf("the held chain should have caused 429s:\n%s", out)
	}
	if n := strings.Count(out, "anomaly window"); n != 2 {
		t.Errorf("%d windows, want the file's two faults:\n%s", n, out)
	}
}

func TestSentinelDemoRefusesUnknownDevice(t *testing.T) {
	devs, err := sentinel.LoadDevices("../../networks/devnet/telemetry/devices.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sentinel.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := sentinel.New(devs, st, &heldSink{}, sentinel.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	out, err := runAdf(t, "sentinel", "demo", "--sentinel", srv.URL, "--device", "demo/pump-9", "--dataset", "fixture")
	if err == nil || !strings.Contains(err.Error(), "does not score device demo/pump-9 (it scores demo/pump-1)") {
		t.Fatalf("got %v\n%s", err, out)
	}
}

func TestMapDemoColumns(t *testing.T) {
	chans := []string{"vibration", "pressure", "temperature"}
	got, err := mapDemoColumns([]string{"ts", "temperature", "vibration", "pressure", "anomaly"}, chans)
	if err != nil || got[0] != 2 || got[1] != 3 || got[2] != 1 {
		t.Fatalf("by name: %v %v", got, err)
	}
	got, err = mapDemoColumns([]string{"c0", "c1", "c2"}, chans)
	if err != nil || got[0] != 0 || got[2] != 2 {
		t.Fatalf("by position: %v %v", got, err)
	}
	if _, err := mapDemoColumns([]string{"ts", "c0", "c1", "c2"}, chans); err == nil || !strings.Contains(err.Error(), "lack the device's channels pressure, temperature, vibration") {
		t.Fatalf("mismatch: %v", err)
	}
}

func TestDemoLineIsSentinelInput(t *testing.T) {
	d, err := sentinel.LoadDevices("../../networks/devnet/telemetry/devices.json")
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 12, 4, 21, 0, 0, 123e6, time.UTC)
	body := string(demoLine("demo/pump-1", ts, []string{"vibration", "pressure", "temperature"}, []int{0, 1, 2}, []float64{1.5, -2e-7, 3})) +
		string(demoLine("demo/pump-1", ts.Add(time.Second), []string{"vibration", "pressure", "temperature"}, []int{0, 1, 2}, []float64{1, nan, 3}))
	samples, errs, err := sentinel.Parse(strings.NewReader(body), "jsonl", "", d)
	if err != nil || len(samples) != 1 || len(errs) != 1 || errs[0].Reason != sentinel.ReasonNonFinite {
		t.Fatalf("%v %v %v\n%s", samples, errs, err, body)
	}
	if s := samples[0]; s.TS != ts.UnixNano() || s.Values[1] != -2e-7 {
		t.Fatalf("%+v", s)
	}
}

func TestSentinelServeRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sentinel", "serve", "--models", "x"}, "--data-dir, --models and --key are required"},
		{[]string{"sentinel", "serve", "--models", "x", "--data-dir", "d", "--key", "k", "--file", "f", "--stdin"}, "exclude each other"},
		{[]string{"sentinel", "serve", "--models", "/nonexistent", "--data-dir", "d", "--key", "k"}, "--models"},
		{[]string{"sentinel", "demo", "--device", "x"}, "one of --dataset or --file"},
	} {
		out, err := runAdf(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
}

// TestIngestStreamFile feeds a file through a sentinel whose device queue
// holds 10 samples: the reader blocks instead of dropping, bad lines are
// reported with their line numbers and counted, and it returns once the
// fault's report is on the (fake) chain.
func TestIngestStreamFile(t *testing.T) {
	devs, err := sentinel.LoadDevices("../../networks/devnet/telemetry/devices.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sentinel.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sink := &heldSink{release: make(chan struct{})}
	close(sink.release)
	svc, err := sentinel.New(devs, st, sink, sentinel.Config{QueueSamples: 10, Flush: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	defer func() { cancel(); <-done }()

	// The bundled CSV, re-timed to now, with two bad rows appended.
	raw, err := os.ReadFile("../../networks/devnet/telemetry/pump-1.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	base := time.Now().Add(-time.Minute).UnixMilli()
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for i, l := range lines[1:] {
		_, rest, _ := strings.Cut(l, ",")
		fmt.Fprintf(&b, "%d,%s\n", base+int64(i)*50, rest)
	}
	b.WriteString("1,1,NaN,1\n")     // out of order and not finite: the parser sees NaN first
	b.WriteString("garbage,1,2,3\n") // bad timestamp
	path := filepath.Join(t.TempDir(), "pump.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := sentinelServeCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	if err := ingestStream(ctx, cmd, svc, path, "", "demo/pump-1", false); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Accepted int            `json:"accepted"`
		Rejected int            `json:"rejected"`
		ByReason map[string]int `json:"rejected_by_reason"`
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", out.String(), err)
	}
	if sum.Accepted != 800 || sum.Rejected != 2 || sum.ByReason["non_finite"] != 1 || sum.ByReason["bad_timestamp"] != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if !strings.Contains(errOut.String(), "pump.csv:802: non_finite") || !strings.Contains(errOut.String(), "pump.csv:803: bad_timestamp") {
		t.Fatalf("stderr:\n%s", errOut.String())
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.got) != 2 {
		t.Fatalf("%d reports on chain, want the file's two faults", len(sink.got))
	}
}

// TestSentinelDemoDataset replays the bundled fixture dataset's test rows
// (columns matched to the device's channels by name).
func TestSentinelDemoDataset(t *testing.T) {
	devs, err := sentinel.LoadDevices("../../networks/devnet/telemetry/devices.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sentinel.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sink := &heldSink{release: make(chan struct{})}
	close(sink.release)
	svc, err := sentinel.New(devs, st, sink, sentinel.Config{Flush: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	out, err := runAdf(t, "sentinel", "demo", "--sentinel", srv.URL, "--device", "demo/pump-1", "--dataset", "fixture", "--rows", "700", "--wait", "20s")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "sent: 700 accepted, 0 rejected") || strings.Count(out, "anomaly window") != 2 {
		t.Fatalf("output:\n%s", out)
	}
}
