package sentinel

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type collected struct {
	samples []Sample
	errs    []LineError
}

func (c *collected) emit() Emit {
	return Emit{
		Accept: func(s Sample) error { c.samples = append(c.samples, s); return nil },
		Reject: func(e LineError) { c.errs = append(c.errs, e) },
	}
}

func TestParseJSONLines(t *testing.T) {
	devs := testDevices(t, testDevice(t, "acme/pump-1"))
	cases := []struct {
		name   string
		line   string
		reason Reason // "" = accepted
		msg    string // substring of the error
	}{
		{"rfc3339", `{"device":"acme/pump-1","ts":"2026-12-04T21:00:00Z","values":{"a":1,"b":-2.5,"c":3e2}}`, "", ""},
		{"unix ms, fields reordered", `{"values":{"c":0,"b":0,"a":0},"ts":1764882000000,"device":"acme/pump-1"}`, "", ""},
		{"zone offset and fraction", `{"device":"acme/pump-1","ts":"2026-12-04T22:00:00.123456789+01:00","values":{"a":1,"b":2,"c":3}}`, "", ""},
		{"NaN string", `{"device":"acme/pump-1","ts":1,"values":{"a":"NaN","b":2,"c":3}}`, ReasonNonFinite, `values.a: "NaN" is not finite`},
		{"Infinity string", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"b":"-Infinity","c":3}}`, ReasonNonFinite, "not finite"},
		{"overflow", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"b":2,"c":1e999}}`, ReasonNonFinite, "overflows"},
		{"bare NaN token", `{"device":"acme/pump-1","ts":1,"values":{"a":NaN,"b":2,"c":3}}`, ReasonMalformed, "values"},
		{"numeric string", `{"device":"acme/pump-1","ts":1,"values":{"a":"1.5","b":2,"c":3}}`, ReasonBadValue, "want a JSON number"},
		{"bool value", `{"device":"acme/pump-1","ts":1,"values":{"a":true,"b":2,"c":3}}`, ReasonBadValue, "got a boolean"},
		{"null value", `{"device":"acme/pump-1","ts":1,"values":{"a":null,"b":2,"c":3}}`, ReasonMissingChannel, "values.a is null"},
		{"missing channel", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"c":3}}`, ReasonMissingChannel, `no value for "b"`},
		{"unknown channel", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"b":2,"c":3,"d":4}}`, ReasonUnknownChannel, `no channel "d"`},
		{"duplicate channel", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"a":2,"c":3}}`, ReasonMalformed, `duplicate channel "a"`},
		{"no values", `{"device":"acme/pump-1","ts":1}`, ReasonMissingChannel, `no "values"`},
		{"unknown device", `{"device":"acme/pump-9","ts":1,"values":{"a":1,"b":2,"c":3}}`, ReasonUnknownDevice, `"acme/pump-9"`},
		{"no device", `{"ts":1,"values":{"a":1,"b":2,"c":3}}`, ReasonMissingDevice, ""},
		{"device not a string", `{"device":7,"ts":1,"values":{"a":1,"b":2,"c":3}}`, ReasonMalformed, "device"},
		{"no ts", `{"device":"acme/pump-1","values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, `no "ts"`},
		{"fractional ms", `{"device":"acme/pump-1","ts":1.5,"values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, "integer"},
		{"negative ms", `{"device":"acme/pump-1","ts":-1,"values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, "integer"},
		{"ms overflow", `{"device":"acme/pump-1","ts":99999999999999999999,"values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, "range"},
		{"bad ts string", `{"device":"acme/pump-1","ts":"yesterday","values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, "RFC 3339"},
		{"year 1969", `{"device":"acme/pump-1","ts":"1969-12-31T23:59:59Z","values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, "range"},
		{"year 2300", `{"device":"acme/pump-1","ts":"2300-01-01T00:00:00Z","values":{"a":1,"b":2,"c":3}}`, ReasonBadTimestamp, "range"},
		{"unknown field", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"b":2,"c":3},"x":1}`, ReasonMalformed, `unknown field "x"`},
		{"duplicate field", `{"device":"acme/pump-1","device":"acme/pump-1","ts":1,"values":{"a":1,"b":2,"c":3}}`, ReasonMalformed, "duplicate"},
		{"not an object", `[1,2,3]`, ReasonMalformed, "object"},
		{"trailing garbage", `{"device":"acme/pump-1","ts":1,"values":{"a":1,"b":2,"c":3}} x`, ReasonMalformed, "trailing"},
		{"truncated", `{"device":"acme/pump-1","ts":1,"values":{"a":1,`, ReasonMalformed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c collected
			if err := ParseJSONLines(strings.NewReader(tc.line+"\n"), devs, c.emit()); err != nil {
				t.Fatal(err)
			}
			if tc.reason == "" {
				if len(c.errs) != 0 || len(c.samples) != 1 {
					t.Fatalf("want accepted, got %v", c.errs)
				}
				return
			}
			if len(c.samples) != 0 || len(c.errs) != 1 {
				t.Fatalf("want one rejection, got %d samples, %v", len(c.samples), c.errs)
			}
			e := c.errs[0]
			if e.Reason != tc.reason || e.Line != 1 || !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("got %s, want reason %s containing %q", e.Error(), tc.reason, tc.msg)
			}
		})
	}
}

func TestParseJSONLinesValuesAndLines(t *testing.T) {
	devs := testDevices(t, testDevice(t, "acme/pump-1"))
	in := "\n" + `{"device":"acme/pump-1","ts":"2026-12-04T21:00:00.5Z","values":{"c":3,"a":1,"b":2}}` + "\r\n" +
		"   \n" + strings.Repeat("x", MaxLineBytes+10) + "\n" +
		`{"device":"acme/pump-1","ts":1764882000001,"values":{"a":-0.25,"b":1e-3,"c":0}}`
	var c collected
	if err := ParseJSONLines(strings.NewReader(in), devs, c.emit()); err != nil {
		t.Fatal(err)
	}
	if len(c.samples) != 2 || len(c.errs) != 1 {
		t.Fatalf("got %d samples, errors %v", len(c.samples), c.errs)
	}
	if e := c.errs[0]; e.Line != 4 || e.Reason != ReasonLineTooLong {
		t.Fatalf("too long line: %v", e)
	}
	s0, s1 := c.samples[0], c.samples[1]
	want0 := time.Date(2026, 12, 4, 21, 0, 0, 5e8, time.UTC).UnixNano()
	if s0.Line != 2 || s0.TS != want0 || s0.Values[0] != 1 || s0.Values[1] != 2 || s0.Values[2] != 3 {
		t.Fatalf("sample 0: %+v", s0)
	}
	if s1.Line != 5 || s1.TS != 1764882000001*int64(time.Millisecond) || s1.Values[0] != -0.25 || s1.Values[1] != 1e-3 {
		t.Fatalf("sample 1: %+v", s1)
	}
}

func TestParseCSV(t *testing.T) {
	p1, p2 := testDevice(t, "acme/pump-1"), testDevice(t, "acme/pump-2")
	v, err := NewDevice("acme/valve-1", []string{"a", "pos"}, &absMax{N: 2, T: 5}, "")
	if err != nil {
		t.Fatal(err)
	}
	devs := testDevices(t, p1, p2, v)

	t.Run("request device, comma, column order", func(t *testing.T) {
		in := "c,timestamp,a,b\n3,2026-12-04T21:00:00Z,1,2\n\n6,1764882001000,4,5\n"
		var c collected
		if err := ParseCSV(strings.NewReader(in), "acme/pump-1", devs, c.emit()); err != nil {
			t.Fatal(err)
		}
		if len(c.errs) != 0 || len(c.samples) != 2 {
			t.Fatalf("errs %v", c.errs)
		}
		if s := c.samples[1]; s.Line != 4 || s.Values[0] != 4 || s.Values[1] != 5 || s.Values[2] != 6 || s.Device != p1 {
			t.Fatalf("sample: %+v", s)
		}
	})
	t.Run("semicolon, SKAB-style time, BOM", func(t *testing.T) {
		in := "\xef\xbb\xbfdatetime;a;b;c\r\n2020-03-09 10:14:33;0.1;0.2;0.3\r\n2020-03-09 10:14:34.5;1;2;3\r\n"
		var c collected
		if err := ParseCSV(strings.NewReader(in), "acme/pump-1", devs, c.emit()); err != nil {
			t.Fatal(err)
		}
		if len(c.errs) != 0 || len(c.samples) != 2 {
			t.Fatalf("errs %v", c.errs)
		}
		if want := time.Date(2020, 3, 9, 10, 14, 34, 5e8, time.UTC).UnixNano(); c.samples[1].TS != want {
			t.Fatalf("ts %d want %d", c.samples[1].TS, want)
		}
	})
	t.Run("device column, per-row channels", func(t *testing.T) {
		in := `ts,device,a,b,c,pos
1,acme/pump-2,1,2,3,
2,acme/valve-1,1,,,7
3,acme/valve-1,1,2,,7
4,"acme/pump-1",1,2,3,
5,,1,2,3,
6,acme/nope,1,2,3,
7,acme/pump-2,1,2,3
8,acme/pump-2,1,NaN,3,
9,acme/pump-2,1,two,3,
10,acme/pump-2,1,,3,
x,acme/pump-2,1,2,3,
12,acme/pump-2,"1""",2,3,
`
		var c collected
		if err := ParseCSV(strings.NewReader(in), "", devs, c.emit()); err != nil {
			t.Fatal(err)
		}
		if len(c.samples) != 3 {
			t.Fatalf("accepted %d, errs %v", len(c.samples), c.errs)
		}
		if c.samples[1].Device != v || c.samples[1].Values[1] != 7 || c.samples[2].Device != p1 {
			t.Fatalf("samples %+v", c.samples)
		}
		want := []struct {
			line   int
			reason Reason
		}{{4, ReasonUnknownChannel}, {6, ReasonMissingDevice}, {7, ReasonUnknownDevice}, {8, ReasonMalformed}, {9, ReasonNonFinite},
			{10, ReasonBadValue}, {11, ReasonMissingChannel}, {12, ReasonBadTimestamp}, {13, ReasonBadValue}}
		if len(c.errs) != len(want) {
			t.Fatalf("errs %v", c.errs)
		}
		for i, w := range want {
			if c.errs[i].Line != w.line || c.errs[i].Reason != w.reason {
				t.Errorf("error %d: %v, want line %d %s", i, c.errs[i], w.line, w.reason)
			}
		}
	})
	for _, tc := range []struct{ name, in, device, msg string }{
		{"empty", "", "acme/pump-1", "empty input"},
		{"no timestamp column", "a,b,c\n1,2,3\n", "acme/pump-1", "no timestamp column"},
		{"no device", "ts,a,b,c\n1,1,2,3\n", "", "no device column"},
		{"both devices", "ts,device,a,b,c\n", "acme/pump-1", "use one"},
		{"unknown request device", "ts,a,b,c\n", "acme/nope", "no model"},
		{"column mismatch", "ts,a,b,d\n", "acme/pump-1", `unknown columns: ["d"]; missing channels: ["c"]`},
		{"duplicate column", "ts,a,a,b,c\n", "acme/pump-1", "appears twice"},
		{"empty column name", "ts,a,,b,c\n", "acme/pump-1", "no name"},
		{"bad quote", "ts,\"a,b,c\n", "acme/pump-1", "unterminated"},
	} {
		t.Run("header "+tc.name, func(t *testing.T) {
			var c collected
			err := ParseCSV(strings.NewReader(tc.in), tc.device, devs, c.emit())
			if !errors.Is(err, ErrBadHeader) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want ErrBadHeader with %q", err, tc.msg)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]int64{
		"0":                                0,
		"1764882000000":                    1764882000000 * 1e6,
		"2026-12-04T21:00:00Z":             time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).UnixNano(),
		"2026-12-04T21:00:00.000000001Z":   time.Date(2026, 12, 4, 21, 0, 0, 1, time.UTC).UnixNano(),
		"2026-12-04 21:00:00":              time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).UnixNano(),
		"2262-04-11T23:47:16.854775807Z":   9223372036854775807,
		"1970-01-01T01:00:00+01:00":        0,
		"2026-12-04T21:00:00.25-02:00":     time.Date(2026, 12, 4, 23, 0, 0, 25e7, time.UTC).UnixNano(),
		"2020-03-09 10:14:33.123456789":    time.Date(2020, 3, 9, 10, 14, 33, 123456789, time.UTC).UnixNano(),
		"9223372036854":                    9223372036854 * 1e6,
		"2262-04-11T23:47:16.8547758Z":     time.Date(2262, 4, 11, 23, 47, 16, 854775800, time.UTC).UnixNano(),
		"1970-01-01T00:00:00.000000001Z":   1,
		"2000-02-29T00:00:00Z":             time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC).UnixNano(),
		"2026-12-04T21:00:00.000000000Z":   time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).UnixNano(),
		"1970-01-01 00:00:00":              0,
		"2026-01-01T00:00:00.999999999Z":   time.Date(2026, 1, 1, 0, 0, 0, 999999999, time.UTC).UnixNano(),
		"2026-06-30T12:00:00+14:00":        time.Date(2026, 6, 29, 22, 0, 0, 0, time.UTC).UnixNano(),
		"2026-06-30T12:00:00-12:00":        time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC).UnixNano(),
		"2026-12-04T21:00:00.1Z":           time.Date(2026, 12, 4, 21, 0, 0, 1e8, time.UTC).UnixNano(),
		"2026-12-04 21:00:00.1":            time.Date(2026, 12, 4, 21, 0, 0, 1e8, time.UTC).UnixNano(),
		"2026-12-04T21:00:00.123Z":         time.Date(2026, 12, 4, 21, 0, 0, 123e6, time.UTC).UnixNano(),
		"2026-12-04T21:00:00.123456Z":      time.Date(2026, 12, 4, 21, 0, 0, 123456e3, time.UTC).UnixNano(),
		"2026-12-04T21:00:00.123456+00:00": time.Date(2026, 12, 4, 21, 0, 0, 123456e3, time.UTC).UnixNano(),
	} {
		got, err := ParseTime(in)
		if err != nil || got != want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5", "9223372036855", "2262-04-11T23:47:16.854775808Z", "1969-12-31T23:59:59Z",
		"2026-12-04", "2026-12-04T21:00:00", "21:00", "2026-13-01T00:00:00Z", "now", "2026-12-04 21:00:00Z"} {
		if got, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) = %d, want an error", in, got)
		}
	}
}
