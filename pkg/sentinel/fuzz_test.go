package sentinel

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// nonBlankLines counts the lines a parser must account for: every line
// that is not blank (whitespace only) is either accepted or rejected.
func nonBlankLines(data []byte) int {
	n := 0
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	return n
}

// checkAccounted checks the invariants of a parse: no line lost or counted
// twice, accepted samples finite and of the right width, line numbers
// increasing.
func checkAccounted(t *testing.T, data []byte, c *collected, want int) {
	t.Helper()
	if got := len(c.samples) + len(c.errs); got != want {
		t.Fatalf("%d accepted + %d rejected != %d lines\ninput %q\nerrors %v", len(c.samples), len(c.errs), want, data, c.errs)
	}
	last := 0
	seen := map[int]bool{}
	for _, s := range c.samples {
		if len(s.Values) != len(s.Device.Channels) {
			t.Fatalf("sample of %d values for %d channels", len(s.Values), len(s.Device.Channels))
		}
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite value accepted from %q", data)
			}
		}
		if s.TS < 0 {
			t.Fatalf("negative timestamp accepted")
		}
		if s.Line <= last {
			t.Fatalf("line numbers not increasing")
		}
		last = s.Line
		seen[s.Line] = true
	}
	for _, e := range c.errs {
		if seen[e.Line] {
			t.Fatalf("line %d both accepted and rejected", e.Line)
		}
		seen[e.Line] = true
		if e.Reason == "" || e.Msg == "" {
			t.Fatalf("rejection without a reason or message: %+v", e)
		}
	}
}

func FuzzParseJSONLines(f *testing.F) {
	for _, s := range []string{
		`{"device":"acme/pump-1","ts":"2026-12-04T21:00:00Z","values":{"a":1,"b":2,"c":3}}`,
		`{"device":"acme/pump-1","ts":1764882000000,"values":{"a":1e308,"b":-0,"c":3.5}}` + "\n" + `{"device":"acme/pump-1","ts":1,"values":{"a":"NaN","b":2,"c":3}}`,
		`{"device":"acme/valve-1","ts":"2026-12-04T21:00:00.5+01:00","values":{"a":1,"pos":2}}`,
		`{"device":"acme/pump-1","ts":1,"values":{"a":null,"b":[1],"c":{"x":1}}}`,
		`{"device":"acme/pump-1","ts":1,"values":{"a":1,"b":2,"c":3},"x":1}` + "\r\n\n  \n[]",
		`{"device":"\u0061cme/pump-1","ts":"1970-01-01T00:00:00Z","values":{"\u0061":1,"b":2,"c":3}}`,
	} {
		f.Add([]byte(s))
	}
	p1 := testDevice(f, "acme/pump-1")
	v, err := NewDevice("acme/valve-1", []string{"a", "pos"}, &absMax{N: 2, T: 5}, "")
	if err != nil {
		f.Fatal(err)
	}
	devs := testDevices(f, p1, v)
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collected
		if err := ParseJSONLines(bytes.NewReader(data), devs, c.emit()); err != nil {
			t.Fatalf("read error from a bytes.Reader: %v", err)
		}
		checkAccounted(t, data, &c, nonBlankLines(data))
		// Accepted samples re-encode canonically and parse back the same.
		if len(c.samples) > 0 {
			ev := EncodeEvidence(c.samples)
			var back collected
			if err := ParseJSONLines(bytes.NewReader(ev), devs, back.emit()); err != nil || len(back.errs) != 0 || len(back.samples) != len(c.samples) {
				t.Fatalf("evidence does not parse back: %v %v\n%s", err, back.errs, ev)
			}
			for i := range back.samples {
				a, b := c.samples[i], back.samples[i]
				if a.TS != b.TS || a.Device != b.Device {
					t.Fatalf("round trip changed sample %d", i)
				}
				for j := range a.Values {
					if a.Values[j] != b.Values[j] {
						t.Fatalf("round trip changed value %v -> %v", a.Values[j], b.Values[j])
					}
				}
			}
		}
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"ts,a,b,c\n2026-12-04T21:00:00Z,1,2,3\n1764882000000,1,NaN,3\n",
		"datetime;a;b;c\r\n2020-03-09 10:14:33;0.1;0.2;0.3\r\n;;;\r\n",
		"ts,device,a,b,c,pos\n1,acme/pump-1,1,2,3,\n2,acme/valve-1,1,,,7\n3,\"acme/valve-1\",1,,,\"7\"\n4,acme/x,1,2,3,4\n",
		"ts,a,b,c\n1,2,3\n1,2,3,4,5\n\"1\"\"\",1,2,3\n",
		"timestamp\ta\tb\tc\n1\t1\t2\t3\n",
	} {
		f.Add([]byte(s), s[0] == 't' && !strings.Contains(s, "device"))
	}
	p1 := testDevice(f, "acme/pump-1")
	v, err := NewDevice("acme/valve-1", []string{"a", "pos"}, &absMax{N: 2, T: 5}, "")
	if err != nil {
		f.Fatal(err)
	}
	devs := testDevices(f, p1, v)
	f.Fuzz(func(t *testing.T, data []byte, fixedDevice bool) {
		device := ""
		if fixedDevice {
			device = p1.ID
		}
		var c collected
		err := ParseCSV(bytes.NewReader(data), device, devs, c.emit())
		if err != nil {
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("error that is not a header error: %v", err)
			}
			if len(c.samples) != 0 || len(c.errs) != 0 {
				t.Fatalf("rows emitted before a bad header")
			}
			return
		}
		// Every non-blank line after the header is accounted for.
		checkAccounted(t, data, &c, nonBlankLines(data)-1)
	})
}
