package sentinel

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"time"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// WindowConfig says when anomalous samples stop belonging to one window.
type WindowConfig struct {
	// Gap closes a window after this many consecutive normal samples
	// (default 10): a short dip below the threshold inside one incident
	// does not split it into many reports.
	Gap int
	// MaxSamples closes a window that holds this many samples (default
	// 1000), so a long incident is reported while it lasts and its
	// evidence stays a bounded size.
	MaxSamples int
}

func (c *WindowConfig) defaults() {
	if c.Gap <= 0 {
		c.Gap = 10
	}
	if c.MaxSamples <= 0 {
		c.MaxSamples = 1000
	}
}

// Window is a closed run of anomalous samples of one device.
type Window struct {
	Device *Device
	// Start and End are the times of its first and last anomalous sample.
	Start, End int64
	MaxScore   float64
	// Channels are indexes of the implicated channels, ascending.
	Channels []int
	// Samples are the raw samples from the first to the last anomalous
	// one, normal samples in between included: the evidence.
	Samples []Sample
}

// ChannelAttributor is implemented by scorers that can say which channels
// made their last sample anomalous. Scorers that cannot implicate every
// channel, since the report must not claim less than the model saw.
type ChannelAttributor interface {
	// LastChannels returns the indexes of the channels responsible for the
	// last pushed sample's score.
	LastChannels() []int
}

// windower merges one device's anomalous samples into windows. It is used
// by that device's worker only.
type windower struct {
	cfg       WindowConfig
	dev       *Device
	threshold float64

	open      bool
	start     int64
	end       int64
	maxScore  float64
	channels  []bool
	samples   []Sample
	lastAnom  int // index in samples of the last anomalous sample
	normalRun int
}

func newWindower(dev *Device, cfg WindowConfig) *windower {
	cfg.defaults()
	return &windower{cfg: cfg, dev: dev, threshold: dev.Model.Threshold(), channels: make([]bool, len(dev.Channels))}
}

// push adds a scored sample (scored false: the scorer is still warming up,
// which counts as normal) and returns a window that closed, if any.
// implicated is nil when the scorer cannot say; then every channel is.
func (w *windower) push(s Sample, score float64, scored bool, implicated []int) *Window {
	anomalous := scored && score > w.threshold
	if !w.open {
		if !anomalous {
			return nil
		}
		w.open, w.start, w.maxScore, w.normalRun = true, s.TS, score, 0
		w.samples = w.samples[:0]
		clear(w.channels)
	}
	w.samples = append(w.samples, s)
	if anomalous {
		w.end = s.TS
		w.lastAnom = len(w.samples) - 1
		w.normalRun = 0
		w.maxScore = max(w.maxScore, score)
		if implicated == nil {
			for i := range w.channels {
				w.channels[i] = true
			}
		}
		for _, c := range implicated {
			if c >= 0 && c < len(w.channels) {
				w.channels[c] = true
			}
		}
	} else {
		w.normalRun++
	}
	if w.normalRun >= w.cfg.Gap || len(w.samples) >= w.cfg.MaxSamples {
		return w.close()
	}
	return nil
}

// close ends the open window (nil if none).
func (w *windower) close() *Window {
	if !w.open {
		return nil
	}
	w.open = false
	out := &Window{Device: w.dev, Start: w.start, End: w.end, MaxScore: w.maxScore,
		Samples: append([]Sample(nil), w.samples[:w.lastAnom+1]...)}
	for i, on := range w.channels {
		if on {
			out.Channels = append(out.Channels, i)
		}
	}
	if len(out.Channels) == 0 { // a scorer that implicated nothing in range
		for i := range w.channels {
			out.Channels = append(out.Channels, i)
		}
	}
	w.samples = w.samples[:0]
	return out
}

// EncodeEvidence encodes samples as the canonical JSON lines the evidence
// digest covers: one line per sample, {"device","ts","values"} in that
// order, ts RFC 3339 UTC with nanoseconds as needed, values in the device's
// channel order, numbers in Go's shortest round-trip form. The result is
// itself valid ingest input, so an auditor can replay it.
func EncodeEvidence(samples []Sample) []byte {
	var b []byte
	for _, s := range samples {
		b = AppendSampleJSON(b, s)
		b = append(b, '\n')
	}
	return b
}

// AppendSampleJSON appends one sample in the canonical JSON form (no newline).
func AppendSampleJSON(b []byte, s Sample) []byte {
	b = append(b, `{"device":`...)
	b = strictjson.AppendString(b, s.Device.ID)
	b = append(b, `,"ts":"`...)
	b = time.Unix(0, s.TS).UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","values":{`...)
	for i, v := range s.Values {
		if i > 0 {
			b = append(b, ',')
		}
		b = strictjson.AppendString(b, s.Device.Channels[i])
		b = append(b, ':')
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return append(b, "}}"...)
}

// EvidenceDigest is "sha256:<hex>" of an evidence encoding.
func EvidenceDigest(evidence []byte) string {
	sum := sha256.Sum256(evidence)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Millionths converts a score or threshold to the integer the chain
// records, rounding to nearest and saturating at the int64 range.
func Millionths(v float64) int64 {
	x := math.Round(v * 1e6)
	switch {
	case math.IsNaN(x):
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(x)
}
