package dsse

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
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

// parseEnvelope reads the envelope in one pass over the bytes with
// strictjson.Scanner (no reflection, no intermediate strings: base64 is
// decoded straight from the input), so that parsing stays cheap next to
// signature verification, and stops at the first error (e.g. at the first
// signature beyond maxSigs, without reading the rest).
func parseEnvelope(data []byte, maxSigs int) (*Envelope, error) {
	s := strictjson.NewScanner(data)
	if err := s.Begin('{'); err != nil {
		return nil, envelopeErr(err)
	}
	var (
		e                             Envelope
		havePT, havePayload, haveSigs bool
	)
	for first := true; ; first = false {
		name, more, err := s.NextKey(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		switch string(name) {
		case "payloadType":
			if havePT {
				return nil, fmt.Errorf("duplicate field %q", name)
			}
			havePT = true
			if e.PayloadType, err = s.String(); err != nil {
				return nil, fmt.Errorf("payloadType: %v", err)
			}
		case "payload":
			if havePayload {
				return nil, fmt.Errorf("duplicate field %q", name)
			}
			havePayload = true
			b, err := s.StringBytes()
			if err != nil {
				return nil, fmt.Errorf("payload: %v", err)
			}
			if e.Payload, err = decodeBase64(b); err != nil {
				return nil, fmt.Errorf("payload: %v", err)
			}
		case "signatures":
			if haveSigs {
				return nil, fmt.Errorf("duplicate field %q", name)
			}
			haveSigs = true
			if err := s.Begin('['); err != nil {
				return nil, fmt.Errorf("signatures: %v", err)
			}
			e.Signatures = make([]Signature, 0, 1)
			for i := 0; ; i++ {
				more, err := s.NextElem(i == 0)
				if err != nil {
					return nil, fmt.Errorf("signatures: %v", err)
				}
				if !more {
					break
				}
				if i == maxSigs {
					return nil, fmt.Errorf("%w: signatures: more than %d", ErrTooManySignatures, maxSigs)
				}
				sig, err := parseSignature(s, i)
				if err != nil {
					return nil, err
				}
				e.Signatures = append(e.Signatures, sig)
			}
		default:
			return nil, fmt.Errorf("unknown field %q (want payloadType, payload, signatures)", name)
		}
	}
	if err := s.End(); err != nil {
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

// envelopeErr names the envelope in a "want a JSON object" error.
func envelopeErr(err error) error {
	var se *strictjson.SyntaxError
	if errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("envelope: %v", err)
}

func parseSignature(s *strictjson.Scanner, i int) (Signature, error) {
	var sig Signature
	path := func() string { return "signatures[" + strconv.Itoa(i) + "]" }
	if err := s.Begin('{'); err != nil {
		return sig, fmt.Errorf("%s: %v", path(), err)
	}
	haveSig, haveKeyID := false, false
	for first := true; ; first = false {
		name, more, err := s.NextKey(first)
		if err != nil {
			return sig, fmt.Errorf("%s: %v", path(), err)
		}
		if !more {
			break
		}
		switch string(name) {
		case "keyid":
			if haveKeyID {
				return sig, fmt.Errorf("%s: duplicate field %q", path(), name)
			}
			haveKeyID = true
			if sig.KeyID, err = s.String(); err != nil {
				return sig, fmt.Errorf("%s.keyid: %v", path(), err)
			}
		case "sig":
			if haveSig {
				return sig, fmt.Errorf("%s: duplicate field %q", path(), name)
			}
			haveSig = true
			b, err := s.StringBytes()
			if err != nil {
				return sig, fmt.Errorf("%s.sig: %v", path(), err)
			}
			if sig.Sig, err = decodeBase64(b); err != nil {
				return sig, fmt.Errorf("%s.sig: %v", path(), err)
			}
		default:
			return sig, fmt.Errorf("%s: unknown field %q (want keyid, sig)", path(), name)
		}
	}
	if !haveSig {
		return sig, fmt.Errorf("%s.sig is missing", path())
	}
	if len(sig.Sig) == 0 {
		return sig, fmt.Errorf("%s.sig is empty", path())
	}
	return sig, nil
}

var strictBase64 = base64.StdEncoding.Strict()

// decodeBase64 accepts only canonical standard base64 with padding (RFC 4648
// Section 4): no URL-safe alphabet, no whitespace or line breaks (which Go's
// decoder would otherwise skip), no missing padding, zero pad bits. The
// result is a new slice (s may alias the input).
func decodeBase64(s []byte) ([]byte, error) {
	b := make([]byte, strictBase64.DecodedLen(len(s)))
	n, err := strictBase64.Decode(b, s)
	// The decoder skips '\r' and '\n' (and rejects ' ' and '\t'), so those
	// are looked for separately, which is cheap: usually there are none.
	if err == nil && bytes.IndexByte(s, '\n') < 0 && bytes.IndexByte(s, '\r') < 0 {
		return b[:n:n], nil
	}
	if i := bytes.IndexAny(s, "\r\n\t "); i >= 0 {
		return nil, fmt.Errorf("invalid base64: whitespace at offset %d (want standard base64 without line breaks)", i)
	}
	switch {
	case bytes.ContainsAny(s, "-_"):
		return nil, fmt.Errorf("invalid base64: URL-safe alphabet ('-' or '_') is not accepted, want standard base64: %v", err)
	case len(s)%4 != 0:
		return nil, fmt.Errorf("invalid base64: length %d is not a multiple of 4 (padding is required): %v", len(s), err)
	}
	return nil, fmt.Errorf("invalid base64: %v", err)
}

// ParseCanonical is Parse that also returns the canonical encoding of the
// envelope (Marshal's output): data itself when it already is canonical,
// which is checked without re-encoding the base64 (the common case for
// envelopes made by ADF tools: no copy, no encoding), otherwise Marshal's
// output appended to dst.
func ParseCanonical(data []byte, lim Limits, dst []byte) (*Envelope, []byte, error) {
	e, err := Parse(data, lim)
	if err != nil {
		return nil, nil, err
	}
	if isCanonical(data, e) {
		return e, data, nil
	}
	c, err := e.AppendMarshal(dst)
	if err != nil {
		return nil, nil, err
	}
	return e, c, nil
}

// isCanonical reports whether data, from which Parse decoded e, is exactly
// e.Marshal(). The JSON around the base64 strings is compared literally;
// a base64 string is canonical when its text in data has the length of the
// canonical encoding, no escapes and ends there: Parse decoded it strictly
// (padding, zero pad bits, no whitespace), so it then is the canonical
// encoding of the decoded bytes.
func isCanonical(data []byte, e *Envelope) bool {
	var scratch [256]byte
	pos := 0
	lit := func(s []byte) bool {
		if !bytes.HasPrefix(data[pos:], s) {
			return false
		}
		pos += len(s)
		return true
	}
	b64 := func(decodedLen int) bool {
		n := base64.StdEncoding.EncodedLen(decodedLen)
		if len(data)-pos < n+1 || data[pos+n] != '"' {
			return false
		}
		span := data[pos : pos+n]
		if bytes.IndexByte(span, '"') >= 0 || bytes.IndexByte(span, '\\') >= 0 {
			return false
		}
		pos += n + 1
		return true
	}
	if !lit([]byte(`{"payloadType":`)) || !lit(strictjson.AppendString(scratch[:0], e.PayloadType)) ||
		!lit([]byte(`,"payload":"`)) || !b64(len(e.Payload)) || !lit([]byte(`,"signatures":[`)) {
		return false
	}
	for i, s := range e.Signatures {
		if i > 0 && !lit([]byte{','}) {
			return false
		}
		if !lit([]byte(`{"keyid":`)) || !lit(strictjson.AppendString(scratch[:0], s.KeyID)) ||
			!lit([]byte(`,"sig":"`)) || !b64(len(s.Sig)) || !lit([]byte{'}'}) {
			return false
		}
	}
	return lit([]byte("]}")) && pos == len(data)
}
