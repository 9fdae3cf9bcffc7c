package batcher

import (
	"bytes"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

func TestBatchMixedResultsInOrder(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Composite)
	other := ch.register(t, "adf1other", sigscheme.Ed25519)
	h := newHarness(t, ch, "", Config{MaxEnvelopeBytes: 8192})
	defer h.log.Close()

	e0 := envelope(t, dsse.PayloadTypeInToto, statement(0), "adf1ci", sk)
	e1 := envelope(t, dsse.PayloadTypeInToto, statement(1), "adf1ci", other) // wrong key
	e2 := envelope(t, dsse.PayloadTypeInToto, statement(2), "adf1other", other)
	e3 := envelope(t, "text/plain", statement(3), "adf1ci", sk)
	big := envelope(t, dsse.PayloadTypeInToto, statement(4, `{"name":"`+strings.Repeat("x", 9000)+`","digest":{"sha256":"`+strings.Repeat("0", 64)+`"}}`), "adf1ci", sk)
	for _, form := range []string{"array", "ndjson"} {
		t.Run(form, func(t *testing.T) {
			elems := [][]byte{e0, e1, e2, []byte(`{"payloadType":1}`), e3, big, e0}
			var body []byte
			if form == "array" {
				body = append(append([]byte("[\n"), bytes.Join(elems, []byte(",\n"))...), ']')
			} else {
				body = append(bytes.Join(elems, []byte("\r\n\n")), '\n')
			}
			size0 := h.log.Size()
			code, r := h.do("POST", "/v1/entries:batch", body)
			if code != 200 {
				t.Fatalf("%d %v", code, r)
			}
			res := r["results"].([]any)
			want := []struct {
				status float64
				code   string
			}{{200, ""}, {400, "bad_signature"}, {200, ""}, {400, "malformed_envelope"}, {400, "payload_type"}, {413, "too_large"}, {200, ""}}
			if len(res) != len(want) {
				t.Fatalf("%d results: %v", len(res), r)
			}
			for i, w := range want {
				m := res[i].(map[string]any)
				if m["status"] != w.status || (w.code != "" && (m["code"] != w.code || m["error"] == "")) {
					t.Fatalf("result %d: %v, want %v", i, m, w)
				}
				if w.status == 200 {
					rc := m["receipt"].(map[string]any)
					if rc["log_id"] != testLog || rc["signer"] == "" || rc["envelope_digest"] == "" {
						t.Fatalf("result %d: receipt %v", i, rc)
					}
				}
			}
			r0 := res[0].(map[string]any)["receipt"].(map[string]any)
			r6 := res[6].(map[string]any)["receipt"].(map[string]any)
			if r0["index"] != r6["index"] || r6["existing"] != true {
				t.Fatalf("duplicate in batch: %v %v", r0, r6)
			}
			if r["accepted"] != 3.0 || r["rejected"] != 4.0 {
				t.Fatalf("counts: %v %v", r["accepted"], r["rejected"])
			}
			// Durable before the answer; e0 and e2 are new only the first time.
			if form == "array" && h.log.Size() != size0+2 || form == "ndjson" && h.log.Size() != size0 {
				t.Fatalf("size %d -> %d", size0, h.log.Size())
			}
			if _, err := h.log.Entry(uint64(r0["index"].(float64))); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBatchRefusedAsAWhole(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Composite)
	h := newHarness(t, ch, "", Config{MaxBatchEntries: 2, MaxBatchBytes: 64 << 10})
	defer h.log.Close()
	e := func(i int) string { return string(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk)) }
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed array", "[" + e(1) + ",", 400, "malformed_batch"},
		{"trailing comma", "[" + e(1) + ",]", 400, "malformed_batch"},
		{"trailing data", "[" + e(1) + "] x", 400, "malformed_batch"},
		{"too many (array)", "[" + e(1) + "," + e(2) + "," + e(3) + "]", 413, "too_many_entries"},
		{"too many (ndjson)", e(1) + "\n" + e(2) + "\n" + e(3) + "\n", 413, "too_many_entries"},
		{"too large", "[" + strings.Repeat(" ", 65<<10) + "]", 413, "too_large"},
		{"empty array", "[]", 400, "empty_batch"},
		{"empty body", "\n\n", 400, "empty_batch"},
	} {
		code, r := h.do("POST", "/v1/entries:batch", []byte(c.body))
		if code != c.status || r["code"] != c.code || r["error"] == "" {
			t.Errorf("%s: %d %v, want %d %s", c.name, code, r, c.status, c.code)
		}
		if h.log.Size() != 0 {
			t.Fatalf("%s: stored something", c.name)
		}
	}
	code, r := h.do("POST", "/v1/entries:batch?risk_class=release", []byte("["+e(1)+"]"))
	if code != 409 || r["code"] != "direct_anchor_required" || h.log.Size() != 0 {
		t.Fatalf("risk class: %d %v", code, r)
	}
	code, r = h.do("GET", "/v1/entries:batch", nil)
	if code != 405 || r["code"] != "method_not_allowed" {
		t.Fatalf("GET: %d %v", code, r)
	}
}
