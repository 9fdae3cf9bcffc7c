package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runs(labels []bool) int {
	n := 0
	for i, l := range labels {
		if l && (i == 0 || !labels[i-1]) {
			n++
		}
	}
	return n
}

func TestFixture(t *testing.T) {
	d, err := Fixture()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Series) != 1 {
		t.Fatalf("%d series", len(d.Series))
	}
	s := d.Series[0]
	if len(s.Train) != 1500 || len(s.Test) != 3500 || len(s.Labels) != 3500 || len(s.Columns) != 3 {
		t.Fatalf("train %d test %d labels %d columns %v", len(s.Train), len(s.Test), len(s.Labels), s.Columns)
	}
	if n := runs(s.Labels); n != 8 {
		t.Errorf("%d labelled events, the generator injects 8", n)
	}
	// The test part starts at row 1500; the first fault is at row 1800.
	if s.Labels[299] || !s.Labels[300] {
		t.Errorf("first fault not at test row 300")
	}
}

func TestFixtureIsWhatTheGeneratorWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run")
	}
	out := filepath.Join(t.TempDir(), "f.csv")
	cmd := goRun(t, "./internal/genfixture", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, fixtureCSV) {
		t.Error("fixture.csv differs from the generator's output: run go generate ./pkg/anomaly/dataset")
	}
}

func TestLoadCSV(t *testing.T) {
	good := "time;x;y;anomaly\n" + strings.Repeat("2020-01-01;1;2;0\n", 7) + "2020-01-01;9;2;1\n2020-01-01;1;2;0\n2020-01-01;1;2;true\n"
	d, err := LoadCSV(strings.NewReader(good), "g", CSVOptions{TrainFraction: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Series[0]
	if strings.Join(s.Columns, ",") != "x,y" || len(s.Train) != 5 || len(s.Test) != 5 {
		t.Fatalf("columns %v train %d test %d", s.Columns, len(s.Train), len(s.Test))
	}
	if want := []bool{false, false, true, false, true}; !equalBools(s.Labels, want) || s.Test[2][0] != 9 {
		t.Fatalf("labels %v, test %v", s.Labels, s.Test)
	}
	for name, c := range map[string]struct {
		csv, want string
		o         CSVOptions
	}{
		"no label":       {"x,y\n1,2\n", "no label column", CSVOptions{}},
		"named label":    {"x,y\n1,2\n", `no label column "z"`, CSVOptions{Label: "z"}},
		"not a number":   {"x,anomaly\n1,0\n1,0\nabc,0\n1,0\n", `"abc" is not a number`, CSVOptions{Columns: []string{"x"}, TrainFraction: 0.5}},
		"nan":            {"x,anomaly\n1,0\n1,0\nNaN,0\n1,0\n", "not a finite number", CSVOptions{TrainFraction: 0.5}},
		"ragged":         {"x,anomaly\n1,0\n1\n", "line 3: 1 fields, header has 2", CSVOptions{}},
		"quoted":         {"x,anomaly\n\"1\",0\n", "quoted", CSVOptions{}},
		"empty":          {"", "no header", CSVOptions{}},
		"no rows":        {"x,anomaly\n", "no data rows", CSVOptions{}},
		"train labelled": {"x,anomaly\n1,1\n1,0\n1,0\n1,0\n", "labelled anomalous", CSVOptions{TrainFraction: 0.5}},
		"too short":      {"x,anomaly\n1,0\n1,0\n", "too few", CSVOptions{}},
		"bad fraction":   {"x,anomaly\n1,0\n", "train fraction", CSVOptions{TrainFraction: 1.5}},
		"no values":      {"t,anomaly\nmonday,0\n", "no numeric value columns", CSVOptions{}},
		"bad label":      {"x,anomaly\n1,maybe\n", "label", CSVOptions{}},
		"empty name":     {"x,,anomaly\n1,2,0\n", "empty name", CSVOptions{}},
	} {
		_, err := LoadCSV(strings.NewReader(c.csv), name, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseSMAPLabels(t *testing.T) {
	l, err := ParseSMAPLabels([]byte(`{"A-1": [[3, 5], [9, 9]], "B-1": []}`))
	if err != nil || len(l["A-1"]) != 2 || l["A-1"][1] != (Interval{9, 9}) {
		t.Fatalf("%v %v", l, err)
	}
	for _, bad := range []string{`[]`, `{"A-1": [[5, 3]]}`, `{"A-1": [[-1, 3]]}`, `{"A-1": [[1]]}`, `{"../x": [[1, 2]]}`, `{"": []}`, `{"A-1": [[1.5, 2]]}`} {
		if _, err := ParseSMAPLabels([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestReadSMAPCSV(t *testing.T) {
	cols, rows, err := readSMAPCSV(bytes.NewReader(gz("c0,c1\n0.5,0\n-0.25,1\n")), "x", false)
	if err != nil || len(cols) != 1 || len(rows) != 2 || rows[1][0] != -0.25 {
		t.Fatalf("%v %v %v", cols, rows, err)
	}
	_, rows, err = readSMAPCSV(bytes.NewReader(gz("c0,c1\n0.5,0\n-0.25,1\n")), "x", true)
	if err != nil || len(rows[1]) != 2 || rows[1][1] != 1 {
		t.Fatalf("%v %v", rows, err)
	}
	for _, bad := range [][]byte{[]byte("c0\n1\n"), gz("c1\n1\n"), gz("c0\n"), gz("c0\nx\n")} {
		if _, _, err := readSMAPCSV(bytes.NewReader(bad), "x", false); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestLoadSMAPFromFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "labels.json"), []byte(`{"X-1": [[1, 2]]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "X-1.train.csv.gz"), gz("c0\n0\n0.1\n0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "X-1.test.csv.gz"), gz("c0\n0\n0.9\n0.9\n0\n"), 0o644)
	d, err := LoadSMAP(dir, SMAPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := d.Series[0]; s.Name != "X-1" || !equalBools(s.Labels, []bool{false, true, true, false}) || len(s.Train) != 3 {
		t.Fatalf("%+v", s)
	}
	os.WriteFile(filepath.Join(dir, "labels.json"), []byte(`{"X-1": [[1, 4]]}`), 0o644)
	if _, err := LoadSMAP(dir, SMAPOptions{}); err == nil || !strings.Contains(err.Error(), "beyond") {
		t.Errorf("range past the end: %v", err)
	}
	if _, err := LoadSMAP(filepath.Join(dir, "nope"), SMAPOptions{}); !errors.Is(err, ErrNoData) {
		t.Errorf("missing folder: %v", err)
	}
}

func sharedRoot(t *testing.T) string {
	root := Root("")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared telemetry data not at %s (set %s)", root, EnvSharedData)
	}
	return root
}

func TestSharedSMAP(t *testing.T) {
	d, err := Load("smap", sharedRoot(t))
	if errors.Is(err, ErrNoData) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for _, s := range d.Series {
		events += runs(s.Labels)
		if len(s.Columns) != 1 || len(s.Train) < 100 {
			t.Errorf("%s: %d columns, %d train rows", s.Name, len(s.Columns), len(s.Train))
		}
	}
	// The README: 54 channels, 68 labelled sequences.
	if len(d.Series) != 54 || events != 68 {
		t.Errorf("%d channels, %d events", len(d.Series), events)
	}
}

func TestSharedSKAB(t *testing.T) {
	root := sharedRoot(t)
	for _, name := range []string{"skab", "skab-head"} {
		d, err := Load(name, root)
		if errors.Is(err, ErrNoData) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Series) != 34 {
			t.Errorf("%s: %d experiments, want 34", name, len(d.Series))
		}
		for _, s := range d.Series {
			if len(s.Columns) != 8 || len(s.Test) != len(s.Labels) || runs(s.Labels) == 0 {
				t.Errorf("%s %s: columns %v, %d rows %d labels, %d events", name, s.Name, s.Columns, len(s.Test), len(s.Labels), runs(s.Labels))
			}
		}
	}
}

func TestLoadNamesAFileOrFails(t *testing.T) {
	if _, err := Load("no-such-dataset.csv", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("%v", err)
	}
	d, err := Load("fixture", "")
	if err != nil || d.Name != "fixture" {
		t.Fatal(err)
	}
}
