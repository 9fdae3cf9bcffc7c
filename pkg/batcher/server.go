package batcher

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/adf-consortium/adf/pkg/batchlog"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/internal/strictjson"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// Config configures a Server.
type Config struct {
	// LogID is the log's id (the scope of the anchor action).
	LogID string
	// ChainID is the DSSE signature domain's chain id.
	ChainID string
	// Action is the x/identity action a submitter's key needs on LogID
	// (default "anchor").
	Action string
	// MaxEnvelopeBytes bounds a request body (default 262,144, the chain's
	// default max_envelope_bytes).
	MaxEnvelopeBytes int
	// MaxSignatures bounds the signatures of an envelope (default 4).
	MaxSignatures int
	// MaxBatchEntries and MaxBatchBytes bound one POST /v1/entries:batch
	// request (defaults 1,000 envelopes and 16 MiB).
	MaxBatchEntries int
	MaxBatchBytes   int
	// KeyTTL is how long a fetched key is cached (default 30 s). Revocation
	// does not wait for it: authorisation is re-checked every block.
	KeyTTL time.Duration
	// HeightPoll is how often the chain height is polled (default 250 ms);
	// Authorize decisions are cached for one height.
	HeightPoll time.Duration
	// AdminToken enables POST /v1/entries/{index}/erase for
	// "Authorization: Bearer <token>"; empty disables erasure.
	AdminToken string
	// Epoch is the anchoring interval (default 1 s); EpochEntries, when > 0,
	// anchors as soon as that many entries are unanchored.
	Epoch        time.Duration
	EpochEntries uint64
	// MaxGrowth caps the growth of one anchored root (the chain's
	// max_entries_per_epoch_per_org, default 100,000); a larger backlog is
	// anchored in several roots.
	MaxGrowth uint64
	// MaxBackoff caps the retry delay after a failed anchor (default 30 s).
	MaxBackoff time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
}

func (c *Config) defaults() {
	if c.Action == "" {
		c.Action = "anchor"
	}
	if c.MaxEnvelopeBytes <= 0 {
		c.MaxEnvelopeBytes = 262144
	}
	if c.MaxSignatures <= 0 {
		c.MaxSignatures = 4
	}
	if c.MaxBatchEntries <= 0 {
		c.MaxBatchEntries = 1000
	}
	if c.MaxBatchBytes <= 0 {
		c.MaxBatchBytes = 16 << 20
	}
	if c.KeyTTL <= 0 {
		c.KeyTTL = 30 * time.Second
	}
	if c.HeightPoll <= 0 {
		c.HeightPoll = 250 * time.Millisecond
	}
	if c.Epoch <= 0 {
		c.Epoch = time.Second
	}
	if c.MaxGrowth == 0 {
		c.MaxGrowth = 100000
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server is the batcher: HTTP API, signer checks and anchoring loop.
type Server struct {
	cfg   Config
	log   *batchlog.Log
	chain Chain
	mux   *http.ServeMux

	height atomic.Int64 // latest polled chain height (0 = unknown)

	keyMu  sync.Mutex
	keys   map[string]*keySlot
	authMu sync.Mutex
	auths  map[string]*authSlot
	riskMu sync.Mutex
	risks  map[string]riskAnswer

	kick chan struct{}

	anchorMu      sync.Mutex
	lastAnchorErr string

	reg            *prometheus.Registry
	rejected       *prometheus.CounterVec
	accepted       prometheus.Counter
	anchors        prometheus.Counter
	anchorFailures prometheus.Counter
	ingestSeconds  prometheus.Histogram
	anchorLag      prometheus.Histogram
	authorizeCalls prometheus.Counter
	keyInfoCalls   prometheus.Counter
}

type keySlot struct {
	done    chan struct{}
	info    *KeyInfo
	pk      sigscheme.PublicKey
	err     error
	fetched time.Time
}

type riskAnswer struct {
	direct  bool
	fetched time.Time
}

type authSlot struct {
	done   chan struct{}
	dec    Decision
	err    error
	height int64
}

// New returns a Server over an open log.
func New(l *batchlog.Log, ch Chain, cfg Config) *Server {
	cfg.defaults()
	if cfg.LogID == "" {
		cfg.LogID = l.LogID()
	}
	s := &Server{
		cfg: cfg, log: l, chain: ch,
		keys:  map[string]*keySlot{},
		auths: map[string]*authSlot{},
		risks: map[string]riskAnswer{},
		kick:  make(chan struct{}, 1),
		reg:   prometheus.NewRegistry(),
	}
	s.initMetrics()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/entries", s.handleSubmit)
	mux.HandleFunc("POST /v1/entries:batch", s.handleBatch)
	mux.HandleFunc("GET /v1/entries/{index}", s.handleEntry)
	mux.HandleFunc("POST /v1/entries/{index}/erase", s.handleErase)
	mux.HandleFunc("GET /v1/proof/{index}", s.handleProof)
	mux.HandleFunc("GET /v1/search", s.handleSearch)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	for route, allowed := range map[string]string{
		"/v1/entries": "POST", "/v1/entries:batch": "POST", "/v1/entries/{index}": "GET", "/v1/entries/{index}/erase": "POST",
		"/v1/proof/{index}": "GET", "/v1/search": "GET", "/healthz": "GET", "/metrics": "GET",
	} {
		mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allowed)
			writeErr(w, http.StatusMethodNotAllowed, "method_not_allowed", fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, allowed))
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
	})
	s.mux = mux
	return s
}

func (s *Server) initMetrics() {
	s.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "adf_batcher_rejected_total", Help: "Submissions refused, by reason code.",
	}, []string{"reason"})
	s.accepted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "adf_batcher_accepted_total", Help: "Submissions answered with a receipt (new or existing entry).",
	})
	s.anchors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "adf_batcher_anchors_total", Help: "Roots anchored on chain.",
	})
	s.anchorFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "adf_batcher_anchor_failures_total", Help: "Failed anchoring attempts.",
	})
	s.ingestSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "adf_batcher_ingest_seconds", Help: "Time from request to durable receipt.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	s.anchorLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "adf_batcher_anchor_lag_seconds", Help: "Per anchored root: time from the receipt of its oldest newly covered entry to the anchor (the worst submit-to-proof delay of that epoch).",
		Buckets: []float64{0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300},
	})
	s.authorizeCalls = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "adf_batcher_chain_authorize_calls_total", Help: "Authorize queries sent to the chain.",
	})
	s.keyInfoCalls = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "adf_batcher_chain_key_calls_total", Help: "KeyInfo queries sent to the chain.",
	})
	stat := func(name, help string, f func(batchlog.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f(s.log.Stats())) })
	}
	s.reg.MustRegister(s.rejected, s.accepted, s.anchors, s.anchorFailures, s.ingestSeconds, s.anchorLag, s.authorizeCalls, s.keyInfoCalls,
		stat("adf_batcher_entries_appended_total", "New entries made durable.", func(st batchlog.Stats) uint64 { return st.Appended }),
		stat("adf_batcher_duplicates_total", "Resubmissions answered with the existing entry.", func(st batchlog.Stats) uint64 { return st.Duplicates }),
		stat("adf_batcher_commits_total", "Synced pebble batches (group commits).", func(st batchlog.Stats) uint64 { return st.Batches }),
		stat("adf_batcher_erased_total", "Entries whose payload was erased.", func(st batchlog.Stats) uint64 { return st.Erased }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "adf_batcher_tree_size", Help: "Entries in the log."},
			func() float64 { return float64(s.log.Size()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "adf_batcher_anchored_tree_size", Help: "Tree size of the latest anchored root."},
			func() float64 { return float64(s.log.Anchored().TreeSize) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "adf_batcher_chain_height", Help: "Latest chain height seen."},
			func() float64 { return float64(s.height.Load()) }),
	)
}

// Handler returns the HTTP API.
func (s *Server) Handler() http.Handler { return s.mux }

// apiError is an error with an HTTP status and a reason code.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func fail(status int, code, format string, a ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, a...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error": msg, "code": code})
}

// ReceiptJSON is the answer to a submission.
type ReceiptJSON struct {
	LogID          string `json:"log_id"`
	Index          uint64 `json:"index"`
	LeafHash       string `json:"leaf_hash"`
	EnvelopeDigest string `json:"envelope_digest"`
	Existing       bool   `json:"existing,omitempty"`
	Signer         string `json:"signer"`
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	out, err := s.submit(r.Context(), w, r)
	if err != nil {
		ae := asAPIError(err)
		s.rejected.WithLabelValues(ae.code).Inc()
		writeErr(w, ae.status, ae.code, ae.msg)
		return
	}
	s.accepted.Inc()
	s.ingestSeconds.Observe(time.Since(start).Seconds())
	s.maybeKick()
	writeRaw(w, http.StatusOK, *out)
	putBuf(out)
}

func asAPIError(err error) *apiError {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = fail(http.StatusInternalServerError, "internal", "%v", err)
	}
	return ae
}

// maybeKick starts an anchor early when EpochEntries entries wait.
func (s *Server) maybeKick() {
	if s.cfg.EpochEntries > 0 && s.log.Size()-s.log.Anchored().TreeSize >= s.cfg.EpochEntries {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// writeRaw writes an already encoded JSON body.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var jsonContentType = []string{"application/json"}

// Request and response buffers are pooled: the ingest path allocates
// little besides the decoded signature and payload.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if b == nil || cap(*b) > 1<<20 {
		return // let oversized buffers go
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// readBody reads the request body (at most max bytes) into a pooled buffer.
func readBody(w http.ResponseWriter, r *http.Request, max int, what string) (*[]byte, error) {
	tooLarge := func() error {
		return fail(http.StatusRequestEntityTooLarge, "too_large", "%s too large: limit %d bytes", what, max)
	}
	if r.ContentLength > int64(max) {
		return nil, tooLarge()
	}
	bp := getBuf()
	b := (*bp)[:0]
	if n := int(r.ContentLength); n > 0 {
		b = slices.Grow(b, n+1)
	}
	rd := http.MaxBytesReader(w, r.Body, int64(max))
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, len(b)+1)
		}
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			putBuf(bp)
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge()
			}
			return nil, fail(http.StatusBadRequest, "read", "reading body: %v", err)
		}
	}
	*bp = b
	return bp, nil
}

// submit checks and stores one envelope and returns the encoded receipt
// (a pooled buffer). Nothing is stored unless every check passed.
func (s *Server) submit(ctx context.Context, w http.ResponseWriter, r *http.Request) (*[]byte, error) {
	if err := s.checkQuery(ctx, r); err != nil {
		return nil, err
	}
	body, err := readBody(w, r, s.cfg.MaxEnvelopeBytes, "envelope")
	if err != nil {
		return nil, err
	}
	buf := getBuf()
	p, err := s.check(ctx, *body, *buf)
	if err != nil {
		putBuf(body)
		putBuf(buf)
		return nil, err
	}
	rc, err := s.log.Append(ctx, p.sub)
	if err != nil {
		// The committer may still read p.sub.Envelope (the body or buf):
		// reuse neither.
		return nil, storageErr(err)
	}
	if len(*body) > 0 && len(p.sub.Envelope) > 0 && &p.sub.Envelope[0] != &(*body)[0] {
		*buf = p.sub.Envelope // keep a grown buffer
	}
	putBuf(body)
	*buf = appendReceipt((*buf)[:0], s.receipt(rc, p.signer))
	return buf, nil
}

func storageErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fail(http.StatusServiceUnavailable, "cancelled", "%v", err)
	}
	return fail(http.StatusServiceUnavailable, "storage", "log append failed, not stored: %v", err)
}

func (s *Server) receipt(rc batchlog.Receipt, signer string) *ReceiptJSON {
	return &ReceiptJSON{
		LogID: rc.LogID, Index: rc.Index, LeafHash: hex.EncodeToString(rc.LeafHash[:]),
		EnvelopeDigest: hex.EncodeToString(rc.EnvelopeDigest[:]), Existing: rc.Existing, Signer: signer,
	}
}

// appendReceipt appends rc as encoding/json would encode it (followed by a
// newline, as json.Encoder writes it).
func appendReceipt(b []byte, rc *ReceiptJSON) []byte {
	b = append(b, `{"log_id":`...)
	b = strictjson.AppendString(b, rc.LogID)
	b = append(b, `,"index":`...)
	b = strconv.AppendUint(b, rc.Index, 10)
	b = append(b, `,"leaf_hash":`...)
	b = strictjson.AppendString(b, rc.LeafHash)
	b = append(b, `,"envelope_digest":`...)
	b = strictjson.AppendString(b, rc.EnvelopeDigest)
	if rc.Existing {
		b = append(b, `,"existing":true`...)
	}
	b = append(b, `,"signer":`...)
	b = strictjson.AppendString(b, rc.Signer)
	return append(b, "}\n"...)
}

// checkQuery handles the submission query parameters (risk_class).
func (s *Server) checkQuery(ctx context.Context, r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	if rc := r.URL.Query().Get("risk_class"); rc != "" {
		return s.checkRiskClass(ctx, rc)
	}
	return nil
}

// prepared is an envelope that passed every check, ready to append.
type prepared struct {
	sub    batchlog.Submission
	signer string
}

// check runs every check of a submission on one envelope's bytes: strict
// DSSE parsing, payload type, strict in-toto statement with sha256
// subjects, a signature by a registered, active, authorised key. The
// canonical envelope is data itself when data is canonical, else it is
// appended to buf.
func (s *Server) check(ctx context.Context, data, buf []byte) (prepared, error) {
	max := s.cfg.MaxEnvelopeBytes
	env, canonical, err := dsse.ParseCanonical(data, dsse.Limits{MaxEnvelopeBytes: max, MaxSignatures: s.cfg.MaxSignatures}, buf)
	switch {
	case errors.Is(err, dsse.ErrTooLarge):
		return prepared{}, fail(http.StatusRequestEntityTooLarge, "too_large", "%v", err)
	case errors.Is(err, dsse.ErrTooManySignatures):
		return prepared{}, fail(http.StatusBadRequest, "too_many_signatures", "%v", err)
	case err != nil:
		return prepared{}, fail(http.StatusBadRequest, "malformed_envelope", "malformed DSSE envelope: %v", err)
	}
	if env.PayloadType != dsse.PayloadTypeInToto {
		return prepared{}, fail(http.StatusBadRequest, "payload_type", "payloadType is %q, want %q", trunc(env.PayloadType), dsse.PayloadTypeInToto)
	}
	st, err := intoto.ParseStatement(env.Payload, max)
	if err != nil {
		return prepared{}, fail(http.StatusBadRequest, "malformed_statement", "payload is not a valid in-toto statement: %v", err)
	}
	subjects, err := st.SubjectSHA256()
	if err != nil {
		return prepared{}, fail(http.StatusBadRequest, "subject_sha256", "%v", err)
	}
	signer, err := s.verifySigner(ctx, env)
	if err != nil {
		return prepared{}, err
	}
	return prepared{sub: batchlog.Submission{Envelope: canonical, Digest: env.Digest(), Subjects: subjects}, signer: signer}, nil
}

// handleBatch is POST /v1/entries:batch: many envelopes in one request, for
// CI pipelines that submit many attestations. The body is a JSON array of
// DSSE envelopes, or NDJSON (one envelope per line, blank lines ignored)
// when its first non-space byte is not '['. At most Config.MaxBatchEntries
// envelopes and Config.MaxBatchBytes bytes; each envelope is bounded by
// MaxEnvelopeBytes and checked exactly as POST /v1/entries checks it
// (envelopes are checked in parallel). The 200 answer has one result per
// envelope, in order, either
//
//	{"status":200,"receipt":{…the POST /v1/entries receipt…}}
//	{"status":4xx/5xx,"code":"bad_signature","error":"…"} (nothing stored for it)
//
// plus "accepted" and "rejected" counts; every accepted entry is durable
// before the answer is written. A body that cannot be split into envelopes
// (malformed array, too many envelopes, too large) is refused as a whole
// with a 4xx JSON error and nothing is stored; so is a refused risk_class.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	if err := s.checkQuery(ctx, r); err != nil {
		s.refuse(w, err)
		return
	}
	body, err := readBody(w, r, s.cfg.MaxBatchBytes, "batch")
	if err != nil {
		s.refuse(w, err)
		return
	}
	elems, err := s.splitBatch(*body)
	if err != nil {
		putBuf(body)
		s.refuse(w, err)
		return
	}
	type outcome struct {
		p   prepared
		err error
	}
	res := make([]outcome, len(elems))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(elems)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(elems) {
					return
				}
				res[i].p, res[i].err = s.check(ctx, elems[i], nil)
			}
		}()
	}
	wg.Wait()
	var subs []batchlog.Submission
	for i := range res {
		if res[i].err == nil {
			subs = append(subs, res[i].p.sub)
		}
	}
	receipts, errs := s.log.AppendBatch(ctx, subs)
	if ctx.Err() == nil {
		putBuf(body) // else the committer may still read envelopes in it
	}
	out := getBuf()
	defer putBuf(out)
	b := append((*out)[:0], `{"results":[`...)
	accepted, k := 0, 0
	for i := range res {
		if i > 0 {
			b = append(b, ',')
		}
		err := res[i].err
		if err == nil {
			if err = errs[k]; err != nil {
				err = storageErr(err)
			} else {
				accepted++
				b = append(b, `{"status":200,"receipt":`...)
				b = appendReceipt(b, s.receipt(receipts[k], res[i].p.signer))
				b = append(b[:len(b)-1], '}') // drop the receipt's newline
			}
			k++
		}
		if err != nil {
			ae := asAPIError(err)
			s.rejected.WithLabelValues(ae.code).Inc()
			b = append(b, `{"status":`...)
			b = strconv.AppendInt(b, int64(ae.status), 10)
			b = append(b, `,"code":`...)
			b = strictjson.AppendString(b, ae.code)
			b = append(b, `,"error":`...)
			b = strictjson.AppendString(b, ae.msg)
			b = append(b, '}')
		}
	}
	b = append(b, `],"accepted":`...)
	b = strconv.AppendInt(b, int64(accepted), 10)
	b = append(b, `,"rejected":`...)
	b = strconv.AppendInt(b, int64(len(res)-accepted), 10)
	b = append(b, "}\n"...)
	*out = b
	s.accepted.Add(float64(accepted))
	el := time.Since(start).Seconds()
	for range accepted {
		s.ingestSeconds.Observe(el)
	}
	s.maybeKick()
	writeRaw(w, http.StatusOK, b)
}

func (s *Server) refuse(w http.ResponseWriter, err error) {
	ae := asAPIError(err)
	s.rejected.WithLabelValues(ae.code).Inc()
	writeErr(w, ae.status, ae.code, ae.msg)
}

// splitBatch splits a batch body into envelopes (sub-slices of body).
func (s *Server) splitBatch(body []byte) ([][]byte, error) {
	max := s.cfg.MaxBatchEntries
	tooMany := func() error {
		return fail(http.StatusRequestEntityTooLarge, "too_many_entries", "batch has more than %d envelopes", max)
	}
	var elems [][]byte
	sc := strictjson.NewScanner(body)
	switch sc.Peek() {
	case '[':
		if err := sc.Begin('['); err != nil {
			return nil, fail(http.StatusBadRequest, "malformed_batch", "batch: %v", err)
		}
		for first := true; ; first = false {
			more, err := sc.NextElem(first)
			if err != nil {
				return nil, fail(http.StatusBadRequest, "malformed_batch", "batch: JSON array of envelopes: %v", err)
			}
			if !more {
				break
			}
			if len(elems) == max {
				return nil, tooMany()
			}
			v, err := sc.Raw()
			if err != nil {
				return nil, fail(http.StatusBadRequest, "malformed_batch", "batch: element %d: %v", len(elems), err)
			}
			elems = append(elems, v)
		}
		if err := sc.End(); err != nil {
			return nil, fail(http.StatusBadRequest, "malformed_batch", "batch: %v", err)
		}
	default: // NDJSON
		for rest := body; len(rest) > 0; {
			line := rest
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			if line = bytes.TrimSpace(line); len(line) == 0 {
				continue
			}
			if len(elems) == max {
				return nil, tooMany()
			}
			elems = append(elems, line)
		}
	}
	if len(elems) == 0 {
		return nil, fail(http.StatusBadRequest, "empty_batch", "batch has no envelopes (want a JSON array of DSSE envelopes, or one envelope per line)")
	}
	return elems, nil
}

var riskClassRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// checkRiskClass refuses entries whose declared risk class the chain wants
// anchored directly (answers cached for KeyTTL).
func (s *Server) checkRiskClass(ctx context.Context, rc string) error {
	if !riskClassRE.MatchString(rc) {
		return fail(http.StatusBadRequest, "bad_risk_class", "risk_class %q: want ^[a-z0-9][a-z0-9._-]{0,63}$", trunc(rc))
	}
	now := s.cfg.Now()
	s.riskMu.Lock()
	a, ok := s.risks[rc]
	s.riskMu.Unlock()
	if !ok || now.Sub(a.fetched) > s.cfg.KeyTTL {
		direct, err := s.chain.RiskClassDirect(ctx, rc)
		if err != nil {
			return fail(http.StatusServiceUnavailable, "chain_unavailable", "asking the chain about risk class %s: %v", rc, err)
		}
		a = riskAnswer{direct: direct, fetched: now}
		s.riskMu.Lock()
		if len(s.risks) > 10000 {
			s.risks = map[string]riskAnswer{}
		}
		s.risks[rc] = a
		s.riskMu.Unlock()
	}
	if a.direct {
		return fail(http.StatusConflict, "direct_anchor_required", "risk class %s must be anchored directly on chain (MsgAnchorAttestation), not through a batcher", rc)
	}
	return nil
}

// verifySigner finds a signature whose keyid is a registered key that
// verifies it and is authorised for the action on the log; the first
// failure is reported when none qualifies.
func (s *Server) verifySigner(ctx context.Context, env *dsse.Envelope) (string, error) {
	var first error
	for i, sig := range env.Signatures {
		if slices.ContainsFunc(env.Signatures[:i], func(o dsse.Signature) bool { return o.KeyID == sig.KeyID }) {
			continue // signatures are few (MaxSignatures)
		}
		err := s.checkSignature(ctx, env, i, sig.KeyID)
		if err == nil {
			return sig.KeyID, nil
		}
		var ae *apiError
		if errors.As(err, &ae) && ae.status >= 500 {
			return "", err
		}
		if first == nil {
			first = err
		}
	}
	return "", first
}

func (s *Server) checkSignature(ctx context.Context, env *dsse.Envelope, i int, keyID string) error {
	if keyID == "" {
		return fail(http.StatusBadRequest, "no_keyid", "signatures[%d] has no keyid (want the signer key's address)", i)
	}
	info, pk, err := s.key(ctx, keyID)
	switch {
	case errors.Is(err, ErrUnknownKey):
		return fail(http.StatusForbidden, "unknown_key", "signatures[%d]: keyid %q is not a key registered on chain", i, trunc(keyID))
	case err != nil:
		return fail(http.StatusServiceUnavailable, "chain_unavailable", "looking up key %q: %v", trunc(keyID), err)
	}
	if st := strings.ToLower(info.Status); st != "" && !strings.Contains(st, "active") {
		return fail(http.StatusForbidden, "key_inactive", "key %s is %s", keyID, info.Status)
	}
	if err := dsse.Verify(env, keyID, pk, s.cfg.ChainID); err != nil {
		return fail(http.StatusBadRequest, "bad_signature", "signature of %s does not verify: %v", keyID, err)
	}
	dec, err := s.authorize(ctx, keyID)
	if err != nil {
		return fail(http.StatusServiceUnavailable, "chain_unavailable", "authorising %s: %v", keyID, err)
	}
	if !dec.Allowed {
		return fail(http.StatusForbidden, "unauthorized", "key %s may not %s on %s: %s", keyID, s.cfg.Action, s.cfg.LogID, dec.Reason)
	}
	return nil
}

// key returns the (cached for KeyTTL) key registered at address.
func (s *Server) key(ctx context.Context, addr string) (*KeyInfo, sigscheme.PublicKey, error) {
	now := s.cfg.Now()
	s.keyMu.Lock()
	slot, ok := s.keys[addr]
	if ok {
		select {
		case <-slot.done:
			if slot.err != nil || now.Sub(slot.fetched) > s.cfg.KeyTTL {
				ok = false
			}
		default: // in flight: wait for it
		}
	}
	if !ok {
		if len(s.keys) > 100000 {
			s.keys = map[string]*keySlot{}
		}
		slot = &keySlot{done: make(chan struct{})}
		s.keys[addr] = slot
		s.keyMu.Unlock()
		s.keyInfoCalls.Inc()
		slot.info, slot.err = s.chain.KeyInfo(ctx, addr)
		if slot.err == nil {
			alg, err := sigscheme.ParseAlgorithm(slot.info.Algorithm)
			if err == nil {
				slot.pk, err = sigscheme.ParsePublicKey(alg, slot.info.PublicKey)
			}
			if err != nil {
				slot.err = fmt.Errorf("chain key %s is unusable: %w", addr, err)
			}
		}
		slot.fetched = now
		close(slot.done)
	} else {
		s.keyMu.Unlock()
	}
	select {
	case <-slot.done:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	return slot.info, slot.pk, slot.err
}

// authorize returns Authorize(signer, action, log id), cached for the
// current chain height only, so a revocation takes effect with the next
// block the poller sees. With no known height it asks every time.
func (s *Server) authorize(ctx context.Context, signer string) (Decision, error) {
	h := s.height.Load()
	if h == 0 {
		s.authorizeCalls.Inc()
		return s.chain.Authorize(ctx, signer, s.cfg.Action, s.cfg.LogID)
	}
	s.authMu.Lock()
	slot, ok := s.auths[signer]
	if ok && slot.height != h {
		ok = false
	}
	if ok {
		select {
		case <-slot.done:
			if slot.err != nil {
				ok = false
			}
		default:
		}
	}
	if !ok {
		if len(s.auths) > 100000 {
			s.auths = map[string]*authSlot{}
		}
		slot = &authSlot{done: make(chan struct{}), height: h}
		s.auths[signer] = slot
		s.authMu.Unlock()
		s.authorizeCalls.Inc()
		slot.dec, slot.err = s.chain.Authorize(ctx, signer, s.cfg.Action, s.cfg.LogID)
		close(slot.done)
	} else {
		s.authMu.Unlock()
	}
	select {
	case <-slot.done:
	case <-ctx.Done():
		return Decision{}, ctx.Err()
	}
	return slot.dec, slot.err
}

// PollHeight reads the chain height once (the Run loop does it every
// HeightPoll); a new height invalidates the cached authorisations.
func (s *Server) PollHeight(ctx context.Context) error {
	h, err := s.chain.Height(ctx)
	if err != nil {
		return err
	}
	s.height.Store(h)
	return nil
}

func (s *Server) pollLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.HeightPoll)
	defer t.Stop()
	for {
		if err := s.PollHeight(ctx); err != nil {
			// Unknown height: fall back to asking on every request.
			s.height.Store(0)
			s.cfg.Logger.Warn("chain height poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// EntryJSON is GET /v1/entries/{index}.
type EntryJSON struct {
	LogID          string          `json:"log_id"`
	Index          uint64          `json:"index"`
	LeafHash       string          `json:"leaf_hash"`
	EnvelopeDigest string          `json:"envelope_digest"`
	Received       time.Time       `json:"received"`
	Subjects       []string        `json:"subjects"`
	Salt           string          `json:"salt,omitempty"`
	Envelope       json.RawMessage `json:"envelope,omitempty"`
	Erased         bool            `json:"erased,omitempty"`
	ErasedAt       *time.Time      `json:"erased_at,omitempty"`
	EraseReason    string          `json:"erase_reason,omitempty"`
}

func (s *Server) entryJSON(e *batchlog.Entry) EntryJSON {
	out := EntryJSON{
		LogID: s.cfg.LogID, Index: e.Index, LeafHash: hex.EncodeToString(e.LeafHash[:]),
		EnvelopeDigest: hex.EncodeToString(e.EnvelopeDigest[:]), Received: e.Received,
		Subjects: make([]string, len(e.Subjects)), Erased: e.Erased, EraseReason: e.EraseReason,
	}
	for i, d := range e.Subjects {
		out.Subjects[i] = "sha256:" + hex.EncodeToString(d[:])
	}
	if !e.Erased {
		out.Salt = hex.EncodeToString(e.Salt)
		out.Envelope = json.RawMessage(e.Envelope)
	} else if !e.ErasedAt.IsZero() {
		t := e.ErasedAt
		out.ErasedAt = &t
	}
	return out
}

func parseIndex(r *http.Request) (uint64, *apiError) {
	v := r.PathValue("index")
	i, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fail(http.StatusBadRequest, "bad_index", "index %q is not a non-negative integer", trunc(v))
	}
	return i, nil
}

func (s *Server) lookupErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, batchlog.ErrNotFound):
		writeErr(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, batchlog.ErrNotAnchored):
		w.Header().Set("Retry-After", strconv.Itoa(int(s.cfg.Epoch/time.Second)+1))
		writeErr(w, http.StatusConflict, "not_anchored", err.Error())
	default:
		writeErr(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

func (s *Server) handleEntry(w http.ResponseWriter, r *http.Request) {
	i, ae := parseIndex(r)
	if ae != nil {
		writeErr(w, ae.status, ae.code, ae.msg)
		return
	}
	e, err := s.log.Entry(i)
	if err != nil {
		s.lookupErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.entryJSON(e))
}

// ProofJSON is GET /v1/proof/{index}: an inclusion proof to the latest
// anchored root.
type ProofJSON struct {
	LogID        string    `json:"log_id"`
	Index        uint64    `json:"index"`
	LeafHash     string    `json:"leaf_hash"`
	TreeSize     uint64    `json:"tree_size"`
	RootHash     string    `json:"root_hash"`
	Height       int64     `json:"height"`
	AnchoredTime time.Time `json:"anchored_time,omitzero"`
	Proof        []string  `json:"inclusion_proof"`
}

func (s *Server) handleProof(w http.ResponseWriter, r *http.Request) {
	i, ae := parseIndex(r)
	if ae != nil {
		writeErr(w, ae.status, ae.code, ae.msg)
		return
	}
	p, err := s.log.ProofToAnchored(i)
	if err != nil {
		s.lookupErr(w, err)
		return
	}
	out := ProofJSON{
		LogID: s.cfg.LogID, Index: p.Index, LeafHash: hex.EncodeToString(p.LeafHash[:]),
		TreeSize: p.Anchored.TreeSize, RootHash: hex.EncodeToString(p.Anchored.RootHash[:]),
		Height: p.Anchored.Height, AnchoredTime: p.Anchored.Time, Proof: make([]string, len(p.Proof)),
	}
	for k, h := range p.Proof {
		out.Proof[k] = hex.EncodeToString(h[:])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	subj := q.Get("subject")
	hexd, ok := strings.CutPrefix(subj, "sha256:")
	var d [32]byte
	valid := ok && len(hexd) == 64
	if valid {
		_, err := hex.Decode(d[:], []byte(hexd))
		valid = err == nil
	}
	if !valid {
		writeErr(w, http.StatusBadRequest, "bad_subject", fmt.Sprintf("subject %q: want sha256:<64 hex digits>", trunc(subj)))
		return
	}
	from, limit := uint64(0), 100
	if v := q.Get("from"); v != "" {
		f, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeErr(w, http.StatusBadRequest, "bad_from", fmt.Sprintf("from %q is not an index", trunc(v)))
			return
		}
		from = f
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeErr(w, http.StatusBadRequest, "bad_limit", fmt.Sprintf("limit %q: want 1..1000", trunc(v)))
			return
		}
		limit = n
	}
	idx, err := s.log.Search(d, from, limit+1)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	type hit struct {
		Index          uint64    `json:"index"`
		EnvelopeDigest string    `json:"envelope_digest"`
		LeafHash       string    `json:"leaf_hash"`
		Received       time.Time `json:"received"`
		Erased         bool      `json:"erased,omitempty"`
	}
	out := struct {
		Subject string  `json:"subject"`
		Entries []hit   `json:"entries"`
		Next    *uint64 `json:"next,omitempty"`
	}{Subject: "sha256:" + strings.ToLower(hexd), Entries: []hit{}}
	if len(idx) > limit {
		n := idx[limit]
		out.Next = &n
		idx = idx[:limit]
	}
	for _, i := range idx {
		e, err := s.log.Entry(i)
		if err != nil {
			writeErr(w, http.StatusInternalServerError, "internal", err.Error())
			return
		}
		out.Entries = append(out.Entries, hit{Index: i, EnvelopeDigest: hex.EncodeToString(e.EnvelopeDigest[:]),
			LeafHash: hex.EncodeToString(e.LeafHash[:]), Received: e.Received, Erased: e.Erased})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	a := s.log.Anchored()
	s.anchorMu.Lock()
	lastErr := s.lastAnchorErr
	s.anchorMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "ok", "log_id": s.cfg.LogID, "tree_size": s.log.Size(),
		"anchored_tree_size": a.TreeSize, "anchored_height": a.Height, "chain_height": s.height.Load(),
		"last_anchor_error": lastErr,
	})
}

func (s *Server) handleErase(w http.ResponseWriter, r *http.Request) {
	if s.cfg.AdminToken == "" {
		writeErr(w, http.StatusForbidden, "erase_disabled", "erasure is disabled (start the batcher with --admin-token)")
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) != 1 {
		writeErr(w, http.StatusUnauthorized, "admin_token", "erasure needs Authorization: Bearer <admin token>")
		return
	}
	i, ae := parseIndex(r)
	if ae != nil {
		writeErr(w, ae.status, ae.code, ae.msg)
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeErr(w, http.StatusBadRequest, "malformed_request", fmt.Sprintf("want {\"reason\": \"…\"}: %v", err))
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		writeErr(w, http.StatusBadRequest, "reason_required", "an erasure needs a reason")
		return
	}
	e, err := s.log.Erase(i, req.Reason)
	switch {
	case errors.Is(err, batchlog.ErrErased):
		writeErr(w, http.StatusConflict, "already_erased", err.Error())
		return
	case err != nil:
		s.lookupErr(w, err)
		return
	}
	s.cfg.Logger.Info("entry erased", "index", i, "reason", req.Reason)
	writeJSON(w, http.StatusOK, s.entryJSON(e))
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
