package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
	_ "github.com/adf-consortium/adf/pkg/anomaly/sparse" // registers the sparse model decoder
	"github.com/adf-consortium/adf/pkg/sentinel"
	telemetrytypes "github.com/adf-consortium/adf/x/telemetry/types"
)

func init() {
	sentinelSubcommands = append(sentinelSubcommands, sentinelServeCmd, sentinelDemoCmd)
}

func sentinelServeCmd() *cobra.Command {
	var (
		nf         netFlags
		keysDir    string
		keyName    string
		dataDir    string
		models     string
		listen     string
		cfg        sentinel.Config
		gas        uint64
		file       string
		stdin      bool
		format     string
		device     string
		keepGoing  bool
		maxPending int
	)
	cmd := &cobra.Command{
		Use:   "serve --data-dir DIR --models DIR|FILE --key NAME",
		Short: "Score device telemetry with trained detectors and report anomaly windows to the chain",
		Long: `Ingests device telemetry (JSON lines or CSV; see docs/sentinel.md), scores each
device's samples in arrival order with the device's model, merges anomalous
samples into windows, keeps each window's raw samples as evidence in --data-dir
and submits one anomaly report per window to x/telemetry (MsgSubmitReports,
signed by --key, a detector principal's key), in batches, retrying until the
chain has them.

--models is a directory of <device>.model.json files ('~' for '/' in the id;
channels c0..c<n-1>) or a devices.json / config file:
  {"devices": [{"id": "demo/pump-1", "model": "pump.model.json",
                "channels": ["vibration", "pressure", "temperature"]}]}
Channel names must be the device's channels as registered on chain.

Routes: POST /v1/telemetry (Content-Type application/x-ndjson or text/csv with
?device=ID), GET /v1/evidence/{digest}, GET /v1/reports[?state=&device=],
GET /v1/devices, GET /healthz, GET /metrics. A full queue answers 429 with
Retry-After and accepts nothing of that request.

With --file or --stdin the sentinel also reads telemetry from there (blocking,
never dropping, while queues are full) and exits once every sample is scored
and every report is on chain.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" || models == "" || keyName == "" {
				return errors.New("--data-dir, --models and --key are required")
			}
			if file != "" && stdin {
				return errors.New("--file and --stdin exclude each other")
			}
			cfg.MaxPendingReports = maxPending
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			cfg.Logger = logger
			ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()

			devices, err := sentinel.LoadDevices(models)
			if err != nil {
				return fmt.Errorf("--models: %w", err)
			}
			w, err := openWorkerSigner(ctx, &nf, keysDir, keyName)
			if err != nil {
				return err
			}
			enc, signer, cl, chainID := w.enc, w.signer, w.cl, w.chainID
			sink := &chainReportSink{cl: cl, enc: enc, signer: signer, chainID: chainID, gas: gas}
			store, err := sentinel.OpenStore(dataDir, logger)
			if err != nil {
				return err
			}
			defer store.Close()
			svc, err := sentinel.New(devices, store, sink, cfg)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			hs := &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second}
			httpErr := make(chan error, 1)
			go func() { httpErr <- hs.Serve(ln) }()
			for _, id := range devices.IDs() {
				d := devices.Get(id)
				logger.Info("device", "id", id, "method", d.Model.Method(), "channels", strings.Join(d.Channels, ","), "threshold", d.Model.Threshold(), "model", d.ModelDigest)
				if warn := checkDeviceOnChain(ctx, cl, d); warn != "" {
					logger.Warn(warn, "device", id)
				}
			}
			logger.Info("sentinel serving", "listen", ln.Addr().String(), "devices", len(devices.IDs()), "signer", signer.Address().String(), "chain", chainID)

			runCtx, stopRun := context.WithCancel(context.Background())
			runDone := make(chan error, 1)
			go func() { runDone <- svc.Run(runCtx) }()
			ingestDone := make(chan error, 1)
			if file != "" || stdin {
				go func() { ingestDone <- ingestStream(ctx, cmd, svc, file, format, device, keepGoing) }()
			}
			var result error
			select {
			case <-ctx.Done():
			case err := <-httpErr:
				result = fmt.Errorf("http server: %w", err)
			case err := <-ingestDone:
				result = err
			}
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = hs.Shutdown(sctx)
			stopRun()
			<-runDone
			if n := svc.PendingReports(); n > 0 {
				logger.Warn("reports not yet on chain are kept in --data-dir and submitted by the next run", "pending", n)
			}
			return result
		},
	}
	nf.register(cmd)
	keysDirFlag(cmd, &keysDir)
	f := cmd.Flags()
	f.StringVar(&keyName, "key", "", "adf key store key that signs MsgSubmitReports (a detector principal's key)")
	f.StringVar(&dataDir, "data-dir", "", "directory of the sentinel's pebble database (evidence and reports)")
	f.StringVar(&models, "models", "", "directory of <device>.model.json files, or a devices.json file mapping devices to models and channels")
	f.StringVar(&listen, "listen", "127.0.0.1:8090", "HTTP listen address")
	f.IntVar(&cfg.Batch, "batch", 20, "most reports per transaction (at most x/telemetry's max_reports_per_batch)")
	f.DurationVar(&cfg.Flush, "flush", time.Second, "longest a report waits for its batch to fill")
	f.IntVar(&cfg.QueueSamples, "queue", 10000, "samples each device's queue holds; beyond, ingest answers 429")
	f.IntVar(&maxPending, "max-pending-reports", 1000, "reports waiting for the chain; beyond, scoring pauses and ingest answers 429")
	f.IntVar(&cfg.Window.Gap, "gap", 10, "consecutive normal samples that close an anomaly window")
	f.IntVar(&cfg.Window.MaxSamples, "max-window", 1000, "samples after which a window is reported even if it goes on")
	f.DurationVar(&cfg.IdleClose, "idle-close", 10*time.Second, "close a device's open window after this long without samples")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", 8<<20, "largest accepted request body")
	f.IntVar(&cfg.MaxRequests, "max-requests", 16, "ingest requests parsed at once; beyond, ingest answers 429")
	f.Uint64Var(&gas, "gas", chain.DefaultGas, "gas limit of report transactions")
	f.StringVar(&file, "file", "", "also ingest this telemetry file (JSON lines, or CSV with --format csv or a .csv name), then exit when done")
	f.BoolVar(&stdin, "stdin", false, "also ingest telemetry from standard input, then exit when done")
	f.StringVar(&format, "format", "", "format of --file/--stdin: jsonl or csv (default: by file name, else jsonl)")
	f.StringVar(&device, "device", "", "device of a CSV --file/--stdin without a device column")
	f.BoolVar(&keepGoing, "keep-serving", false, "with --file/--stdin: keep serving HTTP after the input is done")
	return cmd
}

// ingestStream feeds a file or stdin through the service, blocking while
// queues are full, then waits until everything is scored and reported.
func ingestStream(ctx context.Context, cmd *cobra.Command, svc *sentinel.Service, file, format, device string, keepServing bool) error {
	var r io.Reader = cmd.InOrStdin()
	name := "stdin"
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, file
		if format == "" && strings.EqualFold(filepath.Ext(file), ".csv") {
			format = "csv"
		}
	}
	if format == "" {
		format = "jsonl"
	}
	if format != "jsonl" && format != "csv" {
		return fmt.Errorf("--format %q: want jsonl or csv", format)
	}
	chunkMax := min(256, svc.Config().QueueSamples)
	var (
		chunk    []sentinel.Sample
		accepted int
		byReason = map[sentinel.Reason]int{}
		shown    int
	)
	reject := func(e sentinel.LineError) {
		byReason[e.Reason]++
		if shown < 20 {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d: %s: %s\n", name, e.Line, e.Reason, e.Msg)
			shown++
		}
	}
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		n, rej, err := svc.AdmitWait(ctx, chunk)
		if err != nil {
			return err
		}
		accepted += n
		for _, e := range rej {
			reject(e)
		}
		chunk = chunk[:0:0]
		return nil
	}
	emit := sentinel.Emit{
		Accept: func(x sentinel.Sample) error {
			chunk = append(chunk, x)
			if len(chunk) >= chunkMax {
				return flush()
			}
			return nil
		},
		Reject: func(e sentinel.LineError) {
			svc.CountRejected([]sentinel.LineError{e})
			reject(e)
		},
	}
	var err error
	if format == "csv" {
		err = sentinel.ParseCSV(r, device, svc.Devices(), emit)
	} else {
		if device != "" {
			return errors.New("--device applies to CSV input only")
		}
		err = sentinel.ParseJSONLines(r, svc.Devices(), emit)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	svc.FlushWindows(ctx)
	if err := svc.WaitIdle(ctx); err != nil {
		return nil // interrupted: pending reports stay in the store
	}
	rejected := 0
	for _, n := range byReason {
		rejected += n
	}
	summary, _ := json.Marshal(map[string]any{"input": name, "accepted": accepted, "rejected": rejected, "rejected_by_reason": byReason})
	fmt.Fprintln(cmd.OutOrStdout(), string(summary))
	if keepServing {
		<-ctx.Done()
	}
	return nil
}

// checkDeviceOnChain compares a device with its registration, so a
// deployment mistake shows at start rather than as refused reports later.
// It only warns: the device may be registered after the sentinel starts.
func checkDeviceOnChain(ctx context.Context, cl *chain.Client, d *sentinel.Device) string {
	req, err := (&telemetrytypes.QueryDeviceRequest{Id: d.ID}).Marshal()
	if err != nil {
		return err.Error()
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	bz, err := cl.ABCIQuery(qctx, "/adf.telemetry.v1.Query/Device", req)
	if err != nil {
		return fmt.Sprintf("cannot read the device's registration (reports wait until the chain has the device): %v", err)
	}
	var res telemetrytypes.QueryDeviceResponse
	if err := res.Unmarshal(bz); err != nil {
		return fmt.Sprintf("undecodable device registration: %v", err)
	}
	registered := map[string]bool{}
	for _, c := range res.Device.Channels {
		registered[c] = true
	}
	var unknown []string
	for _, c := range d.Channels {
		if !registered[c] {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) > 0 {
		return fmt.Sprintf("channels %s are not channels of the device on chain (%s): reports naming them will be refused",
			strings.Join(unknown, ","), strings.Join(res.Device.Channels, ","))
	}
	return ""
}

// chainReportSink submits reports as MsgSubmitReports over the node's RPC.
type chainReportSink struct {
	cl      *chain.Client
	enc     chain.Encoding
	signer  chain.Signer
	chainID string
	gas     uint64
}

// refusedCodes are x/telemetry errors about the reports themselves, which a
// retry of the same reports cannot fix. Other refusals (the signer is not
// authorised, the device is not registered yet) are the deployment's to
// fix, so the sentinel keeps retrying and its health says why.
var refusedCodes = map[uint32]bool{
	telemetrytypes.ErrInvalidReport.ABCICode():  true,
	telemetrytypes.ErrBatchTooLarge.ABCICode():  true,
	telemetrytypes.ErrEmptyBatch.ABCICode():     true,
	telemetrytypes.ErrInvalidDevice.ABCICode():  true,
	telemetrytypes.ErrInvalidParams.ABCICode():  false,
	telemetrytypes.ErrDeviceNotFound.ABCICode(): false,
}

func (c *chainReportSink) SubmitReports(ctx context.Context, rs []*sentinel.Report) (*sentinel.Submitted, error) {
	msg := &telemetrytypes.MsgSubmitReports{Signer: c.signer.Address().String()}
	for _, r := range rs {
		msg.Reports = append(msg.Reports, telemetrytypes.ReportInput{
			DeviceId:       r.Device,
			WindowStart:    r.WindowStart / int64(time.Second),
			WindowEnd:      r.WindowEnd / int64(time.Second),
			Channels:       r.Channels,
			Score:          r.Score,
			Threshold:      r.Threshold,
			Method:         r.Method,
			ModelDigest:    r.ModelDigest,
			EvidenceDigest: r.EvidenceDigest,
		})
	}
	res, err := c.cl.Send(ctx, c.enc, c.signer, []sdk.Msg{msg}, chain.SendOptions{ChainID: c.chainID, Gas: c.gas, Wait: 30 * time.Second})
	if err != nil {
		var ce *chain.CheckTxError
		var de *chain.DeliverError
		code, space := uint32(0), ""
		switch {
		case errors.As(err, &ce):
			code, space = ce.Code, ce.Codespace
		case errors.As(err, &de):
			code, space = de.Result.Code, de.Result.Codespace
		}
		if space == telemetrytypes.Codespace && refusedCodes[code] {
			return nil, fmt.Errorf("%w: %v", sentinel.ErrRefused, txError("MsgSubmitReports", err))
		}
		return nil, txError("MsgSubmitReports", err)
	}
	out := &sentinel.Submitted{Height: res.Height, TxHash: res.Hash}
	// New reports emit EventAnomalyReported in order; duplicates emit
	// nothing, so ids are only assigned when every report was new.
	var ids []uint64
	for _, e := range res.Events {
		if !strings.HasSuffix(e.Type, "EventAnomalyReported") {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == "report_id" {
				if id, err := strconv.ParseUint(strings.Trim(a.Value, `"`), 10, 64); err == nil {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == len(rs) {
		for _, id := range ids {
			out.Results = append(out.Results, sentinel.ReportResult{ReportID: id})
		}
	}
	return out, nil
}

func sentinelDemoCmd() *cobra.Command {
	var (
		base, deviceID, name, series, dataDir, file string
		step, wait                                  time.Duration
		rows, batch                                 int
	)
	cmd := &cobra.Command{
		Use:   "demo --sentinel URL --device ID (--dataset fixture|skab|smap|FILE | --file FILE)",
		Short: "Replay telemetry into a running sentinel, re-timed to now, and show the anomaly reports it files",
		Long: `Replays rows of a dataset's test part (--dataset, as adf sentinel eval reads it;
--series picks one series) or of a CSV file whose header names the device's
channels (--file; other columns such as timestamps and labels are ignored)
into a running sentinel as device --device. Timestamps are rewritten to
--step apart ending now (after the device's last sample), so the chain's
report-age and clock-skew rules accept the windows. A 429 answer is waited
out (Retry-After) and the same rows are sent again. Then it waits for the
reports the replay caused to reach the chain and prints them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if deviceID == "" || (name == "") == (file == "") {
				return errors.New("--device and one of --dataset or --file are required")
			}
			ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()
			base = strings.TrimRight(base, "/")
			hc := &http.Client{Timeout: 30 * time.Second}
			dev, err := demoDevice(ctx, hc, base, deviceID)
			if err != nil {
				return err
			}
			cols, data, err := demoRows(name, series, dataDir, file)
			if err != nil {
				return err
			}
			colIdx, err := mapDemoColumns(cols, dev.Channels)
			if err != nil {
				return err
			}
			if rows > 0 && rows < len(data) {
				data = data[:rows]
			}
			before, err := demoReports(ctx, hc, base, deviceID)
			if err != nil {
				return err
			}
			lastSeq := uint64(0)
			for _, r := range before {
				lastSeq = max(lastSeq, r.Seq)
			}
			// Re-time: step apart, the last row now. The rows must also come
			// after the device's last sample and not lie in the future (the
			// chain refuses windows past its clock skew), so after a recent
			// replay they are squeezed closer, or the demo waits a moment:
			// the detectors score samples, not seconds.
			n := time.Duration(len(data))
			start := time.Now().Add(-(n - 1) * step)
			if dev.LastTS != "" {
				if last, err := time.Parse(time.RFC3339Nano, dev.LastTS); err == nil && !start.After(last) {
					if need := last.Add(n * time.Millisecond); time.Now().Before(need) {
						time.Sleep(time.Until(need) + time.Millisecond)
					}
					step = max(time.Millisecond, (time.Since(last) / n).Truncate(time.Millisecond))
					start = time.Now().Add(-(n - 1) * step)
				}
			}
			start = start.Truncate(time.Millisecond)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "replaying %d rows of %d channels into %s as %s, %s apart from %s\n", len(data), len(dev.Channels), base, deviceID, step, start.UTC().Format(time.RFC3339))
			accepted, rejected, throttled := 0, 0, 0
			for i := 0; i < len(data); i += batch {
				var b bytes.Buffer
				for j := i; j < min(i+batch, len(data)); j++ {
					b.Write(demoLine(deviceID, start.Add(time.Duration(j)*step), dev.Channels, colIdx, data[j]))
				}
				res, n429, err := demoPost(ctx, hc, base, b.Bytes())
				if err != nil {
					return err
				}
				throttled += n429
				accepted += res.Accepted
				rejected += res.Rejected
				for _, e := range res.Errors {
					fmt.Fprintf(cmd.ErrOrStderr(), "row %d: %s: %s\n", i+e.Line, e.Reason, e.Msg)
				}
			}
			fmt.Fprintf(out, "sent: %d accepted, %d rejected, %d answers 429 waited out\n", accepted, rejected, throttled)
			fmt.Fprintf(out, "waiting up to %s for the sentinel to close windows and the chain to include its reports…\n", wait)
			deadline := time.Now().Add(wait)
			var seen []*sentinel.Report
			for {
				all, err := demoReports(ctx, hc, base, deviceID)
				if err != nil {
					return err
				}
				seen = seen[:0]
				pending := 0
				for _, r := range all {
					if r.Seq > lastSeq {
						seen = append(seen, r)
						if r.State == sentinel.StatePending {
							pending++
						}
					}
				}
				// Done when the sentinel scored everything, closed its
				// window and the chain answered for every report.
				d, err := demoDevice(ctx, hc, base, deviceID)
				if err != nil {
					return err
				}
				if d.QueueDepth == 0 && !d.OpenWindow && pending == 0 {
					break
				}
				if time.Now().After(deadline) {
					break
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(500 * time.Millisecond):
				}
			}
			if len(seen) == 0 {
				fmt.Fprintln(out, "no anomaly window closed (yet): the model found nothing above its threshold in these rows")
				return nil
			}
			for _, r := range seen {
				fmt.Fprintf(out, "anomaly window %s..%s of %s, channels %s, score %.3f > threshold %.3f (%s), evidence %s: %s",
					time.Unix(0, r.WindowStart).UTC().Format("15:04:05.000"), time.Unix(0, r.WindowEnd).UTC().Format("15:04:05.000"), r.Device,
					strings.Join(r.Channels, ","), float64(r.Score)/1e6, float64(r.Threshold)/1e6, r.Method, r.EvidenceDigest, r.State)
				switch r.State {
				case sentinel.StateSubmitted:
					if r.ReportID != 0 {
						fmt.Fprintf(out, " as chain report %d", r.ReportID)
					}
					fmt.Fprintf(out, " at height %d", r.Height)
				case sentinel.StateRefused:
					fmt.Fprintf(out, " (%s)", r.Error)
				}
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "\nevidence:  curl -s %s/v1/evidence/%s\n", base, seen[0].EvidenceDigest)
			fmt.Fprintf(out, "on chain:  adfd q telemetry device-state %s   (and: adfd q telemetry reports %s, adfd q telemetry incidents)\n", deviceID, deviceID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&base, "sentinel", "http://127.0.0.1:8090", "the sentinel's HTTP address")
	f.StringVar(&deviceID, "device", "", "device to replay as (must be one the sentinel scores)")
	f.StringVar(&name, "dataset", "", datasetHelp)
	f.StringVar(&series, "series", "", "series of the dataset to replay (default: the first), e.g. A-1 or valve1/0.csv")
	f.StringVar(&dataDir, "data-dir", "", "telemetry data folder for smap/skab (default $"+dataset.EnvSharedData+"/telemetry)")
	f.StringVar(&file, "file", "", "CSV file whose header names the device's channels (other columns are ignored)")
	f.DurationVar(&step, "step", 100*time.Millisecond, "time between replayed samples")
	f.IntVar(&rows, "rows", 0, "replay at most this many rows (0: all)")
	f.IntVar(&batch, "batch", 500, "rows per request")
	f.DurationVar(&wait, "wait", 60*time.Second, "how long to wait for the reports to reach the chain")
	return cmd
}

func demoDevice(ctx context.Context, hc *http.Client, base, id string) (*sentinel.DeviceStatus, error) {
	var out struct{ Devices []sentinel.DeviceStatus }
	if err := demoGet(ctx, hc, base+"/v1/devices", &out); err != nil {
		return nil, err
	}
	var ids []string
	for i, d := range out.Devices {
		if d.ID == id {
			return &out.Devices[i], nil
		}
		ids = append(ids, d.ID)
	}
	return nil, fmt.Errorf("the sentinel at %s does not score device %s (it scores %s)", base, id, strings.Join(ids, ", "))
}

func demoReports(ctx context.Context, hc *http.Client, base, id string) ([]*sentinel.Report, error) {
	var out struct{ Reports []*sentinel.Report }
	err := demoGet(ctx, hc, base+"/v1/reports?limit=10000&device="+url.QueryEscape(id), &out)
	return out.Reports, err
}

func demoGet(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("is the sentinel running? %w", err)
	}
	defer resp.Body.Close()
	bz, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(bz)))
	}
	return json.Unmarshal(bz, v)
}

// demoPost sends one request of JSON lines, waiting out 429 and 503
// answers (Retry-After) and resending the same body.
func demoPost(ctx context.Context, hc *http.Client, base string, body []byte) (*sentinel.IngestResult, int, error) {
	throttled := 0
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/telemetry", bytes.NewReader(body))
		if err != nil {
			return nil, throttled, err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, throttled, err
		}
		bz, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK, http.StatusUnprocessableEntity:
			var res sentinel.IngestResult
			if err := json.Unmarshal(bz, &res); err != nil {
				return nil, throttled, fmt.Errorf("undecodable answer: %s", bz)
			}
			return &res, throttled, nil
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			throttled++
			d := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				d = time.Duration(s) * time.Second
			}
			select {
			case <-ctx.Done():
				return nil, throttled, ctx.Err()
			case <-time.After(d):
			}
		default:
			return nil, throttled, fmt.Errorf("POST /v1/telemetry: %s: %s", resp.Status, strings.TrimSpace(string(bz)))
		}
	}
}

// demoRows loads the rows to replay and their column names.
func demoRows(name, series, dataDir, file string) ([]string, [][]float64, error) {
	if file != "" {
		return readDemoCSV(file)
	}
	// dataset.Load directly rather than sentinel eval's loader: the demo
	// replays test rows and needs none of its CSV training options.
	root := dataset.Root(dataDir)
	d, err := dataset.Load(name, root)
	if errors.Is(err, dataset.ErrNoData) {
		return nil, nil, fmt.Errorf("%w (data folder %s: set --data-dir or %s)", err, root, dataset.EnvSharedData)
	}
	if err != nil {
		return nil, nil, err
	}
	s := d.Series[0]
	if series != "" {
		found := false
		for _, x := range d.Series {
			if x.Name == series {
				s, found = x, true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("no series %q in %s", series, d.Name)
		}
	}
	return s.Columns, s.Test, nil
}

// readDemoCSV reads a header and numeric columns; non-numeric cells (a
// timestamp column) become NaN and are never sent unless mapped.
func readDemoCSV(path string) ([]string, [][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	sep := ","
	if !strings.Contains(sc.Text(), ",") && strings.Contains(sc.Text(), ";") {
		sep = ";"
	}
	cols := strings.Split(strings.TrimSpace(sc.Text()), sep)
	var rows [][]float64
	line := 1
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fields := strings.Split(strings.TrimSpace(sc.Text()), sep)
		if len(fields) != len(cols) {
			return nil, nil, fmt.Errorf("%s:%d: %d fields, the header has %d", path, line, len(fields), len(cols))
		}
		row := make([]float64, len(cols))
		for i, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				v = nan
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	return cols, rows, sc.Err()
}

// demoLine renders one row as a JSON line. A value that is not a finite
// number (a bad cell of --file) is sent as the string "NaN", which the
// sentinel rejects and counts, as it would a real device's.
func demoLine(id string, ts time.Time, channels []string, colIdx []int, row []float64) []byte {
	b := []byte(`{"device":`)
	b = appendJSONString(b, id)
	b = append(b, `,"ts":"`...)
	b = ts.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","values":{`...)
	for k, ch := range channels {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, ch)
		b = append(b, ':')
		if v := row[colIdx[k]]; v == v && v-v == 0 {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		} else {
			b = append(b, `"NaN"`...)
		}
	}
	return append(b, "}}\n"...)
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

var nan = func() float64 { z := 0.0; return z / z }()

// mapDemoColumns finds each device channel's column: by name when every
// channel is a column, else by position when the data has exactly as many
// value columns as the device has channels.
func mapDemoColumns(cols, channels []string) ([]int, error) {
	idx := make([]int, len(channels))
	byName := map[string]int{}
	for i, c := range cols {
		byName[strings.TrimSpace(c)] = i
	}
	missing := []string{}
	for k, ch := range channels {
		i, ok := byName[ch]
		if !ok {
			missing = append(missing, ch)
		}
		idx[k] = i
	}
	if len(missing) == 0 {
		return idx, nil
	}
	if len(cols) == len(channels) {
		for k := range idx {
			idx[k] = k
		}
		return idx, nil
	}
	sort.Strings(missing)
	return nil, fmt.Errorf("the data's columns (%s) lack the device's channels %s", strings.Join(cols, ", "), strings.Join(missing, ", "))
}
