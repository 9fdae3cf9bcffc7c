package dsse

import (
	"errors"
	"strings"
	"testing"
)

const goodEnv = `{"payloadType":"application/vnd.in-toto+json","payload":"aGVsbG8gd29ybGQ=","signatures":[{"keyid":"k","sig":"AQID"}]}`

func TestParseGood(t *testing.T) {
	e, err := Parse([]byte(goodEnv), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if e.PayloadType != PayloadTypeInToto || string(e.Payload) != "hello world" || len(e.Signatures) != 1 ||
		e.Signatures[0].KeyID != "k" || string(e.Signatures[0].Sig) != "\x01\x02\x03" {
		t.Fatalf("%+v", e)
	}
	// keyid absent == "" (envelope.md parsing rules); empty payload allowed.
	e, err = Parse([]byte(`{"payload":"","payloadType":"t","signatures":[{"sig":"AQ=="}]}`), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if e.Signatures[0].KeyID != "" || len(e.Payload) != 0 {
		t.Fatalf("%+v", e)
	}
	// JSON escapes in strings are JSON, not base64: "\u0041" is "A".
	if _, err := Parse([]byte(`{"payloadType":"t","payload":"\u0041\u0041==","signatures":[{"sig":"AQ=="}]}`), DefaultLimits); err != nil {
		t.Fatal(err)
	}
}

func TestParseBadInput(t *testing.T) {
	sig := `"signatures":[{"keyid":"k","sig":"AQID"}]`
	for _, tc := range []struct {
		name, in string
		want     error
		mention  string // substring the error must contain
	}{
		{"empty input", ``, ErrInvalidEnvelope, "invalid JSON"},
		{"malformed JSON", `{"payloadType":"t",`, ErrInvalidEnvelope, "invalid JSON"},
		{"not an object", `[1,2]`, ErrInvalidEnvelope, "want a JSON object"},
		{"trailing data", goodEnv + `{}`, ErrInvalidEnvelope, "trailing data"},
		{"invalid UTF-8", "{\"payloadType\":\"\xff\",\"payload\":\"\"," + sig + "}", ErrInvalidEnvelope, "UTF-8"},
		{"payloadType missing", `{"payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, "payloadType is missing"},
		{"payloadType empty", `{"payloadType":"","payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, "payloadType is empty"},
		{"payloadType null", `{"payloadType":null,"payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, "payloadType: want a JSON string, got null"},
		{"payloadType number", `{"payloadType":1,"payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, "payloadType: want a JSON string"},
		{"payload missing", `{"payloadType":"t",` + sig + `}`, ErrInvalidEnvelope, "payload is missing"},
		{"payload not string", `{"payloadType":"t","payload":[1],` + sig + `}`, ErrInvalidEnvelope, "payload: want a JSON string"},
		{"payload bad base64", `{"payloadType":"t","payload":"a*b=",` + sig + `}`, ErrInvalidEnvelope, "payload: invalid base64"},
		{"payload URL-safe", `{"payloadType":"t","payload":"-_-_",` + sig + `}`, ErrInvalidEnvelope, "payload: invalid base64: URL-safe"},
		{"payload unpadded", `{"payloadType":"t","payload":"aGVsbG8",` + sig + `}`, ErrInvalidEnvelope, "padding is required"},
		{"payload newline", `{"payloadType":"t","payload":"aGVs\nbG8=",` + sig + `}`, ErrInvalidEnvelope, "payload: invalid base64: whitespace"},
		{"payload backslash", `{"payloadType":"t","payload":"aGVs\\nbG8=",` + sig + `}`, ErrInvalidEnvelope, "payload: invalid base64"},
		{"payload space", `{"payloadType":"t","payload":"aGVs bG8=",` + sig + `}`, ErrInvalidEnvelope, "whitespace"},
		{"payload nonzero pad bits", `{"payloadType":"t","payload":"AQJ=",` + sig + `}`, ErrInvalidEnvelope, "payload: invalid base64"},
		{"signatures missing", `{"payloadType":"t","payload":"AQID"}`, ErrInvalidEnvelope, "signatures is missing"},
		{"signatures empty", `{"payloadType":"t","payload":"AQID","signatures":[]}`, ErrInvalidEnvelope, "signatures is empty"},
		{"signatures null", `{"payloadType":"t","payload":"AQID","signatures":null}`, ErrInvalidEnvelope, "signatures: want a JSON array"},
		{"signature not object", `{"payloadType":"t","payload":"AQID","signatures":["AQID"]}`, ErrInvalidEnvelope, "signatures[0]: want a JSON object"},
		{"sig missing", `{"payloadType":"t","payload":"AQID","signatures":[{"keyid":"k"}]}`, ErrInvalidEnvelope, "signatures[0].sig is missing"},
		{"sig empty", `{"payloadType":"t","payload":"AQID","signatures":[{"sig":""}]}`, ErrInvalidEnvelope, "signatures[0].sig is empty"},
		{"sig bad base64", `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQID"},{"sig":"AQ"}]}`, ErrInvalidEnvelope, "signatures[1].sig: invalid base64"},
		{"sig URL-safe", `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"_-8="}]}`, ErrInvalidEnvelope, "signatures[0].sig: invalid base64: URL-safe"},
		{"keyid not string", `{"payloadType":"t","payload":"AQID","signatures":[{"keyid":7,"sig":"AQID"}]}`, ErrInvalidEnvelope, "signatures[0].keyid: want a JSON string"},
		{"unknown field", `{"payloadType":"t","payload":"AQID","payloadUtf8":"x",` + sig + `}`, ErrInvalidEnvelope, `unknown field "payloadUtf8"`},
		{"case-variant field", `{"PayloadType":"t","payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, `unknown field "PayloadType"`},
		{"unknown signature field", `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQID","cert":"x"}]}`, ErrInvalidEnvelope, `signatures[0]: unknown field "cert"`},
		{"duplicate field", `{"payloadType":"t","payloadType":"u","payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, `duplicate field "payloadType"`},
		{"duplicate payload", `{"payloadType":"t","payload":"AQID","payload":"AQID",` + sig + `}`, ErrInvalidEnvelope, `duplicate field "payload"`},
		{"duplicate sig field", `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQID","sig":"AQID"}]}`, ErrInvalidEnvelope, `signatures[0]: duplicate field "sig"`},
		{"too many signatures", `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQ=="},{"sig":"AQ=="},{"sig":"AQ=="},{"sig":"AQ=="},{"sig":"AQ=="}]}`, ErrTooManySignatures, "more than 4"},
	} {
		_, err := Parse([]byte(tc.in), DefaultLimits)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.mention)
		}
	}
}

func TestParseTooManySignaturesStopsEarly(t *testing.T) {
	// The 5th and later elements are invalid signatures: we must report
	// "too many" without decoding them.
	in := `{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQ=="},{"sig":"AQ=="},{"sig":"AQ=="},{"sig":"AQ=="},{"sig":"!!"},42]}`
	_, err := Parse([]byte(in), DefaultLimits)
	if !errors.Is(err, ErrTooManySignatures) {
		t.Fatalf("got %v", err)
	}
	// Custom limit.
	_, err = Parse([]byte(`{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQ=="},{"sig":"AQ=="}]}`), Limits{MaxSignatures: 1})
	if !errors.Is(err, ErrTooManySignatures) {
		t.Fatalf("limit 1: %v", err)
	}
}

func TestParseOversizedRejectedBeforeDecoding(t *testing.T) {
	lim := Limits{MaxEnvelopeBytes: 64, MaxSignatures: 4}
	// Not even JSON: if the size check came after decoding, the error would
	// be a JSON error.
	big := make([]byte, 65)
	for i := range big {
		big[i] = 0xff
	}
	_, err := Parse(big, lim)
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidEnvelope) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "65 bytes, limit 64") {
		t.Errorf("error should give sizes: %v", err)
	}
	// Exactly at the limit is fine.
	in := `{"payloadType":"t","payload":"","signatures":[{"sig":"AQ=="}]}`
	in += strings.Repeat(" ", 64-len(in))
	if _, err := Parse([]byte(in), lim); err != nil {
		t.Fatalf("at limit: %v", err)
	}
	// Default limit: 1 MiB.
	huge := []byte(`{"payloadType":"t","payload":"` + strings.Repeat("A", 1<<20) + `","signatures":[{"sig":"AQ=="}]}`)
	if _, err := Parse(huge, Limits{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("default limit: %v", err)
	}
}
