package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// SKABTraining says what SKAB experiments are trained on.
type SKABTraining int

const (
	// SKABTrainAnomalyFree fits one model on anomaly-free/anomaly-free.csv
	// and scores every experiment with it.
	SKABTrainAnomalyFree SKABTraining = iota
	// SKABTrainHead fits a model per experiment on its first SKABHeadRows
	// rows (fewer if an anomaly comes earlier) and scores the rest, as the SKAB baselines do (the pump's operating
	// point differs from day to day, so a model of another day's normal
	// operation sees every experiment as a shift).
	SKABTrainHead
)

// SKABHeadRows is the length of the training head in SKABTrainHead, SKAB's
// own; it is cut short where an experiment's first anomaly comes earlier, and
// an experiment with fewer than skabMinHead clean rows first is refused.
const (
	SKABHeadRows = 400
	skabMinHead  = 100
)

// skabGroups are the labelled experiment folders, in report order.
var skabGroups = []string{"valve1", "valve2", "other"}

// skabIgnore are columns that are neither values nor the label.
var skabIgnore = []string{"datetime", "changepoint"}

// LoadSKAB reads the SKAB experiments under dir.
func LoadSKAB(dir string, training SKABTraining) (*Dataset, error) {
	name := "skab"
	if training == SKABTrainHead {
		name = "skab-head"
	}
	var free *Dataset
	if training == SKABTrainAnomalyFree {
		f, err := os.Open(filepath.Join(dir, "anomaly-free", "anomaly-free.csv"))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("skab: %w: %s", ErrNoData, filepath.Join(dir, "anomaly-free", "anomaly-free.csv"))
			}
			return nil, fmt.Errorf("skab: %w", err)
		}
		t, err := readTable(f, ';')
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("skab: anomaly-free.csv: %w", err)
		}
		// The anomaly-free file has no label column; give it one of zeros.
		if t.column("anomaly") < 0 {
			t.header = append(t.header, "anomaly")
			for i := range t.rows {
				t.rows[i] = append(t.rows[i], "0")
			}
		}
		cols, _, err := t.valuesAndLabels(CSVOptions{Ignore: skabIgnore})
		if err != nil {
			return nil, fmt.Errorf("skab: anomaly-free.csv: %w", err)
		}
		rows, err := t.numbers(cols)
		if err != nil {
			return nil, fmt.Errorf("skab: anomaly-free.csv: %w", err)
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = t.header[c]
		}
		free = &Dataset{Series: []Series{{Columns: names, Train: rows}}}
	}
	d := &Dataset{Name: name}
	if training == SKABTrainHead {
		d.Protocol = fmt.Sprintf("each experiment trained on its own first %d rows (or up to its first anomaly if earlier) and scored on the rest", SKABHeadRows)
	} else {
		d.Protocol = "one model trained on anomaly-free/anomaly-free.csv scores every experiment of valve1, valve2, other"
	}
	for _, g := range skabGroups {
		files, err := filepath.Glob(filepath.Join(dir, g, "*.csv"))
		if err != nil {
			return nil, err
		}
		sort.Slice(files, func(i, j int) bool { return fileNumber(files[i]) < fileNumber(files[j]) })
		for _, path := range files {
			s, err := loadSKABExperiment(path, g, training, free)
			if err != nil {
				return nil, fmt.Errorf("skab: %w", err)
			}
			d.Series = append(d.Series, s)
		}
	}
	if len(d.Series) == 0 {
		return nil, fmt.Errorf("skab: %w: no experiments under %s", ErrNoData, dir)
	}
	return d, nil
}

// fileNumber orders 2.csv before 10.csv.
func fileNumber(path string) int {
	n, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(path), ".csv"))
	if err != nil {
		return 1 << 30
	}
	return n
}

func loadSKABExperiment(path, group string, training SKABTraining, free *Dataset) (Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return Series{}, err
	}
	defer f.Close()
	t, err := readTable(f, ';')
	if err != nil {
		return Series{}, fmt.Errorf("%s: %w", path, err)
	}
	var o CSVOptions
	o.Ignore = skabIgnore
	if free != nil {
		o.Columns = free.Series[0].Columns // same columns, same order as the model
	}
	cols, labels, err := t.valuesAndLabels(o)
	if err != nil {
		return Series{}, fmt.Errorf("%s: %w", path, err)
	}
	rows, err := t.numbers(cols)
	if err != nil {
		return Series{}, fmt.Errorf("%s: %w", path, err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = t.header[c]
	}
	s := Series{Name: group + "/" + filepath.Base(path), Columns: names}
	if training == SKABTrainHead {
		head := SKABHeadRows
		for i := range min(head, len(rows)) {
			if labels[i] {
				head = i // other/2.csv has an anomaly at row 105: train on what precedes it
				break
			}
		}
		if head < skabMinHead || len(rows) <= head {
			return Series{}, fmt.Errorf("%s: %d anomaly-free rows before the first anomaly, need %d and a rest to score", path, head, skabMinHead)
		}
		s.TrainKey = s.Name
		s.Train, s.Test, s.Labels = rows[:head], rows[head:], labels[head:]
	} else {
		s.TrainKey = "anomaly-free"
		s.Train, s.Test, s.Labels = free.Series[0].Train, rows, labels
	}
	return s, nil
}
