package sentinel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSink is a unit-level ReportSink: it records what it is sent and can
// fail transiently, refuse some reports, or hold submissions.
type fakeSink struct {
	mu        sync.Mutex
	batches   [][]*Report
	transient int                // fail this many calls with a transient error
	refuse    func(*Report) bool // refuse any batch holding such a report
	hold      chan struct{}      // when set, each call waits for a receive
	calls     int
	nextID    uint64
}

func (f *fakeSink) SubmitReports(ctx context.Context, rs []*Report) (*Submitted, error) {
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.transient > 0 {
		f.transient--
		return nil, errors.New("connection refused")
	}
	for _, r := range rs {
		if f.refuse != nil && f.refuse(r) {
			return nil, fmt.Errorf("%w: window too old", ErrRefused)
		}
	}
	out := &Submitted{Height: int64(10 + len(f.batches)), TxHash: "ABCD"}
	for range rs {
		f.nextID++
		out.Results = append(out.Results, ReportResult{ReportID: f.nextID, IncidentID: 1})
	}
	f.batches = append(f.batches, append([]*Report(nil), rs...))
	return out, nil
}

func (f *fakeSink) sent() []*Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*Report
	for _, b := range f.batches {
		out = append(out, b...)
	}
	return out
}

type harness struct {
	t      *testing.T
	svc    *Service
	store  *Store
	srv    *httptest.Server
	cancel context.CancelFunc
	done   chan struct{}
}

func fastConfig() Config {
	return Config{Flush: 10 * time.Millisecond, IdleClose: 50 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Window: WindowConfig{Gap: 3}}
}

func startService(t *testing.T, dir string, devs *Devices, sink ReportSink, cfg Config) *harness {
	t.Helper()
	st, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(devs, st, sink, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, svc: svc, store: st, srv: httptest.NewServer(svc.Handler()), cancel: cancel, done: make(chan struct{})}
	go func() { defer close(h.done); _ = svc.Run(ctx) }()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	select {
	case <-h.done:
		return
	default:
	}
	h.srv.Close()
	h.cancel()
	<-h.done
	_ = h.store.Close()
}

func (h *harness) post(ctype, query, body string) (int, http.Header, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+"/v1/telemetry"+query, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	bz, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(bz, &out); err != nil {
		h.t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, bz)
	}
	return resp.StatusCode, resp.Header, out
}

func (h *harness) get(path string) (int, []byte) {
	h.t.Helper()
	resp, err := http.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	bz, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, bz
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var t0 = time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)

// lines renders JSON lines of device id, one per value triple, a second apart from t0+offset s.
func lines(id string, offset int, rows ...[3]float64) string {
	var b strings.Builder
	for i, r := range rows {
		fmt.Fprintf(&b, `{"device":%q,"ts":%q,"values":{"a":%v,"b":%v,"c":%v}}`+"\n", id,
			t0.Add(time.Duration(offset+i)*time.Second).Format(time.RFC3339), r[0], r[1], r[2])
	}
	return b.String()
}

func normal(n int) [][3]float64 {
	out := make([][3]float64, n)
	for i := range out {
		out[i] = [3]float64{1, -1, 0.5}
	}
	return out
}

func TestServiceReportsWindowWithEvidence(t *testing.T) {
	dev := testDevice(t, "acme/pump-1")
	sink := &fakeSink{}
	h := startService(t, t.TempDir(), testDevices(t, dev), sink, fastConfig())

	rows := normal(30)
	rows[10] = [3]float64{1, 9, 0.5}  // anomalous on b
	rows[11] = [3]float64{1, 7, 0.5}  // and again
	rows[13] = [3]float64{-6, 1, 0.5} // within the gap (3): same window, adds a
	code, _, res := h.post("application/x-ndjson", "", lines(dev.ID, 0, rows...))
	if code != 200 || res["accepted"].(float64) != 30 || res["rejected"].(float64) != 0 {
		t.Fatalf("ingest: %d %v", code, res)
	}
	waitUntil(t, "the report on chain", func() bool { return len(sink.sent()) == 1 })
	r := sink.sent()[0]
	if r.Device != dev.ID || r.WindowStart != t0.Add(10*time.Second).UnixNano() || r.WindowEnd != t0.Add(13*time.Second).UnixNano() {
		t.Fatalf("window %+v", r)
	}
	if strings.Join(r.Channels, ",") != "a,b" || r.Score != 9_000_000 || r.Threshold != 5_000_000 || r.Samples != 4 {
		t.Fatalf("report %+v", r)
	}
	if r.Method != absMaxMethod || r.ModelDigest != dev.ModelDigest {
		t.Fatalf("model %s %s", r.Method, r.ModelDigest)
	}
	// The evidence is the window's raw samples, and hashes to the digest.
	code, ev := h.get("/v1/evidence/" + r.EvidenceDigest)
	if code != 200 || EvidenceDigest(ev) != r.EvidenceDigest {
		t.Fatalf("evidence %d %s", code, ev)
	}
	if want := lines(dev.ID, 10, rows[10:14]...); !sameSamples(t, dev, string(ev), want) {
		t.Fatalf("evidence\n%s\nwant the samples of\n%s", ev, want)
	}
	// The report's final state is kept.
	waitUntil(t, "submitted state", func() bool {
		_, bz := h.get("/v1/reports?state=submitted")
		return strings.Contains(string(bz), r.EvidenceDigest)
	})
	if code, _ := h.get("/v1/evidence/sha256:" + strings.Repeat("0", 64)); code != 404 {
		t.Fatalf("unknown evidence: %d", code)
	}
	if code, _ := h.get("/v1/evidence/nope"); code != 400 {
		t.Fatalf("bad digest: %d", code)
	}
}

// sameSamples parses two JSON-lines texts and compares their samples.
func sameSamples(t *testing.T, dev *Device, a, b string) bool {
	devs := testDevices(t, dev)
	pa, ea, _ := Parse(strings.NewReader(a), "jsonl", "", devs)
	pb, eb, _ := Parse(strings.NewReader(b), "jsonl", "", devs)
	if len(ea)+len(eb) != 0 || len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if pa[i].TS != pb[i].TS || fmt.Sprint(pa[i].Values) != fmt.Sprint(pb[i].Values) {
			return false
		}
	}
	return true
}

func TestServiceRejectsBadLinesAndKeepsServing(t *testing.T) {
	dev := testDevice(t, "acme/pump-1")
	h := startService(t, t.TempDir(), testDevices(t, dev), &fakeSink{}, fastConfig())
	body := lines(dev.ID, 0, normal(3)...) +
		`{"device":"acme/pump-1","ts":"2026-12-04T21:00:02Z","values":{"a":1,"b":1,"c":1}}` + "\n" + // duplicate of line 3
		`{"device":"acme/pump-1","ts":"2026-12-04T20:00:00Z","values":{"a":1,"b":1,"c":1}}` + "\n" + // out of order
		`{"device":"acme/pump-1","ts":"2026-12-04T21:00:09Z","values":{"a":"NaN","b":1,"c":1}}` + "\n" +
		"not json\n" +
		lines(dev.ID, 10, normal(1)...)
	code, _, res := h.post("", "", body)
	if code != 200 || res["accepted"].(float64) != 4 || res["rejected"].(float64) != 4 {
		t.Fatalf("%d %v", code, res)
	}
	by := res["rejected_by_reason"].(map[string]any)
	if by["duplicate"].(float64) != 1 || by["out_of_order"].(float64) != 1 || by["non_finite"].(float64) != 1 || by["malformed"].(float64) != 1 {
		t.Fatalf("by reason %v", by)
	}
	errs := res["errors"].([]any)
	for i, line := range []float64{4, 5, 6, 7} {
		if errs[i].(map[string]any)["line"].(float64) != line {
			t.Fatalf("errors not in line order: %v", errs)
		}
	}
	// Across requests too: the device's last accepted time is 21:00:10.
	code, _, res = h.post("", "", lines(dev.ID, 5, normal(1)...))
	if code != 422 || res["rejected_by_reason"].(map[string]any)["out_of_order"].(float64) != 1 {
		t.Fatalf("%d %v", code, res)
	}
	// Bad requests as a whole.
	if code, _, res = h.post("application/xml", "", "<x/>"); code != 415 {
		t.Fatalf("xml: %d %v", code, res)
	}
	if code, _, res = h.post("text/csv", "?device=acme/pump-1", "a,b,c\n1,2,3\n"); code != 400 || res["code"] != "bad_header" {
		t.Fatalf("csv header: %d %v", code, res)
	}
	if code, _, res = h.post("", "?device=acme/pump-1", lines(dev.ID, 20, normal(1)...)); code != 400 {
		t.Fatalf("device with jsonl: %d %v", code, res)
	}
	// CSV through the same endpoint, still serving.
	code, _, res = h.post("text/csv", "?device=acme/pump-1", "ts,a,b,c\n2026-12-04T21:00:30Z,1,2,3\n2026-12-04T21:00:31Z,1,2,Inf\n")
	if code != 200 || res["accepted"].(float64) != 1 || res["rejected"].(float64) != 1 {
		t.Fatalf("csv: %d %v", code, res)
	}
	_, metrics := h.get("/metrics")
	for _, want := range []string{`adf_sentinel_samples_rejected_total{reason="non_finite"} 2`, `adf_sentinel_samples_rejected_total{reason="out_of_order"} 2`,
		"adf_sentinel_samples_accepted_total 5", `adf_sentinel_samples_rejected_total{reason="malformed"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if code, bz := h.get("/healthz"); code != 200 || !strings.Contains(string(bz), `"status":"ok"`) {
		t.Fatalf("healthz %d %s", code, bz)
	}
}

func TestServiceBodyTooLarge(t *testing.T) {
	dev := testDevice(t, "acme/pump-1")
	cfg := fastConfig()
	cfg.MaxBodyBytes = 1000
	h := startService(t, t.TempDir(), testDevices(t, dev), &fakeSink{}, cfg)
	code, _, res := h.post("", "", lines(dev.ID, 0, normal(20)...))
	if code != 413 || res["code"] != "body_too_large" || h.svc.m.accepted != nil && counterValue(t, h, "adf_sentinel_samples_accepted_total") != "0" {
		t.Fatalf("%d %v", code, res)
	}
}

func counterValue(t *testing.T, h *harness, name string) string {
	_, bz := h.get("/metrics")
	for _, l := range strings.Split(string(bz), "\n") {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimPrefix(l, name+" ")
		}
	}
	t.Fatalf("no metric %s", name)
	return ""
}

func TestServiceFullQueueAnswers429(t *testing.T) {
	gate := make(chan struct{})
	dev, err := NewDevice("acme/pump-1", []string{"a", "b", "c"}, &absMax{N: 3, T: 5, gate: gate}, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fastConfig()
	cfg.QueueSamples = 10
	cfg.RetryAfter = 2 * time.Second
	h := startService(t, t.TempDir(), testDevices(t, dev), &fakeSink{}, cfg)
	defer close(gate)

	if code, _, res := h.post("", "", lines(dev.ID, 0, normal(10)...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
	// The scorer is held: the queue is full.
	code, hdr, res := h.post("", "", lines(dev.ID, 10, normal(1)...))
	if code != 429 || hdr.Get("Retry-After") != "2" || res["code"] != "queue_full" || res["device"] != dev.ID {
		t.Fatalf("%d %v %v", code, hdr, res)
	}
	// More than the queue can ever hold: 413, split it.
	if code, _, res := h.post("", "", lines(dev.ID, 10, normal(11)...)); code != 413 || res["code"] != "too_many_samples" {
		t.Fatalf("%d %v", code, res)
	}
	if got := counterValue(t, h, "adf_sentinel_samples_accepted_total"); got != "10" {
		t.Fatalf("accepted %s after 429", got)
	}
	if got := counterValue(t, h, "adf_sentinel_queue_depth"); got != "10" {
		t.Fatalf("depth %s", got)
	}
	// Release the scorer; the same request now goes through: nothing of the
	// refused one had been taken (no duplicate).
	for range 10 {
		gate <- struct{}{}
	}
	waitUntil(t, "the queue to drain", func() bool { return h.svc.QueueDepth() == 0 })
	go func() {
		for range gate {
		}
	}()
	if code, _, res := h.post("", "", lines(dev.ID, 10, normal(1)...)); code != 200 || res["accepted"].(float64) != 1 {
		t.Fatalf("%d %v", code, res)
	}
}

func TestServiceReportQueueFullAnswers429(t *testing.T) {
	dev := testDevice(t, "acme/pump-1")
	sink := &fakeSink{hold: make(chan struct{})}
	cfg := fastConfig()
	cfg.MaxPendingReports = 1
	h := startService(t, t.TempDir(), testDevices(t, dev), sink, cfg)
	rows := normal(10)
	rows[2] = [3]float64{9, 9, 9}
	if code, _, res := h.post("", "", lines(dev.ID, 0, rows...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
	waitUntil(t, "a pending report", func() bool { return h.svc.PendingReports() == 1 })
	code, hdr, res := h.post("", "", lines(dev.ID, 10, normal(1)...))
	if code != 429 || hdr.Get("Retry-After") == "" || !strings.Contains(res["error"].(string), "report queue") {
		t.Fatalf("%d %v", code, res)
	}
	sink.hold <- struct{}{}
	waitUntil(t, "the report on chain", func() bool { return h.svc.PendingReports() == 0 })
	close(sink.hold)
	if code, _, res := h.post("", "", lines(dev.ID, 10, normal(1)...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
}

func TestServiceRetriesAndIsolatesRefusedReports(t *testing.T) {
	bad, good := testDevice(t, "acme/old"), testDevice(t, "acme/pump-1")
	sink := &fakeSink{transient: 2, refuse: func(r *Report) bool { return r.Device == bad.ID }}
	cfg := fastConfig()
	cfg.Batch = 10
	cfg.Flush = 200 * time.Millisecond // both windows go in one batch
	h := startService(t, t.TempDir(), testDevices(t, bad, good), sink, cfg)
	rows := normal(8)
	rows[1] = [3]float64{0, 0, 8}
	if code, _, res := h.post("", "", lines(bad.ID, 0, rows...)+lines(good.ID, 0, rows...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
	waitUntil(t, "the good report on chain", func() bool { return len(sink.sent()) == 1 })
	waitUntil(t, "the queue empty", func() bool { return h.svc.PendingReports() == 0 })
	if r := sink.sent()[0]; r.Device != good.ID || strings.Join(r.Channels, ",") != "c" {
		t.Fatalf("sent %+v", r)
	}
	_, bz := h.get("/v1/reports?state=refused")
	var out struct{ Reports []*Report }
	if err := json.Unmarshal(bz, &out); err != nil || len(out.Reports) != 1 || out.Reports[0].Device != bad.ID ||
		!strings.Contains(out.Reports[0].Error, "window too old") {
		t.Fatalf("refused: %s", bz)
	}
	if got := counterValue(t, h, "adf_sentinel_reports_failed_total"); got != "1" {
		t.Fatalf("failed %s", got)
	}
	if got := counterValue(t, h, "adf_sentinel_submit_failures_total"); got != "4" { // 2 transient, 1 batch refused, 1 single refused
		t.Fatalf("submit failures %s", got)
	}
}

func TestServiceRestartResubmitsPendingReports(t *testing.T) {
	dir := t.TempDir()
	dev := testDevice(t, "acme/pump-1")
	down := &fakeSink{transient: 1 << 30}
	cfg := fastConfig()
	cfg.IdleClose = time.Hour // the window is closed by the shutdown, not by idling
	h := startService(t, dir, testDevices(t, dev), down, cfg)
	rows := normal(4)
	rows[3] = [3]float64{0, 6, 0}
	if code, _, res := h.post("", "", lines(dev.ID, 0, rows...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
	waitUntil(t, "scoring", func() bool { return h.svc.QueueDepth() == 0 })
	h.stop() // the window is still open: shutdown closes and stores it
	st, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.Reports(StatePending, 0)
	_ = st.Close()
	if err != nil || len(pending) != 1 || pending[0].Samples != 1 {
		t.Fatalf("pending after shutdown: %v %+v", err, pending)
	}
	up := &fakeSink{}
	h2 := startService(t, dir, testDevices(t, dev), up, cfg)
	waitUntil(t, "resubmission", func() bool { return len(up.sent()) == 1 })
	if up.sent()[0].Seq != pending[0].Seq || up.sent()[0].EvidenceDigest != pending[0].EvidenceDigest {
		t.Fatalf("resubmitted %+v", up.sent()[0])
	}
	// The order check continues from the last run: a replayed sample is
	// a duplicate.
	if code, _, res := h2.post("", "", lines(dev.ID, 3, normal(1)...)); code != 422 || res["rejected_by_reason"].(map[string]any)["duplicate"].(float64) != 1 {
		t.Fatalf("replay after restart: %d %v", code, res)
	}
	// New reports continue the sequence.
	rows = normal(10)
	rows[0] = [3]float64{0, 0, 7}
	if code, _, res := h2.post("", "", lines(dev.ID, 100, rows...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
	waitUntil(t, "the second report", func() bool { return len(up.sent()) == 2 })
	if up.sent()[1].Seq != pending[0].Seq+1 {
		t.Fatalf("seq %d after %d", up.sent()[1].Seq, pending[0].Seq)
	}
}

func TestServiceAdmitWaitBlocksInsteadOfDropping(t *testing.T) {
	gate := make(chan struct{})
	dev, err := NewDevice("acme/pump-1", []string{"a", "b", "c"}, &absMax{N: 3, T: 5, gate: gate}, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fastConfig()
	cfg.QueueSamples = 5
	h := startService(t, t.TempDir(), testDevices(t, dev), &fakeSink{}, cfg)
	samples, errs, err := Parse(strings.NewReader(lines(dev.ID, 0, normal(20)...)), "jsonl", "", h.svc.Devices())
	if err != nil || len(errs) != 0 {
		t.Fatal(err, errs)
	}
	done := make(chan int)
	go func() {
		total := 0
		for i := 0; i < len(samples); i += 5 {
			n, _, err := h.svc.AdmitWait(context.Background(), samples[i:i+5])
			if err != nil {
				t.Error(err)
			}
			total += n
		}
		done <- total
	}()
	select {
	case <-done:
		t.Fatal("admission finished while the scorer was held")
	case <-time.After(50 * time.Millisecond):
	}
	go func() {
		for range 20 {
			gate <- struct{}{}
		}
	}()
	if total := <-done; total != 20 {
		t.Fatalf("admitted %d of 20", total)
	}
	waitUntil(t, "scoring", func() bool { return h.svc.QueueDepth() == 0 })
	if got := counterValue(t, h, "adf_sentinel_samples_scored_total"); got != "20" {
		t.Fatalf("scored %s", got)
	}
}

func TestServiceSurvivesAPanickingScorer(t *testing.T) {
	dev := testDevice(t, "acme/pump-1")
	sink := &fakeSink{}
	h := startService(t, t.TempDir(), testDevices(t, dev), sink, fastConfig())
	rows := normal(20)
	rows[3] = [3]float64{13, 0, 0} // the scorer panics
	rows[10] = [3]float64{0, 0, 8} // and, restarted, still finds this
	if code, _, res := h.post("", "", lines(dev.ID, 0, rows...)); code != 200 {
		t.Fatalf("%d %v", code, res)
	}
	waitUntil(t, "the report", func() bool { return len(sink.sent()) == 1 })
	if got := counterValue(t, h, "adf_sentinel_scorer_panics_total"); got != "1" {
		t.Fatalf("panics %s", got)
	}
	if got := counterValue(t, h, "adf_sentinel_samples_scored_total"); got != "20" {
		t.Fatalf("scored %s", got)
	}
}

// A request that cannot be parsed yet (all parsing slots taken) is
// answered 429 at once rather than queued without bound.
func TestServiceBoundsConcurrentRequests(t *testing.T) {
	dev := testDevice(t, "acme/pump-1")
	cfg := fastConfig()
	cfg.MaxRequests = 1
	h := startService(t, t.TempDir(), testDevices(t, dev), &fakeSink{}, cfg)
	// Hold the one slot with a request whose body never ends.
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(lines(dev.ID, 0, normal(1)...)))
	}()
	held := make(chan int)
	go func() {
		resp, err := http.Post(h.srv.URL+"/v1/telemetry", "application/x-ndjson", pr)
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	waitUntil(t, "the slot taken", func() bool { return len(h.svc.requests) == 1 })
	code, hdr, res := h.post("", "", lines(dev.ID, 10, normal(1)...))
	if code != 429 || res["code"] != "busy" || hdr.Get("Retry-After") == "" {
		t.Fatalf("%d %v", code, res)
	}
	pw.Close()
	if got := <-held; got != 200 {
		t.Fatalf("held request: %d", got)
	}
	if code, _, res := h.post("", "", lines(dev.ID, 10, normal(1)...)); code != 200 {
		t.Fatalf("after the slot freed: %d %v", code, res)
	}
}
