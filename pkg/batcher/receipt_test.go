package batcher

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestAppendReceiptMatchesEncodingJSON(t *testing.T) {
	for _, rc := range []ReceiptJSON{
		{LogID: "acme/batcher-1", Index: 0, LeafHash: "00ff", EnvelopeDigest: "abcd", Signer: "adf1ci"},
		{LogID: "a\"<b>&\u2028", Index: 1 << 62, LeafHash: "", EnvelopeDigest: "x", Existing: true, Signer: "k\n\x01é"},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rc); err != nil {
			t.Fatal(err)
		}
		if got := appendReceipt(nil, &rc); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendReceipt:\n%s\nencoding/json:\n%s", got, want.Bytes())
		}
	}
}
