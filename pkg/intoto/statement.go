package intoto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/dsse"

	"github.com/adf-consortium/adf/pkg/internal/strictjson"
)

// Statement and predicate type URIs.
const (
	StatementTypeV1  = "https://in-toto.io/Statement/v1"
	StatementTypeV01 = "https://in-toto.io/Statement/v0.1" // accepted for reading only

	PredicateSLSAProvenanceV1  = "https://slsa.dev/provenance/v1"
	PredicateSLSAProvenanceV02 = "https://slsa.dev/provenance/v0.2" // materials only
	PredicateSLSAProvenanceV01 = "https://slsa.dev/provenance/v0.1" // materials only
	PredicateTestResultV01     = "https://in-toto.io/attestation/test-result/v0.1"
)

// DefaultMaxStatementBytes is used by ParseStatement when maxBytes <= 0.
const DefaultMaxStatementBytes = 1 << 20

// Errors returned (wrapped, with details) by this package. Use errors.Is.
var (
	ErrInvalidStatement = errors.New("intoto: invalid statement")
	ErrTooLarge         = errors.New("intoto: statement too large")
	ErrNoSHA256         = errors.New("intoto: no sha256 digest")
	ErrInvalidPredicate = errors.New("intoto: invalid predicate")
	ErrNotInToto        = errors.New("intoto: envelope payload is not an in-toto statement")
)

// Statement is an in-toto attestation Statement (spec/v1/statement.md).
type Statement struct {
	Type          string               `json:"_type"`
	Subject       []ResourceDescriptor `json:"subject"`
	PredicateType string               `json:"predicateType"`
	Predicate     json.RawMessage      `json:"predicate,omitempty"`
}

// Legacy reports whether s is an in-toto Statement v0.1 (accepted by
// ParseStatement for reading existing data; NewStatement only makes v1).
func (s *Statement) Legacy() bool { return s.Type == StatementTypeV01 }

// ParseStatement decodes an in-toto Statement strictly (see the package
// documentation). maxBytes <= 0 means DefaultMaxStatementBytes; the size is
// checked before decoding. Errors wrap ErrTooLarge or ErrInvalidStatement
// and name the field.
func ParseStatement(data []byte, maxBytes int) (*Statement, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxStatementBytes
	}
	if len(data) > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), maxBytes)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: input is not valid UTF-8", ErrInvalidStatement)
	}
	s, haveType, haveSubject, havePT, err := scanStatement(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidStatement, err)
	}
	switch {
	case !haveType:
		return nil, fmt.Errorf("%w: _type is missing", ErrInvalidStatement)
	case s.Type != StatementTypeV1 && s.Type != StatementTypeV01:
		return nil, fmt.Errorf("%w: _type is %q, want %q (or %q)", ErrInvalidStatement, truncate(s.Type), StatementTypeV1, StatementTypeV01)
	case !haveSubject:
		return nil, fmt.Errorf("%w: subject is missing", ErrInvalidStatement)
	case len(s.Subject) == 0:
		return nil, fmt.Errorf("%w: subject is empty (need at least one)", ErrInvalidStatement)
	case !havePT:
		return nil, fmt.Errorf("%w: predicateType is missing", ErrInvalidStatement)
	case s.PredicateType == "":
		return nil, fmt.Errorf("%w: predicateType is empty", ErrInvalidStatement)
	}
	if s.Type == StatementTypeV1 && s.Predicate != nil {
		switch s.PredicateType {
		case PredicateSLSAProvenanceV1:
			if _, err := ParseSLSAProvenance(s.Predicate); err != nil {
				return nil, fmt.Errorf("%w: predicate: %w", ErrInvalidStatement, err)
			}
		case PredicateTestResultV01:
			if _, err := ParseTestResult(s.Predicate); err != nil {
				return nil, fmt.Errorf("%w: predicate: %w", ErrInvalidStatement, err)
			}
		}
	}
	return &s, nil
}

// scanStatement reads the statement in one pass over data (no reflection;
// every check of the former multi-pass reader stays: duplicate keys at any
// depth, nesting at most strictjson.MaxDepth, subjects, predicate an
// object or null, nothing after the top-level value). Unknown members are
// ignored, as the in-toto parsing rules require.
func scanStatement(data []byte) (s Statement, haveType, haveSubject, havePT bool, err error) {
	sc := strictjson.NewScanner(data)
	if err = sc.Begin('{'); err != nil {
		return
	}
	var seen strictjson.KeySet
	for first := true; ; first = false {
		var (
			name []byte
			more bool
		)
		if name, more, err = sc.NextKey(first); err != nil || !more {
			break
		}
		if !seen.Add(name) {
			err = fmt.Errorf("duplicate key %q at $", name)
			return
		}
		switch string(name) {
		case "_type":
			haveType = true
			s.Type, err = sc.String()
		case "subject":
			haveSubject = true
			if s.Subject, err = scanDescriptors(sc, 1, "subject", true); err != nil {
				return
			}
		case "predicateType":
			havePT = true
			s.PredicateType, err = sc.String()
		case "predicate":
			var null bool
			if null, err = sc.IsNull(); null || err != nil {
				break
			}
			if c := sc.Peek(); c != '{' {
				err = fmt.Errorf("want a JSON object, got %s", strictjson.Describe(c))
				break
			}
			start := sc.Offset()
			if err = sc.SkipNoDup(1, "$.predicate"); err != nil {
				return
			}
			s.Predicate = append(json.RawMessage(nil), data[start:sc.Offset()]...)
		default:
			if err = sc.SkipNoDup(1, "$."+string(name)); err != nil {
				return
			}
		}
		if err != nil {
			err = fmt.Errorf("%s: %v", name, err)
			return
		}
	}
	if err == nil {
		err = sc.End()
	}
	return
}

// StatementFromEnvelope parses the payload of a DSSE envelope whose
// payloadType is dsse.PayloadTypeInToto. It does not verify signatures.
func StatementFromEnvelope(e *dsse.Envelope, maxBytes int) (*Statement, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil envelope", ErrNotInToto)
	}
	if e.PayloadType != dsse.PayloadTypeInToto {
		return nil, fmt.Errorf("%w: payloadType is %q, want %q", ErrNotInToto, truncate(e.PayloadType), dsse.PayloadTypeInToto)
	}
	return ParseStatement(e.Payload, maxBytes)
}

// SubjectSHA256 returns the sha256 digest of every subject, in order. Every
// subject must carry one; the error (wrapping ErrNoSHA256) names the first
// subject that does not.
func (s *Statement) SubjectSHA256() ([][32]byte, error) {
	out := make([][32]byte, len(s.Subject))
	for i, rd := range s.Subject {
		v, ok := rd.Digest["sha256"]
		if !ok {
			return nil, fmt.Errorf("%w: subject[%d] (name %q) has digests %s but no sha256", ErrNoSHA256, i, rd.Name, digestNames(rd.Digest))
		}
		d, err := decodeSHA256(v)
		if err != nil {
			return nil, fmt.Errorf("%w: subject[%d].digest.sha256: %v", ErrInvalidStatement, i, err)
		}
		out[i] = d
	}
	return out, nil
}

func decodeSHA256(v string) ([32]byte, error) {
	var d [32]byte
	if len(v) != 64 || !isLowerHex(v) {
		return d, fmt.Errorf("%q is not 64 lowercase hex digits", truncate(v))
	}
	_, err := hex.Decode(d[:], []byte(v))
	return d, err
}

func digestNames(d map[string]string) string {
	if len(d) == 0 {
		return "{}"
	}
	names := make([]string, 0, len(d))
	for k := range d {
		names = append(names, k)
	}
	sort.Strings(names)
	b, _ := json.Marshal(names)
	return string(b)
}

// Materials returns the resource descriptors the statement says its
// subjects were built or tested from:
//
//   - SLSA Provenance v1: buildDefinition.resolvedDependencies;
//   - SLSA Provenance v0.1/v0.2 (legacy data): predicate.materials
//     ({uri, digest} entries);
//   - test-result v0.1: configuration.
//
// For other predicate types, or a statement without predicate, it returns
// (nil, nil): those predicates define no materials.
func (s *Statement) Materials() ([]ResourceDescriptor, error) {
	if s.Predicate == nil {
		return nil, nil
	}
	switch s.PredicateType {
	case PredicateSLSAProvenanceV1:
		p, err := ParseSLSAProvenance(s.Predicate)
		if err != nil {
			return nil, err
		}
		return p.BuildDefinition.ResolvedDependencies, nil
	case PredicateTestResultV01:
		t, err := ParseTestResult(s.Predicate)
		if err != nil {
			return nil, err
		}
		return t.Configuration, nil
	case PredicateSLSAProvenanceV02, PredicateSLSAProvenanceV01:
		if err := strictjson.CheckNoDuplicateKeys(s.Predicate); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPredicate, err)
		}
		fields, err := strictjson.ObjectFields(s.Predicate)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPredicate, err)
		}
		for _, f := range fields {
			if f.Name == "materials" && !isNull(f.Value) {
				m, err := parseDescriptors(f.Value, "materials", false)
				if err != nil {
					return nil, fmt.Errorf("%w: %v", ErrInvalidPredicate, err)
				}
				return m, nil
			}
		}
		return nil, nil
	}
	return nil, nil
}

// MaterialSHA256 returns the sha256 digests of the statement's materials
// (see Materials), in order, skipping materials without a sha256 digest
// (e.g. git dependencies, which carry gitCommit: see MaterialGitCommits).
func (s *Statement) MaterialSHA256() ([][32]byte, error) {
	ms, err := s.Materials()
	if err != nil {
		return nil, err
	}
	var out [][32]byte
	for i, m := range ms {
		v, ok := m.Digest["sha256"]
		if !ok {
			continue
		}
		d, err := decodeSHA256(v)
		if err != nil {
			return nil, fmt.Errorf("%w: material[%d].digest.sha256: %v", ErrInvalidPredicate, i, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// MaterialGitCommits returns the gitCommit digests (lowercase hex) of the
// statement's materials, in order, skipping materials without one.
func (s *Statement) MaterialGitCommits() ([]string, error) {
	ms, err := s.Materials()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if v, ok := m.Digest["gitCommit"]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// NewStatement builds an in-toto Statement v1. predicate may be nil (no
// predicate), a json.RawMessage, or any value encoding/json marshals to a
// JSON object. The result is validated exactly as ParseStatement would
// validate it (subjects with valid digests, known predicates well-formed),
// and its Predicate is the canonical encoding of predicate.
func NewStatement(subjects []ResourceDescriptor, predicateType string, predicate any) (*Statement, error) {
	s := &Statement{Type: StatementTypeV1, Subject: subjects, PredicateType: predicateType}
	if predicate != nil {
		var raw []byte
		switch p := predicate.(type) {
		case json.RawMessage:
			raw = p
		default:
			b, err := json.Marshal(predicate)
			if err != nil {
				return nil, fmt.Errorf("%w: marshal predicate: %v", ErrInvalidPredicate, err)
			}
			raw = b
		}
		if !isNull(raw) {
			if err := requireObject(raw); err != nil {
				return nil, fmt.Errorf("%w: predicate: %v", ErrInvalidPredicate, err)
			}
			if err := strictjson.CheckNoDuplicateKeys(raw); err != nil {
				return nil, fmt.Errorf("%w: predicate: %v", ErrInvalidPredicate, err)
			}
			s.Predicate = raw
		}
	}
	b, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	return ParseStatement(b, len(b))
}

// Marshal returns the canonical JSON encoding of s: members _type, subject,
// predicateType, predicate in that order; resource descriptor members in
// struct order with empty ones omitted; object keys inside digest,
// annotations and the predicate sorted; numbers kept as written; no
// insignificant whitespace; no HTML escaping. Two statements that parse to
// the same values marshal to the same bytes.
func (s *Statement) Marshal() ([]byte, error) {
	for i, rd := range s.Subject {
		if err := checkUTF8(rd); err != nil {
			return nil, fmt.Errorf("%w: subject[%d]: %v", ErrInvalidStatement, i, err)
		}
	}
	if !utf8.ValidString(s.Type) || !utf8.ValidString(s.PredicateType) {
		return nil, fmt.Errorf("%w: _type or predicateType is not valid UTF-8", ErrInvalidStatement)
	}
	type out struct {
		Type          string               `json:"_type"`
		Subject       []ResourceDescriptor `json:"subject"`
		PredicateType string               `json:"predicateType"`
		Predicate     any                  `json:"predicate,omitempty"`
	}
	o := out{Type: s.Type, Subject: s.Subject, PredicateType: s.PredicateType}
	if o.Subject == nil {
		o.Subject = []ResourceDescriptor{}
	}
	if len(s.Predicate) > 0 {
		p, err := canonicalValue(s.Predicate)
		if err != nil {
			return nil, fmt.Errorf("%w: predicate: %v", ErrInvalidPredicate, err)
		}
		o.Predicate = p
	}
	return encodeCanonical(o)
}

func checkUTF8(rd ResourceDescriptor) error {
	for _, v := range []string{rd.Name, rd.URI, rd.DownloadLocation, rd.MediaType} {
		if !utf8.ValidString(v) {
			return errors.New("string field is not valid UTF-8")
		}
	}
	for k, v := range rd.Digest {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return errors.New("digest is not valid UTF-8")
		}
	}
	return nil
}

// canonicalValue decodes raw JSON into generic values (numbers as
// json.Number) so that encoding/json re-encodes it with sorted keys.
func canonicalValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if err := strictjson.ExpectEOF(dec); err != nil {
		return nil, err
	}
	return v, nil
}

func encodeCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("intoto: marshal: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
