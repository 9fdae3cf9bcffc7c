package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxRows bounds what a loader reads, so a runaway file fails with a clear
// error instead of exhausting memory.
const maxRows = 5_000_000

// table is a parsed delimited text file: a header and rows of fields.
type table struct {
	header []string
	rows   [][]string
}

// readTable parses delimited text with a header line. Telemetry CSVs carry
// no quoting, so fields are split on the separator; a quote character is
// reported rather than misread. sep 0 picks ';' when the header has one and
// no ',', else ','.
func readTable(r io.Reader, sep byte) (*table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	t := &table{}
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			if sep == 0 {
				sep = ','
				if strings.Contains(text, ";") && !strings.Contains(text, ",") {
					sep = ';'
				}
			}
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if strings.ContainsRune(text, '"') {
			return nil, fmt.Errorf("line %d: quoted fields are not supported", line)
		}
		fields := strings.Split(text, string(sep))
		if t.header == nil {
			for i, f := range fields {
				fields[i] = strings.TrimSpace(f)
				if fields[i] == "" {
					return nil, fmt.Errorf("line 1: column %d has an empty name", i+1)
				}
			}
			t.header = fields
			continue
		}
		if len(fields) != len(t.header) {
			return nil, fmt.Errorf("line %d: %d fields, header has %d", line, len(fields), len(t.header))
		}
		if len(t.rows) == maxRows {
			return nil, fmt.Errorf("line %d: more than %d rows", line, maxRows)
		}
		t.rows = append(t.rows, fields)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if t.header == nil {
		return nil, errors.New("empty file: no header")
	}
	return t, nil
}

func (t *table) column(name string) int {
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	return -1
}

// parseValue reads a finite number; detectors take finite values only.
func parseValue(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}

// parseLabel reads 0/1 (any number: non-zero is anomalous) or true/false.
func parseLabel(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	v, err := parseValue(s)
	if err != nil {
		return false, fmt.Errorf("label %w", err)
	}
	return v != 0, nil
}

// numbers converts the given columns of every row.
func (t *table) numbers(cols []int) ([][]float64, error) {
	out := make([][]float64, len(t.rows))
	for i, r := range t.rows {
		row := make([]float64, len(cols))
		for j, c := range cols {
			v, err := parseValue(r[c])
			if err != nil {
				return nil, fmt.Errorf("data row %d column %s: %w", i+1, t.header[c], err)
			}
			row[j] = v
		}
		out[i] = row
	}
	return out, nil
}

// CSVOptions says how to read a generic labelled CSV.
type CSVOptions struct {
	// Label is the label column; "" tries "anomaly", then "label".
	Label string
	// Columns are the value columns; nil takes every column other than the
	// label whose first value is a number (so a timestamp column drops out).
	Columns []string
	// Ignore names columns never used as values (SKAB's changepoint).
	Ignore []string
	// TrainFraction of the rows, from the top, is the training part; it must
	// hold no labelled anomaly. 0 means 0.3.
	TrainFraction float64
}

// LoadCSV reads a CSV (',' or ';' separated, header line, no quoting) with a
// label column into a one-series dataset: the first TrainFraction of rows
// train the detector, the rest are scored.
func LoadCSV(r io.Reader, name string, o CSVOptions) (*Dataset, error) {
	if o.TrainFraction == 0 {
		o.TrainFraction = 0.3
	}
	if !(o.TrainFraction > 0 && o.TrainFraction < 1) {
		return nil, fmt.Errorf("%s: train fraction %v not in (0, 1)", name, o.TrainFraction)
	}
	t, err := readTable(r, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	cols, labels, err := t.valuesAndLabels(o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rows, err := t.numbers(cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	nTrain := int(o.TrainFraction * float64(len(rows)))
	if nTrain < 2 || len(rows)-nTrain < 1 {
		return nil, fmt.Errorf("%s: %d rows are too few to split %v/%v into training and test", name, len(rows), o.TrainFraction, 1-o.TrainFraction)
	}
	for i := range nTrain {
		if labels[i] {
			return nil, fmt.Errorf("%s: data row %d in the training part (first %d rows) is labelled anomalous; lower the train fraction", name, i+1, nTrain)
		}
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = t.header[c]
	}
	return &Dataset{
		Name:     name,
		Protocol: fmt.Sprintf("train on the first %d rows (%.0f %%), score the other %d", nTrain, 100*o.TrainFraction, len(rows)-nTrain),
		Series: []Series{{
			Name: name, Columns: names, TrainKey: name,
			Train: rows[:nTrain], Test: rows[nTrain:], Labels: labels[nTrain:],
		}},
	}, nil
}

// valuesAndLabels resolves the value columns and parses the label column.
func (t *table) valuesAndLabels(o CSVOptions) ([]int, []bool, error) {
	if len(t.rows) == 0 {
		return nil, nil, errors.New("no data rows")
	}
	lc := -1
	if o.Label != "" {
		lc = t.column(o.Label)
		if lc < 0 {
			return nil, nil, fmt.Errorf("no label column %q (columns: %s)", o.Label, strings.Join(t.header, ", "))
		}
	} else {
		for _, n := range []string{"anomaly", "label"} {
			if lc = t.column(n); lc >= 0 {
				break
			}
		}
		if lc < 0 {
			return nil, nil, fmt.Errorf("no label column: name it with the label option (columns: %s)", strings.Join(t.header, ", "))
		}
	}
	labels := make([]bool, len(t.rows))
	for i, r := range t.rows {
		l, err := parseLabel(r[lc])
		if err != nil {
			return nil, nil, fmt.Errorf("data row %d: %w", i+1, err)
		}
		labels[i] = l
	}
	var cols []int
	if o.Columns != nil {
		for _, n := range o.Columns {
			c := t.column(n)
			if c < 0 || c == lc {
				return nil, nil, fmt.Errorf("no value column %q (columns: %s)", n, strings.Join(t.header, ", "))
			}
			cols = append(cols, c)
		}
	} else {
	next:
		for c, h := range t.header {
			for _, ig := range o.Ignore {
				if h == ig {
					continue next
				}
			}
			if c == lc {
				continue
			}
			if _, err := parseValue(t.rows[0][c]); err == nil {
				cols = append(cols, c)
			}
		}
	}
	if len(cols) == 0 {
		return nil, nil, errors.New("no numeric value columns")
	}
	return cols, labels, nil
}
