package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// Random is the baseline every detector must beat: scores drawn at random,
// independent of the data, thresholded by the same rule as the detectors on
// its scores of the training rows. Kim et al. (AAAI 2022) show such scores
// reach state-of-the-art F1 under point adjustment; here it shows what chance
// gives under each metric.
//
// The scores are |Cauchy| draws: with the detectors' "largest training
// score plus a margin" rule, a bounded distribution (uniform) would never
// cross the threshold and make a vacuous baseline, while a heavy tail keeps
// a false alarm rate of about 1/(margin × training length) per sample — the
// budget the rule gives the detectors on normal data.
type Random struct {
	Seed uint64
	Rule anomaly.ThresholdRule
}

// MethodRandom names the baseline.
const MethodRandom = "random"

// NewRandom returns the baseline with the detectors' default threshold rule.
func NewRandom(seed uint64) Random { return Random{Seed: seed, Rule: anomaly.DefaultThreshold} }

// Name implements anomaly.Method.
func (Random) Name() string { return MethodRandom }

type randomParams struct {
	Seed uint64 `json:"seed"`
}

type randomModel struct {
	channels  int
	seed      uint64
	threshold float64
}

// Fit implements anomaly.Method.
func (r Random) Fit(train [][]float64) (anomaly.Model, error) {
	if len(train) == 0 || len(train[0]) == 0 {
		return nil, fmt.Errorf("eval: random baseline needs training rows with channels")
	}
	m := &randomModel{channels: len(train[0]), seed: r.Seed}
	scores := anomaly.ScoreAll(m, train)
	var err error
	if m.threshold, err = r.Rule.Apply(scores); err != nil {
		return nil, err
	}
	// Score the test with a stream that does not repeat the training draws.
	m.seed = r.Seed + 1
	return m, nil
}

func (m *randomModel) Method() string     { return MethodRandom }
func (m *randomModel) Channels() int      { return m.channels }
func (m *randomModel) Threshold() float64 { return m.threshold }
func (m *randomModel) NewScorer() anomaly.Scorer {
	return &randomScorer{rng: rand.New(rand.NewPCG(m.seed, 0x5eed))}
}
func (m *randomModel) MarshalParams() ([]byte, error) { return json.Marshal(randomParams{m.seed}) }

type randomScorer struct{ rng *rand.Rand }

func (s *randomScorer) Push([]float64) (float64, bool) {
	return math.Abs(math.Tan(math.Pi * (s.rng.Float64() - 0.5))), true
}
