// Package sentinel is the streaming side of ADF's telemetry anomaly
// detection (`adf sentinel serve`): it ingests device telemetry (JSON lines
// or CSV, over HTTP or from a file), scores each device's samples in
// arrival order with the device's trained model (pkg/anomaly), merges
// anomalous samples into windows, keeps each window's raw samples as
// evidence in a pebble database, and submits one anomaly report per window
// to the chain in batches, retrying until the chain has it.
//
// Every queue is bounded and full queues push back (HTTP 429, a blocked
// file reader) instead of dropping anything; see docs/sentinel.md. Chain
// access goes through ReportSink, so this package imports no Cosmos SDK.
package sentinel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// Config configures a Service. Zero values take the defaults shown.
type Config struct {
	// QueueSamples bounds each device's queue of admitted, not yet scored
	// samples (default 10,000). One request may not carry more samples of
	// a device than this.
	QueueSamples int
	// MaxPendingReports bounds the reports waiting for the chain (default
	// 1,000). When it is reached, workers stop scoring and ingest answers
	// 429 until the chain catches up.
	MaxPendingReports int
	Window            WindowConfig
	// IdleClose closes a device's open window when no sample arrived for
	// this long (default 10 s): a device that goes quiet mid-incident is
	// still reported.
	IdleClose time.Duration
	// Batch is the most reports per transaction (default 20; keep it at or
	// below x/telemetry's max_reports_per_batch). Flush is the longest a
	// report waits for a batch to fill (default 1 s).
	Batch int
	Flush time.Duration
	// MaxBackoff caps the delay between failed submissions (default 30 s).
	MaxBackoff time.Duration
	// RetryAfter is the Retry-After a 429 answer carries (default 1 s).
	RetryAfter time.Duration
	// MaxBodyBytes bounds one HTTP request body (default 8 MiB).
	MaxBodyBytes int64
	// MaxErrors is how many line errors an answer lists (default 20); the
	// counts by reason always cover all of them.
	MaxErrors int
	// MaxRequests bounds the ingest requests parsed at once (default 16),
	// so memory stays bounded (MaxRequests × MaxBodyBytes of bodies and
	// their samples) however many clients connect; more answer 429.
	MaxRequests int
	Logger      *slog.Logger
	Now         func() time.Time
}

func (c *Config) defaults() {
	if c.QueueSamples <= 0 {
		c.QueueSamples = 10000
	}
	if c.MaxPendingReports <= 0 {
		c.MaxPendingReports = 1000
	}
	c.Window.defaults()
	if c.IdleClose <= 0 {
		c.IdleClose = 10 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.Flush <= 0 {
		c.Flush = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = time.Second
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 8 << 20
	}
	if c.MaxErrors <= 0 {
		c.MaxErrors = 20
	}
	if c.MaxRequests <= 0 {
		c.MaxRequests = 16
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service is a running sentinel: admission, per-device scoring workers,
// the report queue and its submitter, and the HTTP API.
type Service struct {
	cfg     Config
	devices *Devices
	store   *Store
	sink    ReportSink
	states  map[*Device]*deviceState
	order   []*deviceState

	// admitMu serialises admission: the order check against each device's
	// last timestamp and the queue-space check must see the same state.
	admitMu sync.Mutex
	closing atomic.Bool

	repMu   sync.Mutex
	repCond *sync.Cond
	pending []*Report // FIFO waiting for the chain; front = oldest
	kick    chan struct{}

	errMu         sync.Mutex
	lastSubmitErr string

	// requests is a semaphore of ingest requests being parsed.
	requests chan struct{}

	m metrics
}

// deviceState is one device's stream: admission state (under admitMu),
// the queue (under mu), and the scorer and windower its worker owns.
type deviceState struct {
	dev *Device

	lastTS  int64 // last admitted timestamp (admitMu)
	hasLast bool
	admitN  int // scratch count during one admission (admitMu)

	mu    sync.Mutex
	queue []Sample
	depth atomic.Int64 // admitted, not yet scored

	notify   chan struct{}
	flushReq chan chan struct{}

	scorer anomaly.Scorer
	win    *windower
	// windowOpen mirrors win.open for readers outside the worker.
	windowOpen atomic.Bool
}

// New builds a service over devices, a store and a report sink. Reports the
// store holds as pending (from an earlier run) are queued for submission.
func New(devices *Devices, store *Store, sink ReportSink, cfg Config) (*Service, error) {
	cfg.defaults()
	s := &Service{cfg: cfg, devices: devices, store: store, sink: sink, states: map[*Device]*deviceState{}, kick: make(chan struct{}, 1),
		requests: make(chan struct{}, cfg.MaxRequests)}
	s.repCond = sync.NewCond(&s.repMu)
	for _, id := range devices.IDs() {
		d := devices.Get(id)
		st := &deviceState{dev: d, notify: make(chan struct{}, 1), flushReq: make(chan chan struct{}),
			scorer: d.Model.NewScorer(), win: newWindower(d, cfg.Window)}
		s.states[d] = st
		s.order = append(s.order, st)
	}
	pending, err := store.Reports(StatePending, 0)
	if err != nil {
		return nil, err
	}
	// The order check goes on from where a clean shutdown left it, so a
	// source replaying its buffer after a restart gets its duplicates back
	// as duplicates.
	last, err := store.LastTimes()
	if err != nil {
		return nil, err
	}
	for _, st := range s.order {
		if ts, ok := last[st.dev.ID]; ok {
			st.lastTS, st.hasLast = ts, true
		}
	}
	s.pending = pending
	s.initMetrics()
	if len(pending) > 0 {
		cfg.Logger.Info("resubmitting reports pending from an earlier run", "reports", len(pending))
	}
	return s, nil
}

// Devices returns the devices the service scores.
func (s *Service) Devices() *Devices { return s.devices }

// Config returns the effective configuration (defaults filled in).
func (s *Service) Config() Config { return s.cfg }

// BusyError says a bounded queue is full: nothing of the input was
// admitted; the caller should retry after RetryAfter.
type BusyError struct {
	Queue      string // "device" or "reports"
	Device     string
	RetryAfter time.Duration
}

func (e *BusyError) Error() string {
	if e.Queue == "reports" {
		return "the report queue is full (the chain is behind); retry later"
	}
	return fmt.Sprintf("device %s's queue is full; retry later", e.Device)
}

// TooManyError says one input holds more samples of a device than its
// queue can ever take; it must be split.
type TooManyError struct {
	Device  string
	Samples int
	Max     int
}

func (e *TooManyError) Error() string {
	return fmt.Sprintf("%d samples of device %s in one request; a request may carry at most %d per device (split it)", e.Samples, e.Device, e.Max)
}

// ErrClosing is returned by Admit while the service shuts down.
var ErrClosing = errors.New("sentinel is shutting down")

// Admit queues samples for scoring, all or none: if any device's queue (or
// the report queue) lacks room, nothing is admitted and a *BusyError says
// which. Samples not later than their device's last admitted sample are
// rejected (out_of_order, duplicate) and returned; the others are
// admitted in order. The samples' Values must not be modified afterwards.
func (s *Service) Admit(samples []Sample) (accepted int, rejected []LineError, err error) {
	s.admitMu.Lock()
	defer s.admitMu.Unlock()
	if s.closing.Load() {
		return 0, nil, ErrClosing
	}
	if s.PendingReports() >= s.cfg.MaxPendingReports {
		return 0, nil, &BusyError{Queue: "reports", RetryAfter: s.cfg.RetryAfter}
	}
	var touched []*deviceState
	defer func() {
		for _, st := range touched {
			st.admitN = 0
		}
	}()
	for i := range samples {
		st := s.states[samples[i].Device]
		if st == nil {
			return 0, nil, fmt.Errorf("sentinel: sample of a device this service does not score (%s)", samples[i].Device.ID)
		}
		if st.admitN == 0 {
			touched = append(touched, st)
		}
		st.admitN++
	}
	for _, st := range touched {
		if st.admitN > s.cfg.QueueSamples {
			return 0, nil, &TooManyError{Device: st.dev.ID, Samples: st.admitN, Max: s.cfg.QueueSamples}
		}
		if int(st.depth.Load())+st.admitN > s.cfg.QueueSamples {
			return 0, nil, &BusyError{Queue: "device", Device: st.dev.ID, RetryAfter: s.cfg.RetryAfter}
		}
	}
	// Room everywhere: admit, in order, whatever is in time order.
	ok := make([]Sample, 0, len(samples))
	for _, x := range samples {
		st := s.states[x.Device]
		if st.hasLast && x.TS <= st.lastTS {
			reason, what := ReasonOutOfOrder, "before"
			if x.TS == st.lastTS {
				reason, what = ReasonDuplicate, "the same time as"
			}
			rejected = append(rejected, LineError{Line: x.Line, Reason: reason, Msg: fmt.Sprintf("device %s: %s is %s its last accepted sample (%s)",
				x.Device.ID, formatTS(x.TS), what, formatTS(st.lastTS))})
			continue
		}
		st.lastTS, st.hasLast = x.TS, true
		ok = append(ok, x)
	}
	for _, st := range touched {
		st.admitN = 0
	}
	// Hand each device its samples, in order; most inputs hold one device.
	if len(touched) == 1 {
		s.enqueue(touched[0], ok)
	} else {
		groups := make(map[*deviceState][]Sample, len(touched))
		for _, x := range ok {
			st := s.states[x.Device]
			groups[st] = append(groups[st], x)
		}
		for _, st := range touched {
			s.enqueue(st, groups[st])
		}
	}
	accepted = len(ok)
	s.m.accepted.Add(float64(accepted))
	for _, r := range rejected {
		s.m.rejected.WithLabelValues(string(r.Reason)).Inc()
	}
	return accepted, rejected, nil
}

func (s *Service) enqueue(st *deviceState, samples []Sample) {
	if len(samples) == 0 {
		return
	}
	st.mu.Lock()
	st.queue = append(st.queue, samples...)
	st.depth.Add(int64(len(samples)))
	st.mu.Unlock()
	select {
	case st.notify <- struct{}{}:
	default:
	}
}

// AdmitWait is Admit for file and stdin ingest: while a queue is full it
// waits and retries instead of failing.
func (s *Service) AdmitWait(ctx context.Context, samples []Sample) (int, []LineError, error) {
	delay := 2 * time.Millisecond
	for {
		n, rej, err := s.Admit(samples)
		var be *BusyError
		if !errors.As(err, &be) {
			return n, rej, err
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 100*time.Millisecond)
	}
}

// CountRejected records line errors found before admission (parse errors).
func (s *Service) CountRejected(errs []LineError) {
	for _, e := range errs {
		s.m.rejected.WithLabelValues(string(e.Reason)).Inc()
	}
}

func formatTS(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// QueueDepth is the number of admitted samples not yet scored, all devices.
func (s *Service) QueueDepth() int {
	n := 0
	for _, st := range s.order {
		n += int(st.depth.Load())
	}
	return n
}

// PendingReports is the number of reports waiting for the chain.
func (s *Service) PendingReports() int {
	s.repMu.Lock()
	defer s.repMu.Unlock()
	return len(s.pending)
}

// Run runs the device workers and the submitter until ctx ends. On the way
// out it stops admission, scores what was admitted, closes open windows
// and stores their reports (pending: the next run submits them) and each
// device's last timestamp, so nothing admitted is lost by a clean shutdown
// and the order check continues after it.
func (s *Service) Run(ctx context.Context) error {
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	var wg sync.WaitGroup
	for _, st := range s.order {
		wg.Add(1)
		go func() { defer wg.Done(); s.deviceLoop(workCtx, st) }()
	}
	subDone := make(chan struct{})
	go func() { defer close(subDone); s.submitLoop(ctx) }()

	<-ctx.Done()
	s.admitMu.Lock()
	s.closing.Store(true)
	s.admitMu.Unlock()
	s.repMu.Lock()
	s.repCond.Broadcast() // workers waiting for report-queue room store and go on
	s.repMu.Unlock()
	s.FlushWindows(workCtx)
	stopWork()
	wg.Wait()
	<-subDone
	last := map[string]int64{}
	for _, st := range s.order {
		if st.hasLast {
			last[st.dev.ID] = st.lastTS
		}
	}
	if err := s.store.SaveLastTimes(last); err != nil {
		return fmt.Errorf("sentinel: record last timestamps: %w", err)
	}
	return nil
}

// FlushWindows scores everything admitted so far and closes every open
// window (turning it into a report). It returns when all devices are done.
func (s *Service) FlushWindows(ctx context.Context) {
	for _, st := range s.order {
		done := make(chan struct{})
		select {
		case st.flushReq <- done:
		case <-ctx.Done():
			return
		}
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
	}
}

// WaitIdle waits until every admitted sample is scored and no report is
// pending (the file ingest's end), or ctx ends.
func (s *Service) WaitIdle(ctx context.Context) error {
	for {
		if s.QueueDepth() == 0 && s.PendingReports() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Service) deviceLoop(ctx context.Context, st *deviceState) {
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-st.notify:
			s.drain(ctx, st)
		case <-idle.C:
			if w := st.win.close(); w != nil {
				s.emit(ctx, st, w)
			}
		case done := <-st.flushReq:
			s.drain(ctx, st)
			if w := st.win.close(); w != nil {
				s.emit(ctx, st, w)
			}
			close(done)
		}
		st.windowOpen.Store(st.win.open)
		if st.win.open {
			idle.Reset(s.cfg.IdleClose)
		} else {
			idle.Stop()
		}
	}
}

// drain scores the device's queue until it is empty.
func (s *Service) drain(ctx context.Context, st *deviceState) {
	var spare []Sample
	for {
		st.mu.Lock()
		batch := st.queue
		st.queue = spare[:0]
		st.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for i := range batch {
			x := batch[i]
			t0 := time.Now()
			score, ok := s.push(st, x)
			s.m.scoreSeconds.Observe(time.Since(t0).Seconds())
			var implicated []int
			anomalous := ok && score > st.win.threshold
			if anomalous {
				s.m.anomalous.Inc()
				if attr, ok := st.scorer.(ChannelAttributor); ok {
					implicated = attr.LastChannels()
				}
			}
			if w := st.win.push(x, score, ok, implicated); w != nil {
				s.emit(ctx, st, w)
			}
			st.depth.Add(-1)
		}
		s.m.scored.Add(float64(len(batch)))
		clear(batch) // let the samples' values go
		spare = batch
	}
}

// push scores one sample. A scorer that panics (a detector bug: inputs
// are validated finite and of the model's width) is replaced by a fresh
// one and the sample counts as unscored, so one device's model cannot take
// the other devices down; the panic is logged and counted.
func (s *Service) push(st *deviceState, x Sample) (score float64, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.m.scorerPanics.Inc()
			s.cfg.Logger.Error("scorer panicked; restarting it", "device", st.dev.ID, "method", st.dev.Model.Method(), "panic", fmt.Sprint(r))
			st.scorer = st.dev.Model.NewScorer()
			score, ok = 0, false
		}
	}()
	return st.scorer.Push(x.Values)
}

// emit stores a closed window's report and evidence, then queues the
// report for the chain, waiting while the report queue is full (unless
// shutting down: the store is the real queue, the bound is backpressure).
func (s *Service) emit(ctx context.Context, st *deviceState, w *Window) {
	ev := EncodeEvidence(w.Samples)
	names := make([]string, len(w.Channels))
	for i, c := range w.Channels {
		names[i] = st.dev.Channels[c]
	}
	sort.Strings(names)
	threshold := st.dev.Model.Threshold()
	r := &Report{
		Device: st.dev.ID, WindowStart: w.Start, WindowEnd: w.End, Channels: names,
		Score: Millionths(w.MaxScore), Threshold: Millionths(threshold),
		Method: st.dev.Model.Method(), ModelDigest: st.dev.ModelDigest, EvidenceDigest: EvidenceDigest(ev),
		Samples: len(w.Samples), DetectedAt: s.cfg.Now().UnixNano(), State: StatePending,
	}
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 5*time.Second) {
		err := s.store.AddReport(r, ev)
		if err == nil {
			break
		}
		// A full or failing disk: hold this device's stream (its queue
		// fills and ingest answers 429) rather than lose the window.
		s.cfg.Logger.Error("cannot store a report; retrying", "device", st.dev.ID, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
	s.m.reports.Inc()
	s.cfg.Logger.Info("anomaly window closed", "device", r.Device, "seq", r.Seq, "start", formatTS(r.WindowStart), "end", formatTS(r.WindowEnd),
		"samples", r.Samples, "score", r.Score, "threshold", r.Threshold, "channels", r.Channels, "evidence", r.EvidenceDigest)
	s.repMu.Lock()
	for len(s.pending) >= s.cfg.MaxPendingReports && !s.closing.Load() {
		s.repCond.Wait()
	}
	s.pending = append(s.pending, r)
	s.repMu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// SubmitError is the last submission failure, "" after a success.
func (s *Service) SubmitError() string {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.lastSubmitErr
}

func (s *Service) setSubmitErr(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if err == nil {
		s.lastSubmitErr = ""
	} else {
		s.lastSubmitErr = err.Error()
	}
}

// DeviceStatus is a device's stream as /v1/devices shows it.
type DeviceStatus struct {
	ID          string   `json:"id"`
	Channels    []string `json:"channels"`
	Method      string   `json:"method"`
	ModelDigest string   `json:"model_digest"`
	Threshold   float64  `json:"threshold"`
	QueueDepth  int      `json:"queue_depth"`
	LastTS      string   `json:"last_ts,omitempty"`
	// OpenWindow: anomalous samples are being collected into a window
	// that has not closed yet (it closes after Gap normal samples or
	// IdleClose without samples).
	OpenWindow bool `json:"open_window"`
}

// DeviceStatuses lists the devices with their queues.
func (s *Service) DeviceStatuses() []DeviceStatus {
	s.admitMu.Lock()
	defer s.admitMu.Unlock()
	out := make([]DeviceStatus, 0, len(s.order))
	for _, st := range s.order {
		ds := DeviceStatus{ID: st.dev.ID, Channels: slices.Clone(st.dev.Channels), Method: st.dev.Model.Method(),
			ModelDigest: st.dev.ModelDigest, Threshold: st.dev.Model.Threshold(), QueueDepth: int(st.depth.Load()),
			OpenWindow: st.windowOpen.Load()}
		if st.hasLast {
			ds.LastTS = formatTS(st.lastTS)
		}
		out = append(out, ds)
	}
	return out
}

type metrics struct {
	reg             *prometheus.Registry
	accepted        prometheus.Counter
	rejected        *prometheus.CounterVec
	throttled       *prometheus.CounterVec
	scored          prometheus.Counter
	anomalous       prometheus.Counter
	reports         prometheus.Counter
	submitted       prometheus.Counter
	duplicates      prometheus.Counter
	refused         prometheus.Counter
	submitFailures  prometheus.Counter
	scorerPanics    prometheus.Counter
	scoreSeconds    prometheus.Histogram
	submitSeconds   prometheus.Histogram
	detectToInclude prometheus.Histogram
}

func (s *Service) initMetrics() {
	m := &s.m
	m.reg = prometheus.NewRegistry()
	m.accepted = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_samples_accepted_total", Help: "Samples admitted for scoring."})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "adf_sentinel_samples_rejected_total", Help: "Input lines rejected, by reason."}, []string{"reason"})
	for _, r := range Reasons {
		m.rejected.WithLabelValues(string(r))
	}
	m.throttled = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "adf_sentinel_throttled_requests_total", Help: "Ingest requests answered 429 because a queue was full, by queue (device, reports, or requests: too many parsed at once)."}, []string{"queue"})
	m.throttled.WithLabelValues("device")
	m.throttled.WithLabelValues("reports")
	m.throttled.WithLabelValues("requests")
	m.scored = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_samples_scored_total", Help: "Samples scored."})
	m.anomalous = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_anomalous_samples_total", Help: "Scored samples above their model's threshold."})
	m.reports = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_reports_queued_total", Help: "Anomaly windows closed, stored and queued as reports."})
	m.submitted = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_reports_submitted_total", Help: "Reports included in a block (duplicates of earlier reports included)."})
	m.duplicates = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_reports_duplicate_total", Help: "Submitted reports the chain already had (a resubmission after a restart or a lost answer)."})
	m.refused = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_reports_failed_total", Help: "Reports the chain refused for good (kept in the store as refused)."})
	m.submitFailures = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_submit_failures_total", Help: "Failed submission attempts (retried)."})
	m.scorerPanics = prometheus.NewCounter(prometheus.CounterOpts{Name: "adf_sentinel_scorer_panics_total", Help: "Scorers that panicked and were restarted (a detector bug)."})
	m.scoreSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "adf_sentinel_score_seconds", Help: "Time to score one sample.",
		Buckets: prometheus.ExponentialBuckets(1e-7, 4, 10)})
	m.submitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "adf_sentinel_submit_seconds", Help: "Time of one successful report transaction, broadcast to inclusion.",
		Buckets: []float64{0.25, 0.5, 1, 2, 3, 5, 10, 30}})
	m.detectToInclude = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "adf_sentinel_report_lag_seconds", Help: "Per report: time from the window's close to its inclusion on chain.",
		Buckets: []float64{0.5, 1, 2, 3, 5, 10, 30, 60, 300}})
	m.reg.MustRegister(m.accepted, m.rejected, m.throttled, m.scored, m.anomalous, m.reports, m.submitted, m.duplicates, m.refused,
		m.submitFailures, m.scorerPanics, m.scoreSeconds, m.submitSeconds, m.detectToInclude,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "adf_sentinel_queue_depth", Help: "Admitted samples not yet scored, all devices."},
			func() float64 { return float64(s.QueueDepth()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "adf_sentinel_queue_capacity", Help: "Samples each device's queue holds at most."},
			func() float64 { return float64(s.cfg.QueueSamples) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "adf_sentinel_reports_pending", Help: "Reports waiting for the chain."},
			func() float64 { return float64(s.PendingReports()) }),
	)
}
