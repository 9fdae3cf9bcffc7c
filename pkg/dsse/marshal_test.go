package dsse

import (
	"bytes"
	"encoding/json"
	"testing"
)

// referenceMarshal is the encoding/json definition Marshal must match.
func referenceMarshal(e *Envelope) []byte {
	sigs := make([]Signature, len(e.Signatures))
	for i, s := range e.Signatures {
		sigs[i] = Signature{KeyID: s.KeyID, Sig: s.Sig}
		if sigs[i].Sig == nil {
			sigs[i].Sig = []byte{}
		}
	}
	payload := e.Payload
	if payload == nil {
		payload = []byte{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Envelope{PayloadType: e.PayloadType, Payload: payload, Signatures: sigs}); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func FuzzMarshalMatchesEncodingJSON(f *testing.F) {
	f.Add("application/vnd.in-toto+json", []byte(`{"a":1}`), "adf1xyz", []byte{1, 2, 3}, 1)
	f.Add("t<>&\"\\\n\u2028", []byte{}, "k\x00é", []byte{}, 2)
	f.Add("x", []byte(nil), "", []byte(nil), 0)
	f.Fuzz(func(t *testing.T, pt string, payload []byte, keyID string, sig []byte, nsig int) {
		e := &Envelope{PayloadType: pt, Payload: payload}
		for i := range nsig % 4 {
			e.Signatures = append(e.Signatures, Signature{KeyID: keyID + string(rune('a'+i)), Sig: sig})
		}
		got, err := e.Marshal()
		if err != nil {
			return // invalid UTF-8: refused, as before
		}
		if want := referenceMarshal(e); !bytes.Equal(got, want) {
			t.Fatalf("Marshal:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}

func TestMarshalMatchesEncodingJSONOnFixtures(t *testing.T) {
	for _, name := range []string{"dsse-spec-test-vector.envelope.json", "rekor-intoto-multi-dsse.envelope.json", "adf-ed25519.envelope.json", "rekor-intoto-dsse.envelope.json"} {
		e, err := Parse(readFixture(t, name), DefaultLimits)
		if err != nil {
			t.Fatal(name, err)
		}
		got, err := e.Marshal()
		if err != nil || !bytes.Equal(got, referenceMarshal(e)) {
			t.Fatalf("%s: %v\n%s", name, err, got)
		}
	}
}

func TestParseCanonical(t *testing.T) {
	for _, name := range []string{"dsse-spec-test-vector.envelope.json", "rekor-intoto-multi-dsse.envelope.json", "adf-ed25519.envelope.json", "rekor-intoto-dsse.envelope.json"} {
		data := readFixture(t, name)
		e, _ := Parse(data, DefaultLimits)
		want, _ := e.Marshal()
		for _, in := range [][]byte{data, want} {
			_, c, err := ParseCanonical(in, DefaultLimits, nil)
			if err != nil || !bytes.Equal(c, want) {
				t.Fatalf("%s: %v\n%s\nwant\n%s", name, err, c, want)
			}
		}
		if _, c, _ := ParseCanonical(want, DefaultLimits, nil); &c[0] != &want[0] {
			t.Fatalf("%s: canonical input was copied", name)
		}
	}
	// Variants that parse to the same envelope but are not canonical.
	canon := `{"payloadType":"t","payload":"AQID","signatures":[{"keyid":"k","sig":"AQID"}]}`
	for _, in := range []string{
		`{"payloadType":"t","payload":"\u0041QID","signatures":[{"keyid":"k","sig":"AQID"}]}`,
		`{"payloadType":"\u0074","payload":"AQID","signatures":[{"keyid":"k","sig":"AQID"}]}`,
		`{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQID","keyid":"k"}]}`,
		`{"payloadType":"t","payload":"AQID","signatures":[{"sig":"AQID"}]}`,
		`{"payload":"AQID","payloadType":"t","signatures":[{"keyid":"k","sig":"AQID"}]}`,
		` {"payloadType":"t","payload":"AQID","signatures":[{"keyid":"k","sig":"AQID"}]}`,
		`{"payloadType":"t","payload":"AQID","signatures":[{"keyid":"k","sig":"AQID"}]} `,
		`{"payloadType":"t","payload":"AQID","signatures":[{"keyid":"k","sig":"AQ\/D"}]}`,
	} {
		e, c, err := ParseCanonical([]byte(in), DefaultLimits, nil)
		if err != nil {
			t.Fatal(in, err)
		}
		want, _ := e.Marshal()
		if !bytes.Equal(c, want) || (string(c) == in) {
			t.Fatalf("%s: got %s, want %s", in, c, want)
		}
		_ = canon
	}
}
