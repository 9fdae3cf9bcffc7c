// Package wire reads the contracts' JSON arguments strictly and writes
// their JSON results.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxArgBytes bounds one JSON argument (an envelope travels in one).
const MaxArgBytes = 4 << 20

// Decode reads exactly one JSON value of s into v, refusing unknown fields
// and trailing data, so a typo in a field name is an error rather than a
// silently missing value.
func Decode(s string, v any) error {
	if len(s) > MaxArgBytes {
		return fmt.Errorf("%d bytes exceeds %d", len(s), MaxArgBytes)
	}
	if s == "" {
		return errors.New("empty")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: trailing data after the value")
	}
	return nil
}

// JSON renders a result.
func JSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	return string(b), nil
}
