package dsse

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// Limits bounds what Parse accepts. A zero or negative field means the
// corresponding DefaultLimits value.
type Limits struct {
	MaxEnvelopeBytes int // size of the JSON input, checked before decoding
	MaxSignatures    int // at most this many signatures
}

// DefaultLimits: 1 MiB envelopes, at most 4 signatures.
var DefaultLimits = Limits{MaxEnvelopeBytes: 1 << 20, MaxSignatures: 4}

func (l Limits) withDefaults() Limits {
	if l.MaxEnvelopeBytes <= 0 {
		l.MaxEnvelopeBytes = DefaultLimits.MaxEnvelopeBytes
	}
	if l.MaxSignatures <= 0 {
		l.MaxSignatures = DefaultLimits.MaxSignatures
	}
	return l
}

// Parse decodes a DSSE JSON envelope strictly (see the package
// documentation): the size is checked before any decoding; the input must be
// one JSON object in valid UTF-8 with exactly the members payloadType
// (non-empty string), payload (standard base64 string) and signatures (1 to
// lim.MaxSignatures objects with members sig (non-empty standard base64) and
// optional keyid (string)); no duplicate or unknown members. Errors wrap
// ErrTooLarge, ErrTooManySignatures or ErrInvalidEnvelope and name the field.
func Parse(data []byte, lim Limits) (*Envelope, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: envelope is %d bytes, limit %d", ErrTooLarge, len(data), lim.MaxEnvelopeBytes)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: input is not valid UTF-8", ErrInvalidEnvelope)
	}
	e, err := parseEnvelope(data, lim.MaxSignatures)
	if err != nil {
		if errors.Is(err, ErrTooManySignatures) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidEnvelope, err)
	}
	return e, nil
}

// parseEnvelope reads the envelope in one streaming pass over the tokens
// (each byte is scanned about twice, instead of once per nesting level), so
// that parsing stays cheap next to signature verification, and stops at the
// first error (e.g. at the first signature beyond maxSigs, without reading
// the rest).
func parseEnvelope(data []byte, maxSigs int) (*Envelope, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := strictjson.ExpectDelim(dec, '{', "envelope"); err != nil {
		return nil, err
	}
	var (
		e                             Envelope
		havePT, havePayload, haveSigs bool
	)
	for dec.More() {
		name, err := strictjson.NextKey(dec)
		if err != nil {
			return nil, err
		}
		switch name {
		case "payloadType":
			if havePT {
				return nil, fmt.Errorf("duplicate field %q", name)
			}
			havePT = true
			if e.PayloadType, err = strictjson.NextString(dec); err != nil {
				return nil, fmt.Errorf("payloadType: %v", err)
			}
		case "payload":
			if havePayload {
				return nil, fmt.Errorf("duplicate field %q", name)
			}
			havePayload = true
			s, err := strictjson.NextString(dec)
			if err != nil {
				return nil, fmt.Errorf("payload: %v", err)
			}
			if e.Payload, err = decodeBase64(s); err != nil {
				return nil, fmt.Errorf("payload: %v", err)
			}
		case "signatures":
			if haveSigs {
				return nil, fmt.Errorf("duplicate field %q", name)
			}
			haveSigs = true
			if err := strictjson.ExpectDelim(dec, '[', "signatures"); err != nil {
				return nil, err
			}
			e.Signatures = []Signature{}
			for i := 0; dec.More(); i++ {
				if i == maxSigs {
					return nil, fmt.Errorf("%w: signatures: more than %d", ErrTooManySignatures, maxSigs)
				}
				s, err := parseSignature(dec, i)
				if err != nil {
					return nil, err
				}
				e.Signatures = append(e.Signatures, s)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, fmt.Errorf("signatures: invalid JSON: %v", err)
			}
		default:
			return nil, fmt.Errorf("unknown field %q (want payloadType, payload, signatures)", name)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if err := strictjson.ExpectEOF(dec); err != nil {
		return nil, err
	}
	switch {
	case !havePT:
		return nil, errors.New("payloadType is missing")
	case e.PayloadType == "":
		return nil, errors.New("payloadType is empty")
	case !havePayload:
		return nil, errors.New("payload is missing")
	case !haveSigs:
		return nil, errors.New("signatures is missing")
	case len(e.Signatures) == 0:
		return nil, errors.New("signatures is empty")
	}
	return &e, nil
}

func parseSignature(dec *json.Decoder, i int) (Signature, error) {
	var s Signature
	path := fmt.Sprintf("signatures[%d]", i)
	if err := strictjson.ExpectDelim(dec, '{', path); err != nil {
		return s, err
	}
	haveSig, haveKeyID := false, false
	for dec.More() {
		name, err := strictjson.NextKey(dec)
		if err != nil {
			return s, fmt.Errorf("%s: %v", path, err)
		}
		switch name {
		case "keyid":
			if haveKeyID {
				return s, fmt.Errorf("%s: duplicate field %q", path, name)
			}
			haveKeyID = true
			if s.KeyID, err = strictjson.NextString(dec); err != nil {
				return s, fmt.Errorf("%s.keyid: %v", path, err)
			}
		case "sig":
			if haveSig {
				return s, fmt.Errorf("%s: duplicate field %q", path, name)
			}
			haveSig = true
			str, err := strictjson.NextString(dec)
			if err != nil {
				return s, fmt.Errorf("%s.sig: %v", path, err)
			}
			if s.Sig, err = decodeBase64(str); err != nil {
				return s, fmt.Errorf("%s.sig: %v", path, err)
			}
		default:
			return s, fmt.Errorf("%s: unknown field %q (want keyid, sig)", path, name)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return s, fmt.Errorf("%s: invalid JSON: %v", path, err)
	}
	if !haveSig {
		return s, fmt.Errorf("%s.sig is missing", path)
	}
	if len(s.Sig) == 0 {
		return s, fmt.Errorf("%s.sig is empty", path)
	}
	return s, nil
}

// decodeBase64 accepts only canonical standard base64 with padding (RFC 4648
// Section 4): no URL-safe alphabet, no whitespace or line breaks (which Go's
// decoder would otherwise skip), no missing padding, zero pad bits.
func decodeBase64(s string) ([]byte, error) {
	if i := strings.IndexAny(s, "\r\n\t "); i >= 0 {
		return nil, fmt.Errorf("invalid base64: whitespace at offset %d (want standard base64 without line breaks)", i)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		switch {
		case strings.ContainsAny(s, "-_"):
			return nil, fmt.Errorf("invalid base64: URL-safe alphabet ('-' or '_') is not accepted, want standard base64: %v", err)
		case len(s)%4 != 0:
			return nil, fmt.Errorf("invalid base64: length %d is not a multiple of 4 (padding is required): %v", len(s), err)
		}
		return nil, fmt.Errorf("invalid base64: %v", err)
	}
	return b, nil
}
