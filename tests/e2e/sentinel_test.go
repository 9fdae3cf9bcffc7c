//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
)

// TestSentinel runs real `adf sentinel serve` processes against a fresh
// 4-validator network: a model trained with `adf sentinel train`, telemetry
// with an injected fault replayed over HTTP (with bad lines mixed in, which
// are rejected and counted while the service keeps serving), the anomaly
// report on chain with the device's alert, the evidence fetched from the
// sentinel matching the chain's digest; then a sentinel whose chain is
// unreachable fills its report queue and answers 429 (nothing admitted),
// and after kill -9 and a restart against the real node submits the report
// it kept.
//
// It needs ADFD_BIN and ADF_BIN (build/adfd, build/adf from `make build`).

var (
	sentinelPorts   = suitePorts(blockSentinel)
	sentinelListenA = suiteAddr(blockSentinel, 900)
	sentinelListenB = suiteAddr(blockSentinel, 901)
	// nothing listens here: the "chain" of a sentinel cut off from it.
	sentinelDeadNode = "http://" + suiteAddr(blockSentinel, 950)
)

const sentinelChainID = "adf-e2e-sentinel-1"

// sentinelProc is one `adf sentinel serve` process.
type sentinelProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
	base string
}

func startSentinel(t *testing.T, abin, keysDir, logPath, listen string, args ...string) *sentinelProc {
	t.Helper()
	port, err := portOf(listen)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPortFree(port); err != nil {
		t.Fatalf("sentinel port: %v", err)
	}
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(abin, append([]string{"sentinel", "serve", "--listen", listen, "--chain-id", sentinelChainID}, args...)...)
	cmd.Env = append(cliEnv(), "ADF_KEYS_DIR="+keysDir)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatal(err)
	}
	p := &sentinelProc{cmd: cmd, done: make(chan struct{}), log: logPath, base: "http://" + listen}
	go func() { _ = cmd.Wait(); lf.Close(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	hc := &http.Client{Timeout: 5 * time.Second}
	waitFor(t, 20*time.Second, 100*time.Millisecond, "the sentinel to serve /healthz", func() (bool, string) {
		select {
		case <-p.done:
			t.Fatalf("sentinel exited:\n%s", batcherLogTail(logPath, 20))
		default:
		}
		resp, err := hc.Get(p.base + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return true, ""
	})
	t.Logf("sentinel started pid %d on %s", cmd.Process.Pid, listen)
	return p
}

// stop interrupts the sentinel (a clean shutdown) and waits for it.
func (p *sentinelProc) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Errorf("sentinel did not stop on SIGINT; killing it")
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill SIGKILLs the sentinel: no shutdown code runs.
func (p *sentinelProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// sentinelAnswer is POST /v1/telemetry's answer (success or error).
type sentinelAnswer struct {
	Status           int
	RetryAfter       string
	Accepted         int            `json:"accepted"`
	Rejected         int            `json:"rejected"`
	RejectedByReason map[string]int `json:"rejected_by_reason"`
	Errors           []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
		Error  string `json:"error"`
	} `json:"errors"`
	Error string `json:"error"`
	Code  string `json:"code"`
}

func (p *sentinelProc) post(t *testing.T, body string) sentinelAnswer {
	t.Helper()
	resp, err := http.Post(p.base+"/v1/telemetry", "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := sentinelAnswer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer %d: %s", resp.StatusCode, raw)
	}
	return a
}

type sentinelReport struct {
	Seq            uint64   `json:"seq"`
	Device         string   `json:"device"`
	WindowStart    int64    `json:"window_start_ns"`
	WindowEnd      int64    `json:"window_end_ns"`
	Channels       []string `json:"channels"`
	Score          int64    `json:"score"`
	Threshold      int64    `json:"threshold"`
	Method         string   `json:"method"`
	ModelDigest    string   `json:"model_digest"`
	EvidenceDigest string   `json:"evidence_digest"`
	Samples        int      `json:"samples"`
	State          string   `json:"state"`
	Height         int64    `json:"height"`
	ReportID       uint64   `json:"report_id"`
	Error          string   `json:"error"`
}

func (p *sentinelProc) reports(t *testing.T, query string) []sentinelReport {
	t.Helper()
	var out struct{ Reports []sentinelReport }
	if err := getJSON(&http.Client{Timeout: 5 * time.Second}, p.base+"/v1/reports"+query, &out); err != nil {
		t.Fatal(err)
	}
	return out.Reports
}

// metric returns the value of one sample line of GET /metrics.
func (p *sentinelProc) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp, err := http.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// telemetryLines renders rows of (vibration, pressure, temperature) as JSON
// lines of device, step apart ending at end.
func telemetryLines(device string, rows [][]float64, end time.Time, step time.Duration) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		ts := end.Add(-time.Duration(len(rows)-1-i) * step).UTC().Format(time.RFC3339Nano)
		out[i] = fmt.Sprintf(`{"device":%q,"ts":%q,"values":{"vibration":%g,"pressure":%g,"temperature":%g}}`, device, ts, r[0], r[1], r[2])
	}
	return out
}

// withFault returns a copy of rows with pressure raised by 5 (about nine of
// its training standard deviations) on rows [from, to).
func withFault(rows [][]float64, from, to int) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = append([]float64(nil), r...)
		if i >= from && i < to {
			out[i][1] += 5
		}
	}
	return out
}

func TestSentinel(t *testing.T) {
	bin := adfdBin(t)
	abin := adfBin(t)
	start := time.Now()
	def := localnetDef()
	def.ChainID = sentinelChainID
	def.BasePorts = sentinelPorts
	def.PortStride = 100
	nw := NewNetwork(t, bin, def)
	nw.Authority = consortiumAuthority(t)
	nw.StartAll(t)
	nodes := nw.Nodes
	acmeNode := nodes[0]
	if acmeNode.Info.OrgID != "acme" {
		t.Fatalf("unexpected org order: %s", acmeNode.Info.OrgID)
	}
	nw.WaitAllHeight(t, nodes, 2, 120*time.Second)
	acme := newADFClient(t, abin, acmeNode)
	dir := t.TempDir()
	modelsDir := filepath.Join(dir, "models")
	fx, err := dataset.Fixture()
	if err != nil {
		t.Fatal(err)
	}
	normal := fx.Series[0].Train // anomaly-free rows of the synthetic fixture
	var a, b *sentinelProc
	var faultRows []string

	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"1_principals_policies_model_devices", func(t *testing.T) {
			proposeAndPass(t, nw, nodes, "sentinel policies",
				map[string]any{"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
					"policy": map[string]any{"id": "ops-register-device", "role": "operator", "action": "register-device", "scope_pattern": "acme/*"}},
				map[string]any{"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
					"policy": map[string]any{"id": "sentinel-report", "role": "detector", "action": "report-anomaly", "scope_pattern": "*"}})
			acme.must(t, append([]string{"principal", "register", "--id", "acme/ops", "--kind", "operator", "--role", "operator"}, adminFlags(acmeNode)...)...)
			acme.must(t, append([]string{"principal", "register", "--id", "acme/sentinel", "--kind", "detector", "--role", "detector"}, adminFlags(acmeNode)...)...)
			acme.newKey(t, append([]string{"--name", "ops", "--algo", "ed25519", "--principal", "acme/ops", "--ttl", "30m"}, adminFlags(acmeNode)...)...)
			acme.newKey(t, append([]string{"--name", "det", "--algo", "ed25519", "--principal", "acme/sentinel", "--ttl", "30m"}, adminFlags(acmeNode)...)...)

			// The model: trained by the CLI on the fixture's anomaly-free rows.
			if err := os.MkdirAll(modelsDir, 0o755); err != nil {
				t.Fatal(err)
			}
			out, _, err := runCLI(abin, cliTimeout, "sentinel", "train", "--dataset", "fixture", "--method", "pca-t2q", "-o", filepath.Join(modelsDir, "pump.model.json"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("train: %s", strings.TrimSpace(out))
			cfg := `{"devices": [
  {"id": "acme/pump-1", "model": "pump.model.json", "channels": ["vibration", "pressure", "temperature"]},
  {"id": "acme/pump-2", "model": "pump.model.json", "channels": ["vibration", "pressure", "temperature"]}]}`
			if err := os.WriteFile(filepath.Join(modelsDir, "devices.json"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte("pump firmware 1.0"))
			for _, id := range []string{"acme/pump-1", "acme/pump-2"} {
				acme.must(t, "telemetry", "device", "register", "--id", id, "--class", "pump", "--firmware", "1.0",
					"--channels", "vibration,pressure,temperature", "--artifact", "sha256:"+hex.EncodeToString(sum[:]), "--key", "ops")
			}
		}},
		{"2_bad_lines_rejected_report_on_chain_with_alert", func(t *testing.T) {
			a = startSentinel(t, abin, acme.keysDir, filepath.Join(dir, "sentinel-a.log"), sentinelListenA,
				"--data-dir", filepath.Join(dir, "sentinel-a"), "--models", modelsDir, "--key", "det",
				"--node", acme.rpc, "--api", acme.api, "--queue", "1000", "--flush", "300ms")
			// The devices are registered with the model's channels: no warning.
			if log, _ := os.ReadFile(a.log); bytes.Contains(log, []byte("level=WARN")) {
				t.Fatalf("sentinel warned at start:\n%s", log)
			}
			end := time.Now()
			lines := telemetryLines("acme/pump-1", withFault(normal[:600], 400, 420), end, 50*time.Millisecond)
			// First half with bad lines among the good ones.
			first := append([]string(nil), lines[:300]...)
			bad := []string{
				`{"device":"acme/pump-1","ts":"` + end.Add(-time.Hour).UTC().Format(time.RFC3339) + `","values":{"vibration":1,"pressure":1,"temperature":1}}`, // out of order
				`{"device":"acme/pump-1","ts":"2026-01-01T00:00:00Z","values":{"vibration":"NaN","pressure":1,"temperature":1}}`,
				`{"device":"acme/pump-9","ts":1,"values":{"vibration":1,"pressure":1,"temperature":1}}`,
				`{"device":"acme/pump-1","ts":1,"values":{"vibration":1,"pressure":1}}`,
				`this is not json`,
			}
			first = append(first[:100], append(bad, first[100:]...)...)
			ans := a.post(t, strings.Join(first, "\n")+"\n")
			if ans.Status != 200 || ans.Accepted != 300 || ans.Rejected != 5 {
				t.Fatalf("first request: %+v", ans)
			}
			want := map[string]int{"out_of_order": 1, "non_finite": 1, "unknown_device": 1, "missing_channel": 1, "malformed": 1}
			for reason, n := range want {
				if ans.RejectedByReason[reason] != n {
					t.Fatalf("rejected by reason %v, want %v", ans.RejectedByReason, want)
				}
			}
			for i, e := range ans.Errors {
				if e.Line != 101+i || e.Error == "" {
					t.Fatalf("error %d: %+v (want line %d)", i, e, 101+i)
				}
			}
			// Still serving: the second half, with the fault.
			if ans := a.post(t, strings.Join(lines[300:], "\n")+"\n"); ans.Status != 200 || ans.Accepted != 300 || ans.Rejected != 0 {
				t.Fatalf("second request: %+v", ans)
			}
			// A request larger than the device queue can ever hold: 413.
			more := telemetryLines("acme/pump-1", normal[:1001], time.Now(), time.Millisecond)
			if ans := a.post(t, strings.Join(more, "\n")); ans.Status != 413 || ans.Code != "too_many_samples" {
				t.Fatalf("oversized request: %+v", ans)
			}
			if got := a.metric(t, `adf_sentinel_samples_rejected_total{reason="non_finite"}`); got != 1 {
				t.Fatalf("non_finite rejections %v", got)
			}
			var rep sentinelReport
			waitFor(t, 30*time.Second, 200*time.Millisecond, "the report on chain", func() (bool, string) {
				rs := a.reports(t, "?device=acme/pump-1")
				if len(rs) == 0 || rs[0].State != "submitted" {
					return false, fmt.Sprintf("%+v", rs)
				}
				rep = rs[0]
				return true, ""
			})
			if len(a.reports(t, "")) != 1 {
				t.Fatalf("one fault, reports %+v", a.reports(t, ""))
			}
			wantStart := end.Add(-time.Duration(599-400) * 50 * time.Millisecond)
			if d := time.Duration(rep.WindowStart - wantStart.UnixNano()); d < 0 || d > 2*time.Second {
				t.Fatalf("window starts %s after the fault", d)
			}
			if rep.Method != "pca-t2q" || rep.Score <= rep.Threshold || rep.ReportID == 0 || !strings.Contains(strings.Join(rep.Channels, ","), "pressure") {
				t.Fatalf("report %+v", rep)
			}
			t.Logf("report: %d samples %s..%s score %d threshold %d channels %v, chain report %d at height %d",
				rep.Samples, time.Unix(0, rep.WindowStart).UTC().Format("15:04:05.000"), time.Unix(0, rep.WindowEnd).UTC().Format("15:04:05.000"),
				rep.Score, rep.Threshold, rep.Channels, rep.ReportID, rep.Height)

			// The chain has the report and the device is escalated.
			var st struct {
				State struct {
					Level      string `json:"level"`
					IncidentID string `json:"incident_id"`
				} `json:"state"`
			}
			if err := json.Unmarshal(nw.Query(t, acmeNode, "telemetry", "device-state", "acme/pump-1"), &st); err != nil {
				t.Fatal(err)
			}
			if (st.State.Level != "LEVEL_ALERT" && st.State.Level != "LEVEL_CONFIRMED") || st.State.IncidentID == "" {
				t.Fatalf("device state %+v", st)
			}
			var onChain struct {
				Reports []struct {
					ID             string   `json:"id"`
					Detector       string   `json:"detector"`
					EvidenceDigest string   `json:"evidence_digest"`
					ModelDigest    string   `json:"model_digest"`
					Channels       []string `json:"channels"`
				} `json:"reports"`
			}
			if err := json.Unmarshal(nw.Query(t, acmeNode, "telemetry", "reports", "acme/pump-1"), &onChain); err != nil {
				t.Fatal(err)
			}
			if len(onChain.Reports) != 1 || onChain.Reports[0].EvidenceDigest != rep.EvidenceDigest ||
				onChain.Reports[0].ModelDigest != rep.ModelDigest || onChain.Reports[0].Detector != "acme/sentinel" {
				t.Fatalf("chain reports %+v, sentinel report %+v", onChain.Reports, rep)
			}
			// An auditor fetches the evidence the digest commits to.
			resp, err := http.Get(a.base + "/v1/evidence/" + rep.EvidenceDigest)
			if err != nil {
				t.Fatal(err)
			}
			ev, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			sum := sha256.Sum256(ev)
			if resp.StatusCode != 200 || "sha256:"+hex.EncodeToString(sum[:]) != onChain.Reports[0].EvidenceDigest {
				t.Fatalf("evidence %d does not hash to the chain's digest", resp.StatusCode)
			}
			if n := bytes.Count(ev, []byte("\n")); n != rep.Samples {
				t.Fatalf("evidence has %d samples, report says %d", n, rep.Samples)
			}
			t.Logf("device %s level %s incident %s; state %+v", "acme/pump-1", st.State.Level, st.State.IncidentID, st)
		}},
		{"3_full_report_queue_429_kept_across_kill", func(t *testing.T) {
			dataB := filepath.Join(dir, "sentinel-b")
			argsB := []string{"--data-dir", dataB, "--models", modelsDir, "--key", "det", "--max-pending-reports", "1", "--flush", "100ms"}
			b = startSentinel(t, abin, acme.keysDir, filepath.Join(dir, "sentinel-b.log"), sentinelListenB,
				append(argsB, "--node", sentinelDeadNode, "--api", sentinelDeadNode)...)
			if log, _ := os.ReadFile(b.log); !bytes.Contains(log, []byte("cannot read the device's registration")) {
				t.Fatalf("no warning about the unreachable chain at start:\n%s", log)
			}
			end := time.Now()
			lines := telemetryLines("acme/pump-2", withFault(normal[:400], 200, 215), end, 50*time.Millisecond)
			if ans := b.post(t, strings.Join(lines[:300], "\n")); ans.Status != 200 || ans.Accepted != 300 {
				t.Fatalf("%+v", ans)
			}
			waitFor(t, 10*time.Second, 100*time.Millisecond, "a pending report", func() (bool, string) {
				v := b.metric(t, "adf_sentinel_reports_pending")
				return v == 1, fmt.Sprint(v)
			})
			accepted := b.metric(t, "adf_sentinel_samples_accepted_total")
			ans := b.post(t, strings.Join(lines[300:], "\n"))
			if ans.Status != 429 || ans.RetryAfter == "" || ans.Code != "queue_full" || ans.Accepted != 0 {
				t.Fatalf("full report queue: %+v", ans)
			}
			if got := b.metric(t, "adf_sentinel_samples_accepted_total"); got != accepted {
				t.Fatalf("a 429 admitted samples: %v -> %v", accepted, got)
			}
			if got := b.metric(t, `adf_sentinel_throttled_requests_total{queue="reports"}`); got != 1 {
				t.Fatalf("throttled %v", got)
			}
			var h struct {
				Status          string `json:"status"`
				LastSubmitError string `json:"last_submit_error"`
			}
			if err := getJSON(&http.Client{Timeout: 5 * time.Second}, b.base+"/healthz", &h); err != nil || h.Status != "degraded" || h.LastSubmitError == "" {
				t.Fatalf("healthz %+v %v", h, err)
			}
			// kill -9, then restart against the real node: the report was
			// stored (synced) before it was queued, so it goes on chain.
			b.kill()
			b = startSentinel(t, abin, acme.keysDir, filepath.Join(dir, "sentinel-b.log"), sentinelListenB,
				append(argsB, "--node", acme.rpc, "--api", acme.api)...)
			waitFor(t, 30*time.Second, 200*time.Millisecond, "the kept report on chain", func() (bool, string) {
				rs := b.reports(t, "")
				return len(rs) == 1 && rs[0].State == "submitted", fmt.Sprintf("%+v", rs)
			})
			var onChain struct {
				Reports []struct {
					EvidenceDigest string `json:"evidence_digest"`
				} `json:"reports"`
			}
			if err := json.Unmarshal(nw.Query(t, acmeNode, "telemetry", "reports", "acme/pump-2"), &onChain); err != nil {
				t.Fatal(err)
			}
			if rs := b.reports(t, ""); len(onChain.Reports) != 1 || onChain.Reports[0].EvidenceDigest != rs[0].EvidenceDigest {
				t.Fatalf("chain %+v, sentinel %+v", onChain.Reports, rs)
			}
			// What the 429 refused was not half-taken: resending it works.
			faultRows = lines[300:]
			if ans := b.post(t, strings.Join(faultRows, "\n")); ans.Status != 200 || ans.Accepted != 100 || ans.Rejected != 0 {
				t.Fatalf("resent after 429: %+v", ans)
			}
		}},
	}
	for _, s := range steps {
		if ok := t.Run(s.name, s.fn); !ok {
			if a != nil {
				t.Logf("sentinel A log:\n%s", batcherLogTail(a.log, 30))
			}
			if b != nil {
				t.Logf("sentinel B log:\n%s", batcherLogTail(b.log, 30))
			}
			t.Fatalf("step %s failed; the remaining steps depend on it and were not run", s.name)
		}
	}
	t.Logf("TestSentinel: all steps passed in %s", time.Since(start).Round(time.Second))
}
