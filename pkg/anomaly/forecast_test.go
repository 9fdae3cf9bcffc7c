package anomaly

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// sineRows is a noisy sine of period 50 whose phase jumps by jump radians at
// row jumpAt (never, if jumpAt < 0).
func sineRows(seed uint64, n, jumpAt int, jump float64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	rows := make([][]float64, n)
	for t := range rows {
		ph := 2 * math.Pi * float64(t) / 50
		if jumpAt >= 0 && t >= jumpAt {
			ph += jump
		}
		rows[t] = []float64{0.9*math.Sin(ph) + 0.03*rng.NormFloat64()}
	}
	return rows
}

func fitForecast(t *testing.T, f Forecast, train [][]float64) Model {
	t.Helper()
	m, err := f.Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A phase jump keeps every value inside the training range, so detectors
// that compare a value with a baseline's spread have no reason to alarm; the
// prediction from the last values is wrong at once.
func TestForecastCatchesPhaseJump(t *testing.T) {
	train := sineRows(1, 2000, -1, 0)
	m := fitForecast(t, NewForecast(), train)
	const at = 1200
	test := sineRows(2, 2500, at, math.Pi/2)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range train {
		lo, hi = math.Min(lo, r[0]), math.Max(hi, r[0])
	}
	for _, r := range test {
		if r[0] < lo-0.05 || r[0] > hi+0.05 {
			t.Fatalf("test value %v outside the training range [%v, %v]: the anomaly is not contextual", r[0], lo, hi)
		}
	}
	scores := ScoreAll(m, test)
	first := -1
	for i, v := range scores {
		if v > m.Threshold() {
			first = i
			break
		}
	}
	if first < at || first > at+25 {
		t.Fatalf("first alarm at row %d, want within 25 rows after the phase jump at %d (threshold %v, peak after jump %v)",
			first, at, m.Threshold(), peak(scores[at:]))
	}
}

func TestForecastQuietOnNormalData(t *testing.T) {
	m := fitForecast(t, NewForecast(), sineRows(1, 2000, -1, 0))
	for seed := uint64(3); seed < 6; seed++ {
		scores := ScoreAll(m, sineRows(seed, 5000, -1, 0))
		if p := peak(scores); p > m.Threshold() {
			t.Fatalf("seed %d: normal data scored %v above threshold %v", seed, p, m.Threshold())
		}
	}
}

// With the command flags as inputs the predictor learns the channel's
// response to a command; a command the channel does not answer is flagged,
// and commands it answers are not.
func TestForecastUsesCommandInputs(t *testing.T) {
	gen := func(seed uint64, n, deadFrom int) [][]float64 {
		rng := rand.New(rand.NewPCG(seed, 5))
		rows := make([][]float64, n)
		y := 0.0
		for t := range rows {
			cmd := 0.0
			if t%97 == 40 {
				cmd = 1
			}
			resp := cmd
			if deadFrom >= 0 && t >= deadFrom {
				resp = 0
			}
			y = 0.7*y + 2*resp + 0.05*rng.NormFloat64()
			rows[t] = []float64{y, cmd}
		}
		return rows
	}
	f := NewForecast()
	f.Inputs = 1
	m := fitForecast(t, f, gen(1, 3000, -1))
	if m.Channels() != 2 {
		t.Fatalf("channels %d, want 2", m.Channels())
	}
	scores := ScoreAll(m, gen(2, 3000, 2000))
	if p := peak(scores[:2000]); p > m.Threshold() {
		t.Fatalf("answered commands scored %v above threshold %v", p, m.Threshold())
	}
	// The first command after 2000 is at 2000 + (40 − 2000 mod 97) mod 97.
	cmdAt := 2000 + ((40-2000%97)%97+97)%97
	if p := peak(scores[cmdAt : cmdAt+5]); !(p > m.Threshold()) {
		t.Fatalf("unanswered command at %d scored %v, not above threshold %v", cmdAt, p, m.Threshold())
	}
}

func TestForecastRoundTrip(t *testing.T) {
	train := sineRows(1, 1500, -1, 0)
	test := sineRows(4, 800, 400, 2)
	m := fitForecast(t, NewForecast(), train)
	b, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	m2 := fitForecast(t, NewForecast(), train)
	b2, _ := Encode(m2)
	if !bytes.Equal(b, b2) {
		t.Fatal("two fits of the same data encode differently")
	}
	d, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.Method() != MethodForecast || d.Threshold() != m.Threshold() || d.Channels() != 1 {
		t.Fatalf("decoded %s threshold %v channels %d", d.Method(), d.Threshold(), d.Channels())
	}
	s1, s2 := ScoreAll(m, test), ScoreAll(d, test)
	for i := range s1 {
		if s1[i] != s2[i] {
			t.Fatalf("row %d: score %v after round trip, %v before", i, s2[i], s1[i])
		}
	}
	g1, _ := Digest(m)
	g2, _ := Digest(d)
	if g1 != g2 {
		t.Fatalf("digest %s after round trip, %s before", g2, g1)
	}
	// A tampered model is refused.
	bad := strings.Replace(string(b), `"lags":30`, `"lags":29`, 1)
	if bad == string(b) {
		t.Fatal("encoding has no lags field to tamper with")
	}
	if _, err := Decode([]byte(bad)); err == nil {
		t.Fatal("decoded a model whose coefficients do not match its lags")
	}
}

func TestForecastRejectsBadSettings(t *testing.T) {
	train := sineRows(1, 500, -1, 0)
	for _, f := range []Forecast{
		{Lags: 0, Lambda: 0.1, Alpha: 0.1, FitFraction: 0.7, Rule: DefaultThreshold},
		{Lags: 30, Lambda: -1, Alpha: 0.1, FitFraction: 0.7, Rule: DefaultThreshold},
		{Lags: 30, Lambda: 0.1, Alpha: 0, FitFraction: 0.7, Rule: DefaultThreshold},
		{Lags: 30, Lambda: 0.1, Alpha: 0.1, FitFraction: 1, Rule: DefaultThreshold},
		{Lags: 30, Lambda: 0.1, Alpha: 0.1, FitFraction: 0.7, Rule: DefaultThreshold, Inputs: 1},
		{Lags: 300, Lambda: 0.1, Alpha: 0.1, FitFraction: 0.7, Rule: DefaultThreshold},
	} {
		if _, err := f.Fit(train); err == nil {
			t.Errorf("%+v: fitted, want an error", f)
		}
	}
}

func peak(xs []float64) float64 {
	p := math.Inf(-1)
	for _, v := range xs {
		p = math.Max(p, v)
	}
	return p
}
