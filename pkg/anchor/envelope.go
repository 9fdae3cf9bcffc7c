package anchor

import (
	"errors"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
)

// EnvelopeLimits bound what a direct anchor may carry (the registry's
// params).
type EnvelopeLimits struct {
	MaxEnvelopeBytes uint64
	MaxSubjects      uint32
}

// Statement is what the registry keeps of a directly anchored envelope.
type Statement struct {
	EnvelopeDigest [32]byte
	Subjects       [][32]byte
	Materials      [][32]byte
	PredicateType  string
}

// ParseEnvelope reads a DSSE envelope of an in-toto statement within lim
// and returns what the registry keeps of it and the envelope for signature
// verification. It never panics on any input.
func ParseEnvelope(lim EnvelopeLimits, data []byte) (Statement, *dsse.Envelope, error) {
	if uint64(len(data)) > lim.MaxEnvelopeBytes {
		return Statement{}, nil, fail(ErrEnvelopeTooLarge, "envelope: %d bytes exceeds max_envelope_bytes %d", len(data), lim.MaxEnvelopeBytes)
	}
	env, err := dsse.Parse(data, dsse.Limits{MaxEnvelopeBytes: int(lim.MaxEnvelopeBytes), MaxSignatures: MaxEnvelopeSignatures})
	if err != nil {
		if errors.Is(err, dsse.ErrTooLarge) {
			return Statement{}, nil, fail(ErrEnvelopeTooLarge, "%s", err)
		}
		return Statement{}, nil, fail(ErrInvalidEnvelope, "%s", err)
	}
	if env.PayloadType != dsse.PayloadTypeInToto {
		return Statement{}, nil, fail(ErrInvalidEnvelope,
			"payloadType %q: only in-toto statements (%q) are anchored", env.PayloadType, dsse.PayloadTypeInToto)
	}
	st, err := intoto.ParseStatement(env.Payload, int(lim.MaxEnvelopeBytes))
	if err != nil {
		return Statement{}, nil, fail(ErrInvalidStatement, "%s", err)
	}
	if err := ValidatePredicateType(st.PredicateType); err != nil {
		return Statement{}, nil, fail(ErrInvalidStatement, "%s", err)
	}
	subjects, err := st.SubjectSHA256()
	if err != nil {
		return Statement{}, nil, fail(ErrInvalidStatement, "%s: every subject needs a sha256 digest", err)
	}
	if len(subjects) == 0 || len(subjects) > int(lim.MaxSubjects) {
		return Statement{}, nil, fail(ErrInvalidStatement,
			"subject: %d subjects is not in 1..%d (max_subjects)", len(subjects), lim.MaxSubjects)
	}
	materials, err := st.MaterialSHA256()
	if err != nil {
		return Statement{}, nil, fail(ErrInvalidStatement, "%s", err)
	}
	if len(materials) > int(lim.MaxSubjects) {
		return Statement{}, nil, fail(ErrInvalidStatement,
			"materials: %d sha256 materials exceeds %d (max_subjects)", len(materials), lim.MaxSubjects)
	}
	return Statement{
		EnvelopeDigest: env.Digest(),
		Subjects:       subjects,
		Materials:      materials,
		PredicateType:  st.PredicateType,
	}, env, nil
}
