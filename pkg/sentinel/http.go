package sentinel

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// IngestResult is the answer to POST /v1/telemetry.
type IngestResult struct {
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	// RejectedByReason counts every rejected line by reason.
	RejectedByReason map[Reason]int `json:"rejected_by_reason,omitempty"`
	// Errors are the first MaxErrors rejected lines.
	Errors          []LineError `json:"errors,omitempty"`
	ErrorsTruncated bool        `json:"errors_truncated,omitempty"`
	QueueDepth      int         `json:"queue_depth"`
}

// errorBody is every non-2xx answer: {"error", "code"} as the batcher's.
type errorBody struct {
	Error             string `json:"error"`
	Code              string `json:"code"`
	Device            string `json:"device,omitempty"`
	RetryAfterSeconds int    `json:"retry_after_seconds,omitempty"`
}

// Handler returns the HTTP API.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/telemetry", s.handleTelemetry)
	mux.HandleFunc("GET /v1/evidence/{digest}", s.handleEvidence)
	mux.HandleFunc("GET /v1/reports", s.handleReports)
	mux.HandleFunc("GET /v1/devices", s.handleDevices)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("no route %s %s", r.Method, r.URL.Path), Code: "not_found"})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// inputFormat picks the parser from the Content-Type: text/csv is CSV;
// application/x-ndjson, application/jsonl, application/json, text/plain,
// application/x-www-form-urlencoded (curl's default) or no type is JSON
// lines. ?format=csv|jsonl overrides it.
func inputFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "csv", "jsonl":
		return f, nil
	case "":
	default:
		return "", fmt.Errorf("format %q: want csv or jsonl", f)
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "jsonl", nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", fmt.Errorf("Content-Type %q: %v", ct, err)
	}
	switch mt {
	case "text/csv":
		return "csv", nil
	case "application/x-ndjson", "application/jsonl", "application/json", "application/jsonlines", "text/plain",
		// What curl --data-binary sends unless told otherwise; the body
		// is never form-decoded.
		"application/x-www-form-urlencoded":
		return "jsonl", nil
	}
	return "", fmt.Errorf("Content-Type %q: want text/csv or application/x-ndjson", mt)
}

// Parse reads one input in a format ("csv" or "jsonl"), collecting samples
// and line errors; device is the CSV's device when it has no device column.
func Parse(body io.Reader, format, device string, devices *Devices) ([]Sample, []LineError, error) {
	var (
		samples []Sample
		errs    []LineError
	)
	emit := Emit{
		Accept: func(x Sample) error { samples = append(samples, x); return nil },
		Reject: func(e LineError) { errs = append(errs, e) },
	}
	var err error
	if format == "csv" {
		err = ParseCSV(body, device, devices, emit)
	} else {
		if device != "" {
			return nil, nil, errors.New("?device= applies to CSV only; JSON lines name their device")
		}
		err = ParseJSONLines(body, devices, emit)
	}
	return samples, errs, err
}

func (s *Service) handleTelemetry(w http.ResponseWriter, r *http.Request) {
	format, err := inputFormat(r)
	if err != nil {
		writeJSON(w, http.StatusUnsupportedMediaType, errorBody{Error: err.Error(), Code: "unsupported_media_type"})
		return
	}
	if s.closing.Load() {
		s.busy(w, http.StatusServiceUnavailable, errorBody{Error: ErrClosing.Error(), Code: "closing"})
		return
	}
	select {
	case s.requests <- struct{}{}:
		defer func() { <-s.requests }()
	default:
		s.m.throttled.WithLabelValues("requests").Inc()
		s.busy(w, http.StatusTooManyRequests, errorBody{Error: fmt.Sprintf("%d ingest requests are being parsed already; nothing was accepted, resend the request", s.cfg.MaxRequests), Code: "busy"})
		return
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	samples, errs, err := Parse(body, format, r.URL.Query().Get("device"), s.devices)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("request body over %d bytes; nothing was accepted, split it", s.cfg.MaxBodyBytes), Code: "body_too_large"})
		return
	case errors.Is(err, ErrBadHeader):
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error() + "; nothing was accepted", Code: "bad_header"})
		return
	case err != nil:
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error() + "; nothing was accepted", Code: "bad_request"})
		return
	}
	accepted, orderErrs, err := s.Admit(samples)
	var be *BusyError
	var tm *TooManyError
	switch {
	case errors.As(err, &be):
		s.m.throttled.WithLabelValues(be.Queue).Inc()
		s.busy(w, http.StatusTooManyRequests, errorBody{Error: be.Error() + "; nothing was accepted, resend the request", Code: "queue_full", Device: be.Device})
		return
	case errors.As(err, &tm):
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: tm.Error() + "; nothing was accepted", Code: "too_many_samples", Device: tm.Device})
		return
	case errors.Is(err, ErrClosing):
		s.busy(w, http.StatusServiceUnavailable, errorBody{Error: err.Error(), Code: "closing"})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error(), Code: "internal"})
		return
	}
	s.CountRejected(errs)
	errs = mergeByLine(errs, orderErrs)
	res := IngestResult{Accepted: accepted, Rejected: len(errs), QueueDepth: s.QueueDepth()}
	if len(errs) > 0 {
		res.RejectedByReason = map[Reason]int{}
		for _, e := range errs {
			res.RejectedByReason[e.Reason]++
		}
		res.Errors = errs[:min(len(errs), s.cfg.MaxErrors)]
		res.ErrorsTruncated = len(errs) > s.cfg.MaxErrors
	}
	status := http.StatusOK
	if accepted == 0 && len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
}

func (s *Service) busy(w http.ResponseWriter, status int, body errorBody) {
	secs := int(math.Ceil(s.cfg.RetryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	body.RetryAfterSeconds = secs
	writeJSON(w, status, body)
}

// mergeByLine merges two line-ordered error lists.
func mergeByLine(a, b []LineError) []LineError {
	if len(b) == 0 {
		return a
	}
	out := make([]LineError, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j >= len(b) || (i < len(a) && a[i].Line <= b[j].Line) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

func (s *Service) handleEvidence(w http.ResponseWriter, r *http.Request) {
	digest := r.PathValue("digest")
	ev, err := s.store.Evidence(digest)
	switch {
	case errors.Is(err, ErrNoEvidence):
		writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("no evidence %s in this sentinel", digest), Code: "not_found"})
		return
	case errors.Is(err, ErrBadDigest):
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error(), Code: "bad_digest"})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error(), Code: "internal"})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Evidence-Digest", EvidenceDigest(ev))
	_, _ = w.Write(ev)
}

func (s *Service) handleReports(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	switch state {
	case "", StatePending, StateSubmitted, StateRefused:
	default:
		writeJSON(w, http.StatusBadRequest, errorBody{Error: fmt.Sprintf("state %q: want pending, submitted or refused", state), Code: "bad_request"})
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 10000 {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "limit: want 1..10000", Code: "bad_request"})
			return
		}
		limit = n
	}
	rs, err := s.store.DeviceReports(r.URL.Query().Get("device"), state, limit)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error(), Code: "internal"})
		return
	}
	if rs == nil {
		rs = []*Report{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": rs})
}

func (s *Service) handleDevices(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"devices": s.DeviceStatuses()})
}

// Health is GET /healthz's answer.
type Health struct {
	Status          string `json:"status"` // "ok", "degraded" (submissions failing) or "closing"
	Devices         int    `json:"devices"`
	QueueDepth      int    `json:"queue_depth"`
	PendingReports  int    `json:"pending_reports"`
	LastSubmitError string `json:"last_submit_error,omitempty"`
}

func (s *Service) handleHealth(w http.ResponseWriter, _ *http.Request) {
	h := Health{Status: "ok", Devices: len(s.order), QueueDepth: s.QueueDepth(), PendingReports: s.PendingReports(), LastSubmitError: s.SubmitError()}
	status := http.StatusOK
	switch {
	case s.closing.Load():
		h.Status, status = "closing", http.StatusServiceUnavailable
	case h.LastSubmitError != "":
		h.Status = "degraded"
	}
	writeJSON(w, status, h)
}
