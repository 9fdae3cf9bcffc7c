// Package anomaly holds the telemetry anomaly detectors `adf sentinel` runs:
// cheap per-channel streaming detectors, a PCA reconstruction baseline and the
// sparse-feature detector (subpackage sparse). Every detector is a Method that
// is fitted on anomaly-free data only and yields a Model; a Model scores
// samples through a streaming Scorer and serialises to bytes whose digest
// names it in the anomaly reports anchored on chain.
//
// Samples are rows of channel values in time order. Callers hand only finite
// values to a Scorer: the sentinel's ingest rejects NaN and infinities before
// they reach a model (see docs/detection.md), so detectors need not guess.
package anomaly

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Method trains a Model on anomaly-free rows (rows[t][channel]).
type Method interface {
	Name() string
	Fit(train [][]float64) (Model, error)
}

// Model scores telemetry of a fixed number of channels.
type Model interface {
	// Method is the name of the method that fitted the model.
	Method() string
	// Channels is the number of values every sample must have.
	Channels() int
	// Threshold is the score above which a sample is anomalous. It is chosen
	// from training data only, never from labels of the data it scores.
	Threshold() float64
	// NewScorer returns a scorer with its own streaming state; one per stream.
	NewScorer() Scorer
	// MarshalParams returns the fitted parameters as JSON. The encoding must
	// be deterministic: the same model always gives the same bytes.
	MarshalParams() ([]byte, error)
}

// Scorer scores one sample at a time, in time order.
type Scorer interface {
	// Push takes the next sample and returns the anomaly score of that
	// sample; ok is false while the scorer has too little history to score
	// (for instance while its first window fills).
	Push(x []float64) (score float64, ok bool)
}

// ScoreAll scores rows with a fresh scorer. Samples the scorer could not
// score yet get score 0, so the result has one score per row.
func ScoreAll(m Model, rows [][]float64) []float64 {
	s := m.NewScorer()
	out := make([]float64, len(rows))
	for i, r := range rows {
		if v, ok := s.Push(r); ok {
			out[i] = v
		}
	}
	return out
}

// Format names the serialisation of a model.
const Format = "adf-anomaly-model/v1"

type envelope struct {
	Format    string          `json:"format"`
	Method    string          `json:"method"`
	Channels  int             `json:"channels"`
	Threshold float64         `json:"threshold"`
	Params    json.RawMessage `json:"params"`
}

// Encode serialises a model: the format, the method, and its parameters.
func Encode(m Model) ([]byte, error) {
	p, err := m.MarshalParams()
	if err != nil {
		return nil, fmt.Errorf("anomaly: encode %s model: %w", m.Method(), err)
	}
	return json.Marshal(envelope{Format: Format, Method: m.Method(), Channels: m.Channels(), Threshold: m.Threshold(), Params: p})
}

// Digest returns "sha256:<hex>" of the model's encoding: the name a detector
// gives the model in its reports.
func Digest(m Model) (string, error) {
	b, err := Encode(m)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Decoder rebuilds a model of one method from its parameters.
type Decoder func(channels int, threshold float64, params []byte) (Model, error)

var (
	regMu    sync.RWMutex
	decoders = map[string]Decoder{}
)

// RegisterDecoder makes Decode understand models of a method. Packages that
// define methods call it from init.
func RegisterDecoder(method string, d Decoder) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := decoders[method]; dup {
		panic("anomaly: decoder registered twice for " + method)
	}
	decoders[method] = d
}

// Methods lists the methods Decode understands, sorted.
func Methods() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(decoders))
	for m := range decoders {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownMethod is returned by Decode for a model of a method it does not know.
var ErrUnknownMethod = errors.New("unknown anomaly method")

// Decode parses a serialised model.
func Decode(b []byte) (Model, error) {
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("anomaly: model is not valid JSON: %w", err)
	}
	if e.Format != Format {
		return nil, fmt.Errorf("anomaly: model format %q, want %q", e.Format, Format)
	}
	if e.Channels <= 0 {
		return nil, fmt.Errorf("anomaly: model has %d channels", e.Channels)
	}
	regMu.RLock()
	d, ok := decoders[e.Method]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("anomaly: %w %q (known: %v)", ErrUnknownMethod, e.Method, Methods())
	}
	return d(e.Channels, e.Threshold, e.Params)
}
