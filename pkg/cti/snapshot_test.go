package cti

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// gzw is reused because a gzip.Writer's compressor is large enough to
// dominate a fuzz iteration.
var gzw, _ = gzip.NewWriterLevel(nil, gzip.BestSpeed)

func gz(t testing.TB, s string) []byte {
	var b bytes.Buffer
	gzw.Reset(&b)
	gzw.Write([]byte(s))
	gzw.Close()
	return b.Bytes()
}

func testIndicators() []*Indicator {
	a := pkgInd("MAL-2024-1", "npm", "evil-pkg", nil, rng(RangeSemver, intro("0")))
	b := pkgInd("GHSA-xxxx", "PyPI", "Some_Pkg", []string{"1.0"}, rng(RangeEcosystem, intro("2.0"), fixed("2.1")))
	c := valInd("misp-1", KindDomain, "evil.com")
	return []*Indicator{a, b, c}
}

func testHeader(n int) SnapshotHeader {
	return SnapshotHeader{
		ChainID: "adf-1", Height: 1234, AppHash: "a1b2c3", PolicyVersion: 3, ExportedAt: 1700000000,
		Count: int64(n), Policy: json.RawMessage(`{"stages":[{"min_score":7000}]}`),
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	ins := testIndicators()
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, testHeader(len(ins)), slices.Values(ins)); err != nil {
		t.Fatal(err)
	}
	h, x, err := ReadSnapshot(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := testHeader(len(ins))
	want.Format = SnapshotFormat
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("header %+v, want %+v", h, want)
	}
	var got []*Indicator
	x.All(func(in *Indicator) bool { got = append(got, in); return true })
	slices.SortFunc(ins, func(a, b *Indicator) int { return strings.Compare(a.ID, b.ID) })
	if !reflect.DeepEqual(got, ins) {
		t.Fatalf("indicators differ:\n got %+v\nwant %+v", got, ins)
	}
	if m := x.MatchPackage("PyPI", "some-pkg", "2.0.5"); len(m) != 1 {
		t.Fatalf("read index does not match: %v", m)
	}
	// Writing the read index again gives the same bytes (All is in id order).
	var again bytes.Buffer
	if err := WriteSnapshot(&again, h, x.All); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	WriteSnapshot(&first, h, slices.Values(ins))
	if !bytes.Equal(again.Bytes(), first.Bytes()) {
		t.Fatal("re-export differs")
	}
	// An empty snapshot is fine.
	var empty bytes.Buffer
	if err := WriteSnapshot(&empty, SnapshotHeader{ChainID: "adf-1"}, slices.Values([]*Indicator(nil))); err != nil {
		t.Fatal(err)
	}
	if _, x, err := ReadSnapshot(&empty); err != nil || x.Len() != 0 {
		t.Fatalf("empty snapshot: %v", err)
	}
}

func TestWriteSnapshotErrors(t *testing.T) {
	ins := testIndicators()
	if err := WriteSnapshot(&bytes.Buffer{}, testHeader(2), slices.Values(ins)); err == nil || !strings.Contains(err.Error(), "header says 2 indicators, wrote 3") {
		t.Errorf("count mismatch: %v", err)
	}
	bad := *ins[0]
	bad.Confidence = 101
	if err := WriteSnapshot(&bytes.Buffer{}, testHeader(1), slices.Values([]*Indicator{&bad})); !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), "confidence") {
		t.Errorf("invalid indicator: %v", err)
	}
	h := testHeader(0)
	h.Format = "other/v2"
	if err := WriteSnapshot(&bytes.Buffer{}, h, slices.Values([]*Indicator(nil))); err == nil {
		t.Error("foreign format written")
	}
	h = testHeader(0)
	h.AppHash = "xyz"
	if err := WriteSnapshot(&bytes.Buffer{}, h, slices.Values([]*Indicator(nil))); err == nil {
		t.Error("non-hex app hash written")
	}
}

func TestReadSnapshotErrors(t *testing.T) {
	line := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b) + "\n"
	}
	ins := testIndicators()
	hdr := func(n int) string { h := testHeader(n); h.Format = SnapshotFormat; return line(h) }
	dup := *ins[1]
	badID := *ins[0]
	badID.ID = IDFor("something else")
	var good bytes.Buffer
	WriteSnapshot(&good, testHeader(3), slices.Values(ins))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte(hdr(0)), "not gzip"},
		{"empty", gz(t, ""), "line 1: empty"},
		{"truncated gzip", good.Bytes()[:good.Len()-12], "unexpected EOF"},
		{"corrupted gzip", append(append([]byte{}, good.Bytes()[:40]...), bytes.Repeat([]byte{0xff}, 30)...), "line 1"},
		{"header not JSON", gz(t, "hello\n"), "line 1: header: not a JSON object"},
		{"foreign format", gz(t, `{"format":"adf-cti-snapshot/v9","count":0}`+"\n"), `line 1: header: format "adf-cti-snapshot/v9"`},
		{"unknown header field", gz(t, `{"format":"adf-cti-snapshot/v1","count":0,"extra":1}`+"\n"), `line 1: header: json: unknown field "extra"`},
		{"bad app hash", gz(t, `{"format":"adf-cti-snapshot/v1","app_hash":"zz","count":0}`+"\n"), "app_hash"},
		{"fewer than count", gz(t, hdr(3)+line(ins[0])+line(ins[1])), "line 4: snapshot ends after 2 indicators, header says 3"},
		{"more than count", gz(t, hdr(1)+line(ins[0])+line(ins[1])), "line 3: more indicators than the header's count 1"},
		{"duplicate id", gz(t, hdr(3)+line(ins[1])+line(ins[0])+line(&dup)), "line 4: duplicate id " + dup.ID},
		{"invalid indicator", gz(t, hdr(2)+line(ins[0])+line(&badID)), "line 3: invalid indicator: id"},
		{"unknown indicator field", gz(t, hdr(1)+`{"id":"x","bogus":true}`+"\n"), `line 2: json: unknown field "bogus"`},
		{"two objects on a line", gz(t, hdr(1)+strings.TrimSuffix(line(ins[0]), "\n")+" {}\n"), "line 2: data after the JSON object"},
		{"blank line", gz(t, hdr(1)+"\n"+line(ins[0])), "line 2: not a JSON object"},
		{"no final newline", gz(t, hdr(1)+strings.TrimSuffix(line(ins[0]), "\n")), "line 2: no newline at the end: truncated"},
		{"line too long", gz(t, hdr(1)+`{"summary":"`+strings.Repeat("a", MaxSnapshotLine)+`"}`+"\n"), "line 2: line longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, x, err := ReadSnapshot(bytes.NewReader(c.data))
			if err == nil || x != nil {
				t.Fatalf("accepted (index %v)", x)
			}
			if !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want ErrSnapshot containing %q", err, c.want)
			}
		})
	}
}

// FuzzReadSnapshot feeds both raw bytes (gzip framing errors) and gzipped
// bytes (everything past the framing) to ReadSnapshot. It must not panic,
// and whatever it accepts must export and re-read to the same thing.
func FuzzReadSnapshot(f *testing.F) {
	ins := testIndicators()
	h := testHeader(len(ins))
	h.Format = SnapshotFormat
	var s strings.Builder
	for _, v := range append([]any{h}, ins[0], ins[1], ins[2]) {
		b, _ := json.Marshal(v)
		s.Write(b)
		s.WriteByte('\n')
	}
	f.Add([]byte(s.String()), false)
	f.Add([]byte(`{"format":"adf-cti-snapshot/v1","count":0}`+"\n"), false)
	var good bytes.Buffer
	WriteSnapshot(&good, testHeader(len(ins)), slices.Values(ins))
	f.Add(good.Bytes(), true)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		if !raw {
			data = gz(t, string(data))
		}
		h, x, err := ReadSnapshot(bytes.NewReader(data))
		if err != nil {
			if x != nil || !errors.Is(err, ErrSnapshot) {
				t.Fatalf("error %v with index %v, or not ErrSnapshot", err, x)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteSnapshot(&out, h, x.All); err != nil {
			t.Fatalf("accepted snapshot does not export: %v", err)
		}
		h2, x2, err := ReadSnapshot(&out)
		if err != nil {
			t.Fatalf("exported snapshot does not read: %v", err)
		}
		if !reflect.DeepEqual(h, h2) && !(len(h.Policy) > 0 && bytes.Equal(compactJSON(h.Policy), compactJSON(h2.Policy))) || x2.Len() != x.Len() {
			t.Fatalf("re-read differs: %+v / %+v, %d / %d", h, h2, x.Len(), x2.Len())
		}
	})
}

func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	json.Compact(&out, b)
	return out.Bytes()
}
