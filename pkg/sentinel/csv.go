package sentinel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Column names that are not channels. The first header column named one
// of timestampColumns (case-insensitive) holds the time.
var timestampColumns = []string{"ts", "timestamp", "time", "datetime"}

const deviceColumn = "device"

func isReservedColumn(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == deviceColumn {
		return true
	}
	for _, c := range timestampColumns {
		if n == c {
			return true
		}
	}
	return false
}

// csvLayout is what a CSV header says about its rows.
type csvLayout struct {
	sep       byte
	tsCol     int
	deviceCol int // -1: the device comes from the request
	names     []string
	// fixed is the request's device; colChan maps its columns to channels.
	fixed   *Device
	colChan []int
	// perDevice caches column→channel maps when rows name their device.
	perDevice map[*Device][]int
}

func detectSep(header []byte) byte {
	switch {
	case bytes.IndexByte(header, ',') >= 0:
		return ','
	case bytes.IndexByte(header, ';') >= 0:
		return ';'
	case bytes.IndexByte(header, '\t') >= 0:
		return '\t'
	}
	return ','
}

func parseHeader(line []byte, device string, devices *Devices) (*csvLayout, error) {
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet exports
	l := &csvLayout{sep: detectSep(line), tsCol: -1, deviceCol: -1}
	fields, err := splitCSV(line, l.sep, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadHeader, err)
	}
	seen := map[string]bool{}
	for i, f := range fields {
		name := strings.TrimSpace(string(f))
		if name == "" {
			return nil, fmt.Errorf("%w: column %d has no name", ErrBadHeader, i+1)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: column %q appears twice", ErrBadHeader, name)
		}
		seen[name] = true
		l.names = append(l.names, name)
		lower := strings.ToLower(name)
		if lower == deviceColumn && l.deviceCol < 0 {
			l.deviceCol = i
			continue
		}
		if l.tsCol < 0 {
			for _, c := range timestampColumns {
				if lower == c {
					l.tsCol = i
				}
			}
		}
	}
	if l.tsCol < 0 {
		return nil, fmt.Errorf("%w: no timestamp column (one of %s)", ErrBadHeader, strings.Join(timestampColumns, ", "))
	}
	switch {
	case device != "" && l.deviceCol >= 0:
		return nil, fmt.Errorf("%w: the request names device %q and the file has a device column; use one", ErrBadHeader, device)
	case device == "" && l.deviceCol < 0:
		return nil, fmt.Errorf("%w: no device column and no device given (?device=… or --device)", ErrBadHeader)
	case device != "":
		d := devices.Get(device)
		if d == nil {
			return nil, fmt.Errorf("%w: device %q has no model in this sentinel", ErrBadHeader, device)
		}
		l.fixed = d
		l.colChan = l.mapColumns(d)
		var unknown, missing []string
		covered := make([]bool, len(d.Channels))
		for i, ch := range l.colChan {
			switch {
			case i == l.tsCol:
			case ch < 0:
				unknown = append(unknown, l.names[i])
			default:
				covered[ch] = true
			}
		}
		for i, ok := range covered {
			if !ok {
				missing = append(missing, d.Channels[i])
			}
		}
		if len(unknown) > 0 || len(missing) > 0 {
			return nil, fmt.Errorf("%w: columns do not match device %s's channels (unknown columns: %q; missing channels: %q)",
				ErrBadHeader, d.ID, unknown, missing)
		}
	default:
		l.perDevice = map[*Device][]int{}
	}
	return l, nil
}

// mapColumns maps each column to d's channel index (-1: not a channel of d,
// or the timestamp/device column).
func (l *csvLayout) mapColumns(d *Device) []int {
	m := make([]int, len(l.names))
	for i, n := range l.names {
		m[i] = -1
		if i != l.tsCol && i != l.deviceCol {
			m[i] = d.Channel([]byte(n))
		}
	}
	return m
}

// ParseCSV reads telemetry as CSV: a header naming a timestamp column (ts,
// timestamp, time or datetime), optionally a device column, and one column
// per channel; then one row per reading. The separator is ',' unless the
// header has none and has ';' (or a tab). The device is the request's
// (device != "") or the row's device column; with a device column, cells of
// columns that are not channels of the row's device must be empty. A bad
// header fails the whole input (ErrBadHeader); bad rows are rejected one
// by one and parsing goes on.
func ParseCSV(r io.Reader, device string, devices *Devices, emit Emit) error {
	lr := newLineReader(r)
	var layout *csvLayout
	var fields [][]byte
	for {
		line, tooLong, err := lr.next()
		switch {
		case tooLong && layout == nil:
			return fmt.Errorf("%w: header longer than %d bytes", ErrBadHeader, MaxLineBytes)
		case tooLong:
			emit.Reject(LineError{lr.line, ReasonLineTooLong, fmt.Sprintf("line longer than %d bytes", MaxLineBytes)})
		case len(bytes.TrimSpace(line)) == 0:
		case layout == nil:
			if layout, err = parseHeader(line, device, devices); err != nil {
				return fmt.Errorf("line %d: %w", lr.line, err)
			}
		default:
			var le *LineError
			var s Sample
			fields, s, le = layout.row(line, fields[:0], devices)
			if le != nil {
				le.Line = lr.line
				emit.Reject(*le)
			} else {
				s.Line = lr.line
				if aerr := emit.Accept(s); aerr != nil {
					return aerr
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if layout == nil {
					return fmt.Errorf("%w: empty input", ErrBadHeader)
				}
				return nil
			}
			return err
		}
	}
}

func (l *csvLayout) row(line []byte, fields [][]byte, devices *Devices) ([][]byte, Sample, *LineError) {
	fields, err := splitCSV(line, l.sep, fields)
	if err != nil {
		return fields, Sample{}, lineErr(ReasonMalformed, "%v", err)
	}
	if len(fields) != len(l.names) {
		return fields, Sample{}, lineErr(ReasonMalformed, "%d fields, the header has %d", len(fields), len(l.names))
	}
	dev, colChan := l.fixed, l.colChan
	if dev == nil {
		id := bytes.TrimSpace(fields[l.deviceCol])
		if len(id) == 0 {
			return fields, Sample{}, lineErr(ReasonMissingDevice, "empty device column")
		}
		if dev = devices.getBytes(id); dev == nil {
			return fields, Sample{}, lineErr(ReasonUnknownDevice, "device %q has no model in this sentinel", id)
		}
		if colChan = l.perDevice[dev]; colChan == nil {
			colChan = l.mapColumns(dev)
			l.perDevice[dev] = colChan
		}
	}
	ts, err := ParseTime(string(bytes.TrimSpace(fields[l.tsCol])))
	if err != nil {
		return fields, Sample{}, lineErr(ReasonBadTimestamp, "%v", err)
	}
	vals := make([]float64, len(dev.Channels))
	seen := make([]bool, len(dev.Channels))
	n := 0
	for i, f := range fields {
		if i == l.tsCol || i == l.deviceCol {
			continue
		}
		f = bytes.TrimSpace(f)
		ch := colChan[i]
		if ch < 0 {
			if len(f) > 0 {
				return fields, Sample{}, lineErr(ReasonUnknownChannel, "device %s has no channel %q (channels: %s)", dev.ID, l.names[i], strings.Join(dev.Channels, ", "))
			}
			continue
		}
		if len(f) == 0 {
			return fields, Sample{}, lineErr(ReasonMissingChannel, "device %s: no value for %q", dev.ID, l.names[i])
		}
		v, reason, msg := parseValue(string(f))
		if reason != "" {
			return fields, Sample{}, lineErr(reason, "%s: %s", l.names[i], msg)
		}
		vals[ch] = v
		seen[ch] = true
		n++
	}
	if n < len(dev.Channels) {
		return fields, Sample{}, lineErr(ReasonMissingChannel, "device %s: no value for %s", dev.ID, missingNames(dev, seen))
	}
	return fields, Sample{Device: dev, TS: ts, Values: vals}, nil
}

// splitCSV splits one line into fields (RFC 4180 quoting within the line:
// "a ""quoted"" field"; a quoted field cannot span lines).
func splitCSV(line []byte, sep byte, dst [][]byte) ([][]byte, error) {
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			// Quoted: copy, undoubling "" escapes.
			var f []byte
			j := i + 1
			for {
				k := bytes.IndexByte(line[j:], '"')
				if k < 0 {
					return dst, fmt.Errorf("unterminated quoted field at byte %d", i+1)
				}
				f = append(f, line[j:j+k]...)
				j += k + 1
				if j < len(line) && line[j] == '"' {
					f = append(f, '"')
					j++
					continue
				}
				break
			}
			if j < len(line) && line[j] != sep {
				return dst, fmt.Errorf("text after the closing quote at byte %d", j+1)
			}
			dst = append(dst, f)
			if j >= len(line) {
				return dst, nil
			}
			i = j + 1
			continue
		}
		k := bytes.IndexByte(line[i:], sep)
		if k < 0 {
			f := line[i:]
			if bytes.IndexByte(f, '"') >= 0 {
				return dst, fmt.Errorf("quote inside an unquoted field at byte %d", i+bytes.IndexByte(f, '"')+1)
			}
			return append(dst, f), nil
		}
		f := line[i : i+k]
		if bytes.IndexByte(f, '"') >= 0 {
			return dst, fmt.Errorf("quote inside an unquoted field at byte %d", i+bytes.IndexByte(f, '"')+1)
		}
		dst = append(dst, f)
		i += k + 1
	}
}
