package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

func runAdf(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestSentinelEvalFixture(t *testing.T) {
	out, err := runAdf(t, "sentinel", "eval", "--dataset", "fixture", "--method", "robust-z,pca-t2q", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep struct {
		Dataset string `json:"dataset"`
		Samples int    `json:"samples"`
		Results []struct {
			Method  string  `json:"method"`
			Events  int     `json:"events"`
			EventF1 float64 `json:"event_f1"`
			Speed   float64 `json:"samples_per_sec"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Dataset != "fixture" || rep.Samples != 3500 || len(rep.Results) != 3 {
		t.Fatalf("%+v", rep)
	}
	if rep.Results[2].Method != "random" || rep.Results[1].Method != "pca-t2q" || rep.Results[1].Events != 8 || rep.Results[1].EventF1 < 0.8 {
		t.Errorf("%+v", rep.Results)
	}
	out, err = runAdf(t, "sentinel", "eval", "--dataset", "fixture", "--method", "ewma")
	if err != nil || !strings.Contains(out, "event F1") || !strings.Contains(out, "random") || !strings.Contains(out, "ewma") {
		t.Errorf("%v\n%s", err, out)
	}
}

func TestSentinelEvalRefusesBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sentinel", "eval"}, "--dataset is required"},
		{[]string{"sentinel", "eval", "--dataset", "fixture", "--method", "lstm"}, "unknown method"},
		{[]string{"sentinel", "eval", "--dataset", "nope.csv"}, "no such file"},
		{[]string{"sentinel", "eval", "--dataset", "smap", "--data-dir", "/nonexistent"}, "not found"},
		{[]string{"sentinel", "train", "--dataset", "fixture", "--method", "pca"}, "-o model.json"},
		{[]string{"sentinel", "train", "--dataset", "fixture", "--method", "pca,ewma", "-o", "x"}, "one method"},
		{[]string{"sentinel", "train", "--dataset", "fixture", "--method", "pca", "--channel", "zz", "-o", "x"}, `no series "zz"`},
	} {
		out, err := runAdf(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q\n%s", c.args, err, c.want, out)
		}
	}
}

func TestSentinelTrainWritesDecodableModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.json")
	out, err := runAdf(t, "sentinel", "train", "--dataset", "fixture", "--method", "cusum", "-o", path)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := anomaly.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := anomaly.Digest(m)
	if m.Method() != "cusum" || m.Channels() != 3 || !strings.Contains(out, d) {
		t.Errorf("model %s/%d, digest %s not in output:\n%s", m.Method(), m.Channels(), d, out)
	}
}

// A CSV of the caller's own: one series trained on its top 30 %.
func TestSentinelEvalOwnCSV(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("x,label\n")
	for i := range 400 {
		v, l := float64(i%10)/10, 0
		if i >= 300 && i < 310 {
			v, l = 9, 1
		}
		fmt.Fprintf(&sb, "%g,%d\n", v, l)
	}
	path := filepath.Join(t.TempDir(), "own.csv")
	os.WriteFile(path, []byte(sb.String()), 0o644)
	out, err := runAdf(t, "sentinel", "eval", "--dataset", path, "--method", "robust-z")
	if err != nil || !strings.Contains(out, "own.csv: 1 series, 280 test samples") || !strings.Contains(out, "1/1 +0") {
		t.Errorf("%v\n%s", err, out)
	}
	out, err = runAdf(t, "sentinel", "eval", "--dataset", path, "--method", "robust-z", "--train-fraction", "0.5", "--label", "label")
	if err != nil || !strings.Contains(out, "own.csv: 1 series, 200 test samples") {
		t.Errorf("%v\n%s", err, out)
	}
	if _, err := runAdf(t, "sentinel", "eval", "--dataset", path, "--label", "y"); err == nil || !strings.Contains(err.Error(), `no label column "y"`) {
		t.Errorf("missing label column: %v", err)
	}
	if _, err := runAdf(t, "sentinel", "eval", "--dataset", path, "--train-fraction", "0.9"); err == nil || !strings.Contains(err.Error(), "labelled anomalous") {
		t.Errorf("training part with anomalies: %v", err)
	}
}

func TestSentinelEvalTuneOnTrainingData(t *testing.T) {
	out, err := runAdf(t, "sentinel", "eval", "--dataset", "fixture", "--method", "ewma", "--tune")
	if err != nil || !strings.Contains(out, "tuned ewma: {") || !strings.Contains(out, "best of 24 on validation") {
		t.Errorf("%v\n%s", err, out)
	}
	if _, err := runAdf(t, "sentinel", "eval", "--dataset", "fixture", "--tune", "--objective", "auc"); err == nil || !strings.Contains(err.Error(), "event-f1") {
		t.Errorf("bad objective: %v", err)
	}
	path := filepath.Join(t.TempDir(), "m.json")
	out, err = runAdf(t, "sentinel", "train", "--dataset", "fixture", "--method", "robust-z", "--tune", "--objective", "point-f1", "-o", path)
	if err != nil || !strings.Contains(out, "tuned on fixture's training data") {
		t.Errorf("%v\n%s", err, out)
	}
}

// writeSMAPLike writes a two-channel SMAP-shaped folder (c0 and two command
// flags) under dir/smap.
func writeSMAPLike(t *testing.T, dir string) {
	t.Helper()
	smap := filepath.Join(dir, "smap")
	if err := os.MkdirAll(smap, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"A-1", "B-1"} {
		for part, n := range map[string]int{"train": 800, "test": 600} {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			fmt.Fprintln(zw, "c0,c1,c2")
			for i := range n {
				c1, c2 := 0, 0
				if i%50 == 10 {
					c1 = 1
				}
				if i%70 == 3 {
					c2 = 1
				}
				v := 0.5*math.Sin(float64(i)/7) + 0.01*float64(i%5)
				if part == "test" && i >= 400 && i < 440 {
					v = 0.5 * math.Sin(float64(i)/7+math.Pi/2) // phase jump inside the range
				}
				fmt.Fprintf(zw, "%.4f,%d,%d\n", v, c1, c2)
			}
			zw.Close()
			if err := os.WriteFile(filepath.Join(smap, ch+"."+part+".csv.gz"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(smap, "labels.json"), []byte(`{"A-1": [[400, 439]], "B-1": [[400, 439]]}`), 0o644); err != nil {
		t.Fatal(err)
	}
}

// --smap-commands loads the command flags and makes forecast use them as
// inputs while scoring c0 only; other methods and datasets refuse it.
func TestSentinelSMAPCommands(t *testing.T) {
	dir := t.TempDir()
	writeSMAPLike(t, dir)
	out, err := runAdf(t, "sentinel", "eval", "--dataset", "smap", "--data-dir", dir, "--method", "forecast", "--smap-commands", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep struct {
		Protocol string `json:"protocol"`
		Results  []struct {
			Method      string `json:"method"`
			Events      int    `json:"events"`
			FitFailures int    `json:"fit_failures"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(rep.Protocol, "command flags") || len(rep.Results) != 2 || rep.Results[0].Method != "forecast" || rep.Results[0].Events != 2 || rep.Results[0].FitFailures != 0 {
		t.Fatalf("%s", out)
	}

	path := filepath.Join(t.TempDir(), "model.json")
	out, err = runAdf(t, "sentinel", "train", "--dataset", "smap", "--data-dir", dir, "--channel", "A-1", "--method", "forecast", "--smap-commands", "-o", path)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := anomaly.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Lags   int         `json:"lags"`
		Inputs int         `json:"inputs"`
		Coef   [][]float64 `json:"coef"`
	}
	pb, _ := m.MarshalParams()
	if err := json.Unmarshal(pb, &p); err != nil {
		t.Fatal(err)
	}
	// Three columns, two of them inputs: one scored channel whose
	// coefficients are the intercept, 60 lags and the inputs at t and t−1.
	if m.Channels() != 3 || p.Inputs != 2 || p.Lags != 60 || len(p.Coef) != 1 || len(p.Coef[0]) != 1+60+4 {
		t.Errorf("channels %d, params %s", m.Channels(), pb)
	}
	// Without the flag the same data gives c0 only.
	if _, err := runAdf(t, "sentinel", "train", "--dataset", "smap", "--data-dir", dir, "--channel", "A-1", "--method", "forecast", "-o", path); err != nil {
		t.Fatal(err)
	}
	if b, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if m, err = anomaly.Decode(b); err != nil || m.Channels() != 1 {
		t.Fatalf("without --smap-commands: %v, %+v", err, m)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sentinel", "eval", "--dataset", "smap", "--data-dir", dir, "--method", "ewma", "--smap-commands"}, "--method forecast only"},
		{[]string{"sentinel", "eval", "--dataset", "smap", "--data-dir", dir, "--smap-commands"}, "--method forecast only"},
		{[]string{"sentinel", "eval", "--dataset", "fixture", "--method", "forecast", "--smap-commands"}, "needs --dataset smap"},
		{[]string{"sentinel", "train", "--dataset", "smap", "--data-dir", dir, "--channel", "A-1", "--method", "pca", "--smap-commands", "-o", path}, "--method forecast only"},
	} {
		out, err := runAdf(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q\n%s", c.args, err, c.want, out)
		}
	}
}

func TestSentinelTrainRefusesZeroThreshold(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("x,label\n")
	for i := range 400 {
		v, l := 0.5, 0
		if i >= 300 && i < 310 {
			v, l = 9, 1
		}
		fmt.Fprintf(&sb, "%g,%d\n", v, l)
	}
	path := filepath.Join(t.TempDir(), "flat.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "m.json")
	_, err := runAdf(t, "sentinel", "train", "--dataset", path, "--method", "ewma", "-o", model)
	if err == nil || !strings.Contains(err.Error(), "does not move") {
		t.Fatalf("constant training data: %v", err)
	}
	if _, statErr := os.Stat(model); !os.IsNotExist(statErr) {
		t.Fatalf("a refused model was written: %v", statErr)
	}
	if _, err := runAdf(t, "sentinel", "train", "--dataset", path, "--method", "ewma", "--allow-zero-threshold", "-o", model); err != nil {
		t.Fatalf("--allow-zero-threshold: %v", err)
	}
}
