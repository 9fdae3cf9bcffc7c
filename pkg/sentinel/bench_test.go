package sentinel

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/anomaly"
)

// benchRows are n rows of c channels: smooth signals with noise, like a
// pump's sensors, so robust-z has realistic medians to keep.
func benchRows(n, c int) [][]float64 {
	rows := make([][]float64, n)
	seed := uint64(1)
	for i := range rows {
		rows[i] = make([]float64, c)
		for j := range rows[i] {
			seed = seed*6364136223846793005 + 1442695040888963407
			noise := float64(seed>>40)/float64(1<<24) - 0.5
			rows[i][j] = math.Sin(float64(i)/50+float64(j)) + 0.1*noise
		}
	}
	return rows
}

// benchDevice is a device scored by a cheap-path detector (robust-z
// unless told), fitted on benchRows.
func benchDevice(b *testing.B, id string, c int, method ...anomaly.Method) *Device {
	b.Helper()
	var meth anomaly.Method = anomaly.NewRobustZ()
	if len(method) > 0 {
		meth = method[0]
	}
	m, err := meth.Fit(benchRows(2000, c))
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, c)
	for i := range names {
		names[i] = fmt.Sprintf("ch%d", i)
	}
	d, err := NewDevice(id, names, m, "")
	if err != nil {
		b.Fatal(err)
	}
	return d
}

func benchJSONL(d *Device, rows [][]float64) []byte {
	var buf bytes.Buffer
	t := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).UnixNano()
	for i, r := range rows {
		buf.Write(AppendSampleJSON(nil, Sample{Device: d, TS: t + int64(i)*int64(time.Millisecond), Values: r}))
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func benchCSV(d *Device, rows [][]float64) []byte {
	var buf bytes.Buffer
	buf.WriteString("ts")
	for _, c := range d.Channels {
		buf.WriteString("," + c)
	}
	buf.WriteByte('\n')
	t := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).UnixMilli()
	for i, r := range rows {
		fmt.Fprintf(&buf, "%d", t+int64(i))
		for _, v := range r {
			fmt.Fprintf(&buf, ",%.6g", v)
		}
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkParse measures the parsers alone: samples/s through JSON lines
// and CSV of 8 channels (validation included, no scoring).
func BenchmarkParse(b *testing.B) {
	const n = 10000
	d := benchDevice(b, "acme/pump-1", 8)
	devs, _ := NewDevices(d)
	rows := benchRows(n, 8)
	for _, tc := range []struct {
		name  string
		data  []byte
		parse func([]byte, Emit) error
	}{
		{"jsonl", benchJSONL(d, rows), func(bz []byte, e Emit) error { return ParseJSONLines(bytes.NewReader(bz), devs, e) }},
		{"csv", benchCSV(d, rows), func(bz []byte, e Emit) error { return ParseCSV(bytes.NewReader(bz), d.ID, devs, e) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			got := 0
			emit := Emit{Accept: func(Sample) error { got++; return nil }, Reject: func(e LineError) { b.Fatal(e) }}
			b.SetBytes(int64(len(tc.data)))
			b.ResetTimer()
			for b.Loop() {
				if err := tc.parse(tc.data, emit); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(got)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// nopSink accepts every batch at once.
type nopSink struct{}

func (nopSink) SubmitReports(context.Context, []*Report) (*Submitted, error) {
	return &Submitted{Height: 1}, nil
}

// BenchmarkIngestScore measures the service end to end without HTTP:
// parse JSON lines, admit (order checks, bounded queues), score on the
// device's worker (robust-z, or EWMA, the cheapest detector, where the
// parser dominates), until every sample is scored. One device, so one
// scoring goroutine beside the parsing one.
func BenchmarkIngestScore(b *testing.B) {
	for _, tc := range []struct {
		meth anomaly.Method
		c    int
	}{{anomaly.NewRobustZ(), 1}, {anomaly.NewRobustZ(), 8}, {anomaly.NewEWMA(), 1}, {anomaly.NewEWMA(), 8}} {
		c := tc.c
		b.Run(fmt.Sprintf("%s/%dch", tc.meth.Name(), c), func(b *testing.B) {
			const n = 20000
			d := benchDevice(b, "acme/pump-1", c, tc.meth)
			devs, _ := NewDevices(d)
			st, err := OpenStore(b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			svc, err := New(devs, st, nopSink{}, Config{QueueSamples: 20000})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = svc.Run(ctx) }()
			defer func() { cancel(); <-done }()
			rows := benchRows(n, c)
			total := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				// Fresh timestamps every round (later than the last).
				base := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).UnixNano()
				var buf bytes.Buffer
				for k, r := range rows {
					buf.Write(AppendSampleJSON(nil, Sample{Device: d, TS: base + int64(k)*int64(time.Millisecond), Values: r}))
					buf.WriteByte('\n')
				}
				b.StartTimer()
				samples, errs, err := Parse(&buf, "jsonl", "", devs)
				if err != nil || len(errs) != 0 {
					b.Fatal(err, errs)
				}
				for j := 0; j < len(samples); j += 5000 {
					if _, _, err := svc.AdmitWait(ctx, samples[j:min(j+5000, len(samples))]); err != nil {
						b.Fatal(err)
					}
				}
				for svc.QueueDepth() > 0 {
					time.Sleep(50 * time.Microsecond)
				}
				total += len(samples)
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkHTTPIngest is BenchmarkIngestScore through POST /v1/telemetry
// on a loopback server: requests of 5,000 JSON lines, robust-z, 8
// channels, until every sample is scored.
func BenchmarkHTTPIngest(b *testing.B) {
	const n, per = 20000, 5000
	d := benchDevice(b, "acme/pump-1", 8)
	devs, _ := NewDevices(d)
	st, err := OpenStore(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc, err := New(devs, st, nopSink{}, Config{QueueSamples: n})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	rows := benchRows(n, 8)
	total := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		base := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).UnixNano()
		var bodies [][]byte
		for j := 0; j < n; j += per {
			var buf bytes.Buffer
			for k := j; k < j+per; k++ {
				buf.Write(AppendSampleJSON(nil, Sample{Device: d, TS: base + int64(k)*int64(time.Millisecond), Values: rows[k]}))
				buf.WriteByte('\n')
			}
			bodies = append(bodies, buf.Bytes())
		}
		b.StartTimer()
		for _, body := range bodies {
			resp, err := http.Post(srv.URL+"/v1/telemetry", "application/x-ndjson", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
		for svc.QueueDepth() > 0 {
			time.Sleep(50 * time.Microsecond)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "samples/s")
}
