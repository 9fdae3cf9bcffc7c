package sentinel

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// Sample is one accepted telemetry reading: a device's channel values at a
// time, in the device's channel order.
type Sample struct {
	Device *Device
	// TS is the reading's time in Unix nanoseconds (UTC).
	TS     int64
	Values []float64
	// Line is the input line the sample came from (1-based), for messages.
	Line int
}

// Reason is why an input line was rejected; the codes appear in HTTP
// answers and in the adf_sentinel_samples_rejected_total metric.
type Reason string

// Rejection reasons. docs/sentinel.md defines each.
const (
	ReasonMalformed      Reason = "malformed"       // not a JSON object / wrong CSV field count / bad quoting
	ReasonLineTooLong    Reason = "line_too_long"   // longer than MaxLineBytes
	ReasonMissingDevice  Reason = "missing_device"  // no device in the line, column or request
	ReasonUnknownDevice  Reason = "unknown_device"  // device has no model in this sentinel
	ReasonBadTimestamp   Reason = "bad_timestamp"   // missing, unparsable or out of range
	ReasonMissingChannel Reason = "missing_channel" // a channel of the device's model has no value
	ReasonUnknownChannel Reason = "unknown_channel" // a value for a channel the model does not have
	ReasonBadValue       Reason = "bad_value"       // not a number
	ReasonNonFinite      Reason = "non_finite"      // NaN, ±Inf, or overflows float64
	ReasonOutOfOrder     Reason = "out_of_order"    // earlier than the device's last accepted sample
	ReasonDuplicate      Reason = "duplicate"       // same timestamp as the device's last accepted sample
)

// Reasons lists every rejection reason (for metrics, so each shows as 0).
var Reasons = []Reason{ReasonMalformed, ReasonLineTooLong, ReasonMissingDevice, ReasonUnknownDevice, ReasonBadTimestamp,
	ReasonMissingChannel, ReasonUnknownChannel, ReasonBadValue, ReasonNonFinite, ReasonOutOfOrder, ReasonDuplicate}

// LineError is one rejected input line.
type LineError struct {
	Line   int    `json:"line"`
	Reason Reason `json:"reason"`
	Msg    string `json:"error"`
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Reason, e.Msg) }

// ErrBadHeader is a CSV header the sentinel cannot read; the whole input is
// refused (every row would fail the same way).
var ErrBadHeader = errors.New("bad CSV header")

// MaxLineBytes bounds one input line; longer lines are rejected
// (line_too_long) and skipped, never buffered whole.
const MaxLineBytes = 64 << 10

// Timestamps outside [1970-01-01, 2262-04-11] do not fit Unix nanoseconds
// in an int64; they are rejected.
const maxUnixMilli = math.MaxInt64 / int64(time.Millisecond)

// ParseTime reads a timestamp: RFC 3339 (with a zone, any fraction), or
// "YYYY-MM-DD HH:MM:SS[.frac]" without a zone, taken as UTC (the form
// many data loggers write, e.g. SKAB), or an integer of Unix milliseconds.
func ParseTime(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty timestamp")
	}
	if isDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || ms > maxUnixMilli {
			return 0, fmt.Errorf("unix milliseconds %s out of range", s)
		}
		return ms * int64(time.Millisecond), nil
	}
	var (
		t   time.Time
		err error
	)
	if len(s) > 10 && s[10] == 'T' {
		t, err = time.Parse(time.RFC3339Nano, s)
	} else {
		t, err = time.Parse("2006-01-02 15:04:05.999999999", s)
	}
	if err != nil {
		return 0, fmt.Errorf("timestamp %q is neither RFC 3339, \"YYYY-MM-DD HH:MM:SS\" (UTC) nor unix milliseconds", s)
	}
	if t.Before(time.Unix(0, 0)) || t.After(time.Unix(0, math.MaxInt64)) {
		return 0, fmt.Errorf("timestamp %q out of range (1970 to 2262)", s)
	}
	ns := t.UnixNano()
	return ns, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseValue reads a channel value, telling non-numbers from non-finite
// numbers so the answer names the problem.
func parseValue(s string) (float64, Reason, string) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange && math.IsInf(v, 0) {
			return 0, ReasonNonFinite, fmt.Sprintf("%q overflows a float64", s)
		}
		return 0, ReasonBadValue, fmt.Sprintf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ReasonNonFinite, fmt.Sprintf("%q is not finite", s)
	}
	return v, "", ""
}

// Emit receives the parser's output: accept for each good sample (an error
// stops parsing), reject for each bad line.
type Emit struct {
	Accept func(Sample) error
	Reject func(LineError)
}

// lineReader reads lines of at most MaxLineBytes, skipping the rest of
// longer ones and reporting them.
type lineReader struct {
	br   *bufio.Reader
	line int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, MaxLineBytes)}
}

// next returns the next line without its line ending; tooLong is true for
// a line that exceeded MaxLineBytes (its text is not returned). err is
// io.EOF after the last line.
func (lr *lineReader) next() (line []byte, tooLong bool, err error) {
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = lr.br.ReadSlice('\n')
		}
		lr.line++
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, true, err
		}
		return nil, true, nil
	}
	if len(b) == 0 && err != nil {
		return nil, false, err
	}
	lr.line++
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return b, false, nil
}

// ParseJSONLines reads telemetry as JSON lines, one object per line:
//
//	{"device": "demo/pump-1", "ts": "2026-12-04T21:00:00Z", "values": {"temp": 71.5, "pressure": 1.2}}
//
// ts is an RFC 3339 string or an integer of Unix milliseconds; values must
// hold exactly the channels of the device's model, as JSON numbers. Blank
// lines are skipped. Each bad line is rejected with its number and reason;
// parsing goes on. The returned error is a read error or one from Accept.
func ParseJSONLines(r io.Reader, devices *Devices, emit Emit) error {
	lr := newLineReader(r)
	var sc strictjson.Scanner
	for {
		line, tooLong, err := lr.next()
		if tooLong {
			emit.Reject(LineError{lr.line, ReasonLineTooLong, fmt.Sprintf("line longer than %d bytes", MaxLineBytes)})
		} else if len(bytes.TrimSpace(line)) > 0 {
			sc.Reset(line)
			s, le := parseJSONLine(&sc, devices)
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
				return nil
			}
			return err
		}
	}
}

func lineErr(reason Reason, format string, a ...any) *LineError {
	return &LineError{Reason: reason, Msg: fmt.Sprintf(format, a...)}
}

// parseJSONLine reads one line's object. The object is read token by token
// (strictjson) rather than with encoding/json: duplicate keys, unknown
// fields and case-folded names are errors instead of silently merged.
func parseJSONLine(sc *strictjson.Scanner, devices *Devices) (Sample, *LineError) {
	malformed := func(err error) (Sample, *LineError) {
		return Sample{}, lineErr(ReasonMalformed, "%v", err)
	}
	if err := sc.Begin('{'); err != nil {
		return malformed(err)
	}
	var (
		dev         *Device
		devID       []byte
		haveDevice  bool
		haveTS      bool
		tsRaw       []byte
		tsIsString  bool
		valuesStart = -1
		valuesEnd   int
		vals        []float64
	)
	for first := true; ; first = false {
		key, more, err := sc.NextKey(first)
		if err != nil {
			return malformed(err)
		}
		if !more {
			break
		}
		switch string(key) {
		case "device":
			if haveDevice {
				return malformed(errors.New(`duplicate field "device"`))
			}
			haveDevice = true
			if devID, err = sc.StringBytes(); err != nil {
				return malformed(fmt.Errorf("device: %v", err))
			}
			devID = bytes.Clone(devID)
		case "ts":
			if haveTS {
				return malformed(errors.New(`duplicate field "ts"`))
			}
			haveTS = true
			tsIsString = sc.Peek() == '"'
			if tsIsString {
				if tsRaw, err = sc.StringBytes(); err != nil {
					return malformed(fmt.Errorf("ts: %v", err))
				}
			} else if tsRaw, err = sc.Raw(); err != nil {
				return malformed(fmt.Errorf("ts: %v", err))
			}
		case "values":
			if valuesStart >= 0 || vals != nil {
				return malformed(errors.New(`duplicate field "values"`))
			}
			// Values need the device's channels. When the device came
			// first (the usual order) they are read in place; otherwise
			// they are skipped now and read once the device is known.
			if haveDevice && dev == nil {
				dev = devices.getBytes(devID)
			}
			if dev != nil {
				var le *LineError
				if vals, le = parseJSONValues(sc, dev); le != nil {
					return Sample{}, le
				}
				continue
			}
			valuesStart = sc.Offset()
			if err := sc.Skip(); err != nil {
				return malformed(fmt.Errorf("values: %v", err))
			}
			valuesEnd = sc.Offset()
		default:
			return malformed(fmt.Errorf("unknown field %q (want device, ts, values)", key))
		}
	}
	if err := sc.End(); err != nil {
		return malformed(err)
	}
	if !haveDevice || len(devID) == 0 {
		return Sample{}, lineErr(ReasonMissingDevice, `no "device"`)
	}
	if dev == nil {
		dev = devices.getBytes(devID)
	}
	if dev == nil {
		return Sample{}, lineErr(ReasonUnknownDevice, "device %q has no model in this sentinel", devID)
	}
	if !haveTS {
		return Sample{}, lineErr(ReasonBadTimestamp, `no "ts"`)
	}
	var ts int64
	if tsIsString {
		var err error
		if ts, err = ParseTime(string(tsRaw)); err != nil {
			return Sample{}, lineErr(ReasonBadTimestamp, "%v", err)
		}
	} else {
		if !isDigits(string(tsRaw)) {
			return Sample{}, lineErr(ReasonBadTimestamp, "ts %s: a number must be non-negative integer unix milliseconds", tsRaw)
		}
		ms, err := strconv.ParseInt(string(tsRaw), 10, 64)
		if err != nil || ms > maxUnixMilli {
			return Sample{}, lineErr(ReasonBadTimestamp, "ts %s: unix milliseconds out of range", tsRaw)
		}
		ts = ms * int64(time.Millisecond)
	}
	if vals == nil {
		if valuesStart < 0 {
			return Sample{}, lineErr(ReasonMissingChannel, `no "values"`)
		}
		var vs strictjson.Scanner
		vs.Reset(sc.Data()[valuesStart:valuesEnd])
		var le *LineError
		if vals, le = parseJSONValues(&vs, dev); le != nil {
			return Sample{}, le
		}
	}
	return Sample{Device: dev, TS: ts, Values: vals}, nil
}

// parseJSONValues reads the values object at the scanner's position into
// the device's channel order.
func parseJSONValues(sc *strictjson.Scanner, dev *Device) ([]float64, *LineError) {
	if err := sc.Begin('{'); err != nil {
		return nil, lineErr(ReasonMalformed, "values: %v", err)
	}
	vals := make([]float64, len(dev.Channels))
	seen := make([]bool, len(dev.Channels))
	n := 0
	for first := true; ; first = false {
		key, more, err := sc.NextKey(first)
		if err != nil {
			return nil, lineErr(ReasonMalformed, "values: %v", err)
		}
		if !more {
			break
		}
		i := dev.Channel(key)
		if i < 0 {
			if err := sc.Skip(); err != nil {
				return nil, lineErr(ReasonMalformed, "values.%s: %v", key, err)
			}
			return nil, lineErr(ReasonUnknownChannel, "device %s has no channel %q (channels: %s)", dev.ID, key, strings.Join(dev.Channels, ", "))
		}
		if seen[i] {
			return nil, lineErr(ReasonMalformed, "values: duplicate channel %q", key)
		}
		seen[i] = true
		n++
		switch c := sc.Peek(); {
		case c == '"':
			s, err := sc.String()
			if err != nil {
				return nil, lineErr(ReasonMalformed, "values.%s: %v", key, err)
			}
			if _, reason, _ := parseValue(s); reason == ReasonNonFinite || strings.EqualFold(s, "nan") {
				return nil, lineErr(ReasonNonFinite, "values.%s: %q is not finite", key, s)
			}
			return nil, lineErr(ReasonBadValue, "values.%s: %q is a string, want a JSON number", key, s)
		case c == 'n':
			if err := sc.Skip(); err != nil {
				return nil, lineErr(ReasonMalformed, "values.%s: %v", key, err)
			}
			return nil, lineErr(ReasonMissingChannel, "values.%s is null", key)
		case c == '-' || (c >= '0' && c <= '9'):
			num, err := sc.Raw()
			if err != nil {
				return nil, lineErr(ReasonMalformed, "values.%s: %v", key, err)
			}
			v, reason, msg := parseValue(string(num))
			if reason != "" {
				return nil, lineErr(reason, "values.%s: %s", key, msg)
			}
			vals[i] = v
		default:
			if err := sc.Skip(); err != nil {
				return nil, lineErr(ReasonMalformed, "values.%s: %v", key, err)
			}
			return nil, lineErr(ReasonBadValue, "values.%s: want a JSON number, got %s", key, strictjson.Describe(c))
		}
	}
	if n < len(dev.Channels) {
		return nil, lineErr(ReasonMissingChannel, "device %s: no value for %s", dev.ID, missingNames(dev, seen))
	}
	return vals, nil
}

func missingNames(dev *Device, seen []bool) string {
	var miss []string
	for i, ok := range seen {
		if !ok {
			miss = append(miss, strconv.Quote(dev.Channels[i]))
			if len(miss) == 5 {
				miss = append(miss, "…")
				break
			}
		}
	}
	return strings.Join(miss, ", ")
}
