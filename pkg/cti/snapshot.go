package cti

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
)

// SnapshotFormat names the snapshot format and its version.
const SnapshotFormat = "adf-cti-snapshot/v1"

// A snapshot is what `adf cti export` writes and `adf gate --snapshot`
// reads: the registry's indicators at one height, for gating offline.
//
// It is a gzip stream of JSON lines. Line 1 is the SnapshotHeader; each
// further line is one Indicator as JSON (the Indicator struct's own field
// names). Every line ends in "\n". Lines, not one JSON document, so that
// neither side ever holds more than one indicator's JSON: a million
// indicators are written and read in constant memory beyond the Index.
// gzip's CRC and length trailer catch a truncated or corrupted file, the
// header's count a file cut at a line boundary before compression.

// SnapshotHeader is line 1 of a snapshot.
type SnapshotHeader struct {
	// Format is SnapshotFormat; WriteSnapshot fills it in when empty.
	Format  string `json:"format"`
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height"`
	// AppHash is the hex app hash of the block at Height, empty when the
	// exporter did not have it.
	AppHash       string `json:"app_hash"`
	PolicyVersion uint64 `json:"policy_version"`
	// ExportedAt is unix seconds.
	ExportedAt int64 `json:"exported_at"`
	// Count is the number of indicator lines that follow.
	Count int64 `json:"count"`
	// Policy is the gate policy in force at Height, as the policy's own
	// JSON; carried, not interpreted, here.
	Policy json.RawMessage `json:"policy,omitempty"`
}

// MaxSnapshotLine bounds one line of a snapshot, decompressed. The largest
// valid indicator (1,024 versions, 64 ranges of 64 events, 32 references)
// is about 1 MB of JSON; the rest is room for escaping and a policy.
const MaxSnapshotLine = 8 << 20

// ErrSnapshot wraps every error about a malformed snapshot.
var ErrSnapshot = errors.New("invalid cti snapshot")

func (h *SnapshotHeader) check() error {
	if h.Format != SnapshotFormat {
		return fmt.Errorf("format %q, want %q", h.Format, SnapshotFormat)
	}
	if h.Height < 0 || h.Count < 0 || h.ExportedAt < 0 {
		return fmt.Errorf("negative height, count or exported_at")
	}
	if len(h.ChainID) > 128 {
		return fmt.Errorf("chain_id longer than 128 bytes")
	}
	if _, err := hex.DecodeString(h.AppHash); err != nil {
		return fmt.Errorf("app_hash %q is not hex", h.AppHash)
	}
	if len(h.Policy) > 0 && !json.Valid(h.Policy) {
		return fmt.Errorf("policy is not JSON")
	}
	return nil
}

// WriteSnapshot writes a snapshot of the indicators it yields (an
// iter.Seq; Index.All is one) to w. h.Count must be the number it yields:
// the header goes out first, so a mismatch is only found at the end and is
// an error, and what was written must then be discarded. Each indicator is
// validated on the way out, so a snapshot WriteSnapshot completes is one
// ReadSnapshot accepts unless the iterator repeats an id.
func WriteSnapshot(w io.Writer, h SnapshotHeader, it iter.Seq[*Indicator]) error {
	if h.Format == "" {
		h.Format = SnapshotFormat
	}
	if err := h.check(); err != nil {
		return fmt.Errorf("%w: header: %v", ErrSnapshot, err)
	}
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriterSize(zw, 1<<16)
	enc := json.NewEncoder(bw) // Encode ends every value with "\n"
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&h); err != nil {
		return err
	}
	var (
		n   int64
		err error
	)
	it(func(in *Indicator) bool {
		n++
		if err = in.Validate(); err != nil {
			err = fmt.Errorf("%w: indicator %d (%s): %v", ErrSnapshot, n, in.ID, err)
			return false
		}
		err = enc.Encode(in)
		return err == nil
	})
	if err != nil {
		return err
	}
	if n != h.Count {
		return fmt.Errorf("%w: header says %d indicators, wrote %d", ErrSnapshot, h.Count, n)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// ReadSnapshot reads a snapshot into a new Index. It refuses, with an error
// naming the line (the header is line 1): a stream that is not gzip or is
// truncated, a line that is not one JSON object of known fields, a header
// of another format, an indicator that fails Validate, an id seen before,
// and a number of indicators other than the header's count.
func ReadSnapshot(r io.Reader) (SnapshotHeader, *Index, error) {
	var h SnapshotHeader
	zr, err := gzip.NewReader(r)
	if err != nil {
		return h, nil, fmt.Errorf("%w: not gzip: %v", ErrSnapshot, err)
	}
	br := bufio.NewReaderSize(zr, 1<<16)
	var buf []byte
	line := 0
	next := func() ([]byte, error) {
		line++
		b, err := readLine(br, &buf)
		switch {
		case err == io.EOF && len(b) == 0:
			return nil, io.EOF
		case err == io.EOF:
			return nil, fmt.Errorf("%w: line %d: no newline at the end: truncated", ErrSnapshot, line)
		case err != nil:
			return nil, fmt.Errorf("%w: line %d: %v", ErrSnapshot, line, err)
		}
		return b, nil
	}
	b, err := next()
	if err == io.EOF {
		return h, nil, fmt.Errorf("%w: line 1: empty, no header", ErrSnapshot)
	}
	if err != nil {
		return h, nil, err
	}
	if err := decodeStrict(b, &h); err != nil {
		return h, nil, fmt.Errorf("%w: line 1: header: %v", ErrSnapshot, err)
	}
	if err := h.check(); err != nil {
		return h, nil, fmt.Errorf("%w: line 1: header: %v", ErrSnapshot, err)
	}
	x := NewIndex()
	for {
		b, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return h, nil, err
		}
		if int64(x.Len()) >= h.Count {
			return h, nil, fmt.Errorf("%w: line %d: more indicators than the header's count %d", ErrSnapshot, line, h.Count)
		}
		var in Indicator
		if err := decodeStrict(b, &in); err != nil {
			return h, nil, fmt.Errorf("%w: line %d: %v", ErrSnapshot, line, err)
		}
		if err := in.Validate(); err != nil {
			return h, nil, fmt.Errorf("%w: line %d: %v", ErrSnapshot, line, err)
		}
		if x.find(in.ID) >= 0 {
			return h, nil, fmt.Errorf("%w: line %d: duplicate id %s", ErrSnapshot, line, in.ID)
		}
		x.Add(&in)
	}
	if int64(x.Len()) != h.Count {
		return h, nil, fmt.Errorf("%w: line %d: snapshot ends after %d indicators, header says %d", ErrSnapshot, line, x.Len(), h.Count)
	}
	return h, x, nil
}

// readLine returns the next line without its "\n", or what is left before
// EOF with io.EOF. The line may alias *buf or br's buffer; it is valid until
// the next call.
func readLine(br *bufio.Reader, buf *[]byte) ([]byte, error) {
	b, err := br.ReadSlice('\n')
	if err == nil {
		return b[:len(b)-1], nil
	}
	if err != bufio.ErrBufferFull {
		return b, err
	}
	// Longer than the reader's buffer: gather it, within the bound.
	*buf = append((*buf)[:0], b...)
	for {
		b, err = br.ReadSlice('\n')
		if len(*buf)+len(b) > MaxSnapshotLine {
			return nil, fmt.Errorf("line longer than %d bytes", MaxSnapshotLine)
		}
		*buf = append(*buf, b...)
		switch err {
		case nil:
			return (*buf)[:len(*buf)-1], nil
		case bufio.ErrBufferFull:
			continue
		}
		return *buf, err
	}
}

// decodeStrict decodes exactly one JSON object with no unknown fields.
func decodeStrict(b []byte, v any) error {
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.InputOffset() != int64(len(b)) {
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("data after the JSON object")
		}
	}
	return nil
}
