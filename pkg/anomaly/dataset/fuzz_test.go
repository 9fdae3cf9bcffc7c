package dataset

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzLoadCSV(f *testing.F) {
	f.Add("t,x,anomaly\n0,1,0\n1,2,0\n2,3,1\n", 0.3)
	f.Add("time;x;y;anomaly\n2020;1;2;0\n2020;1;2;0\n2020;1;2;0\n2020;9;9;1\n", 0.5)
	f.Add("x,label\n1e308,false\n-1e308,false\n0,true\n", 0.6)
	f.Add("\ufeffx,anomaly\r\n1,0\r\n2,0\r\n", 0.5)
	f.Fuzz(func(t *testing.T, csv string, frac float64) {
		d, err := LoadCSV(strings.NewReader(csv), "fuzz", CSVOptions{TrainFraction: frac})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		s := d.Series[0]
		if len(s.Test) != len(s.Labels) || len(s.Train) < 2 || len(s.Test) < 1 {
			t.Fatalf("train %d test %d labels %d", len(s.Train), len(s.Test), len(s.Labels))
		}
		for _, r := range append(s.Train, s.Test...) {
			if len(r) != len(s.Columns) {
				t.Fatalf("row of %d values for %d columns", len(r), len(s.Columns))
			}
		}
	})
}

func FuzzParseSMAPLabels(f *testing.F) {
	f.Add([]byte(`{"A-1": [[4690, 4773]], "P-2": [[1, 2], [5, 9]]}`))
	f.Add([]byte(`{"A-1": [[5, 3]]}`))
	f.Add([]byte(`{"../../etc": [[1, 2]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseSMAPLabels(b)
		if err != nil {
			return
		}
		for ch, ivs := range l {
			if strings.ContainsAny(ch, "/\\") && ch != "" {
				// filepath.Base on Linux only splits on '/'.
				if strings.Contains(ch, "/") {
					t.Fatalf("channel %q accepted", ch)
				}
			}
			for _, iv := range ivs {
				if iv.Start < 0 || iv.End < iv.Start {
					t.Fatalf("%s: %v accepted", ch, iv)
				}
			}
		}
	})
}

func FuzzReadSMAPCSV(f *testing.F) {
	f.Add(gz("c0,c1\n0.5,0\n-0.25,1\n"), false)
	f.Add(gz("c0\n1\n"), true)
	f.Add([]byte("not gzip"), false)
	f.Fuzz(func(t *testing.T, b []byte, cmds bool) {
		cols, rows, err := readSMAPCSV(bytes.NewReader(b), "fuzz", cmds)
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r) != len(cols) {
				t.Fatalf("row of %d for %d columns", len(r), len(cols))
			}
		}
	})
}
