package dataset

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// SMAPOptions selects what of each SMAP channel file the detectors see.
type SMAPOptions struct {
	// WithCommands keeps the 24 one-hot command columns c1..c24 next to the
	// telemetry value c0. Off by default: the commands are inputs to the
	// spacecraft, not telemetry, and Telemanom too predicts c0 alone.
	WithCommands bool
	// Channels restricts the load to these channels (nil: all labelled ones).
	Channels []string
}

// Interval is an inclusive row range [Start, End].
type Interval struct{ Start, End int }

// ParseSMAPLabels reads labels.json: {channel: [[start, end], ...]} with
// inclusive, 0-based row ranges.
func ParseSMAPLabels(b []byte) (map[string][]Interval, error) {
	var raw map[string][][]int
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	out := make(map[string][]Interval, len(raw))
	for ch, ranges := range raw {
		if ch == "" || filepath.Base(ch) != ch || ch == "." || ch == ".." {
			return nil, fmt.Errorf("labels: channel name %q is not a plain file name", ch)
		}
		for i, r := range ranges {
			if len(r) != 2 {
				return nil, fmt.Errorf("labels: %s range %d has %d bounds, want [start, end]", ch, i, len(r))
			}
			if r[0] < 0 || r[1] < r[0] {
				return nil, fmt.Errorf("labels: %s range %d is [%d, %d], want 0 ≤ start ≤ end", ch, i, r[0], r[1])
			}
			out[ch] = append(out[ch], Interval{r[0], r[1]})
		}
	}
	return out, nil
}

// LoadSMAP reads the SMAP channels under dir: <channel>.train.csv.gz,
// <channel>.test.csv.gz and labels.json. Each channel is its own series with
// its own training data.
func LoadSMAP(dir string, o SMAPOptions) (*Dataset, error) {
	lb, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("smap: %w: %s", ErrNoData, filepath.Join(dir, "labels.json"))
		}
		return nil, fmt.Errorf("smap: %w", err)
	}
	labels, err := ParseSMAPLabels(lb)
	if err != nil {
		return nil, fmt.Errorf("smap: %w", err)
	}
	names := o.Channels
	if names == nil {
		for ch := range labels {
			names = append(names, ch)
		}
		sort.Strings(names)
	}
	d := &Dataset{Name: "smap", Protocol: "each channel trained on its own train file and scored on its test file; c0 (telemetry value) only"}
	if o.WithCommands {
		d.Protocol = "each channel trained on its own train file and scored on its test file; c0 and the 24 command flags"
	}
	for _, ch := range names {
		ivs, ok := labels[ch]
		if !ok {
			return nil, fmt.Errorf("smap: channel %q has no entry in labels.json", ch)
		}
		s, err := loadSMAPChannel(dir, ch, ivs, o.WithCommands)
		if err != nil {
			return nil, fmt.Errorf("smap: %w", err)
		}
		d.Series = append(d.Series, s)
	}
	return d, nil
}

func loadSMAPChannel(dir, ch string, ivs []Interval, withCommands bool) (Series, error) {
	read := func(part string) ([]string, [][]float64, error) {
		path := filepath.Join(dir, ch+"."+part+".csv.gz")
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		return readSMAPCSV(f, path, withCommands)
	}
	cols, train, err := read("train")
	if err != nil {
		return Series{}, err
	}
	_, test, err := read("test")
	if err != nil {
		return Series{}, err
	}
	lab := make([]bool, len(test))
	for _, iv := range ivs {
		if iv.End >= len(test) {
			return Series{}, fmt.Errorf("%s: labelled range [%d, %d] beyond its %d test rows", ch, iv.Start, iv.End, len(test))
		}
		for i := iv.Start; i <= iv.End; i++ {
			lab[i] = true
		}
	}
	return Series{Name: ch, Columns: cols, TrainKey: ch, Train: train, Test: test, Labels: lab}, nil
}

// readSMAPCSV reads one gzipped channel file.
func readSMAPCSV(r io.Reader, path string, withCommands bool) ([]string, [][]float64, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	t, err := readTable(zr, ',')
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var cols []int
	if withCommands {
		for i := range t.header {
			cols = append(cols, i)
		}
	} else if c := t.column("c0"); c >= 0 {
		cols = []int{c}
	} else {
		return nil, nil, fmt.Errorf("%s: no c0 column", path)
	}
	if len(t.rows) == 0 {
		return nil, nil, fmt.Errorf("%s: no data rows", path)
	}
	rows, err := t.numbers(cols)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = t.header[c]
	}
	return names, rows, nil
}
