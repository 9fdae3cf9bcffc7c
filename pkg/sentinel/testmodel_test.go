package sentinel

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// absMax is a test-only model: the score of a sample is the largest
// absolute channel value; the first Warmup samples of a stream are not
// scored. Its scorer names the channels above the threshold, and panics on
// a first channel of 13 (a stand-in for a detector bug).
type absMax struct {
	N      int     `json:"n"`
	T      float64 `json:"t"`
	Warmup int     `json:"warmup"`
	// gate, when set, is received from before every Push: tests use it to
	// hold the scorer and fill the queues.
	gate chan struct{}
}

const absMaxMethod = "test-absmax"

func init() {
	anomaly.RegisterDecoder(absMaxMethod, func(channels int, threshold float64, params []byte) (anomaly.Model, error) {
		var m absMax
		if err := json.Unmarshal(params, &m); err != nil {
			return nil, err
		}
		if m.N != channels || m.T != threshold {
			return nil, fmt.Errorf("params disagree with the envelope")
		}
		return &m, nil
	})
}

func (m *absMax) Method() string                 { return absMaxMethod }
func (m *absMax) Channels() int                  { return m.N }
func (m *absMax) Threshold() float64             { return m.T }
func (m *absMax) MarshalParams() ([]byte, error) { return json.Marshal(m) }
func (m *absMax) NewScorer() anomaly.Scorer      { return &absMaxScorer{m: m} }

type absMaxScorer struct {
	m    *absMax
	seen int
	last []int
}

func (s *absMaxScorer) Push(x []float64) (float64, bool) {
	if s.m.gate != nil {
		<-s.m.gate
	}
	if x[0] == 13 {
		panic("test-absmax: unlucky value")
	}
	s.seen++
	if s.seen <= s.m.Warmup {
		return 0, false
	}
	best := 0.0
	s.last = s.last[:0]
	for i, v := range x {
		a := math.Abs(v)
		best = max(best, a)
		if a > s.m.T {
			s.last = append(s.last, i)
		}
	}
	return best, true
}

func (s *absMaxScorer) LastChannels() []int { return s.last }

// testDevice is a device with channels a, b, c and threshold 5.
func testDevice(t testing.TB, id string) *Device {
	t.Helper()
	d, err := NewDevice(id, []string{"a", "b", "c"}, &absMax{N: 3, T: 5}, "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testDevices(t testing.TB, ds ...*Device) *Devices {
	t.Helper()
	out, err := NewDevices(ds...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
