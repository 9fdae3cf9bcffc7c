package batchlog

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Entry record (version 1), big-endian:
//
//	version u8 | flags u8 (1 = erased) | received unix-nanos i64 |
//	leaf [32] | digest [32] | nsubjects u32 | subjects [32]… |
//	salt len u32 + bytes | envelope len u32 + bytes |
//	erased-at unix-nanos i64 | reason len u32 + bytes
const entryVersion = 1

func encodeEntry(e *Entry) []byte {
	return appendEntry(make([]byte, 0, entrySize(e)), e)
}

// entrySize is the length of e's record.
func entrySize(e *Entry) int {
	return 2 + 8 + 32 + 32 + 4 + 32*len(e.Subjects) + 4 + len(e.Salt) + 4 + len(e.Envelope) + 8 + 4 + len(e.EraseReason)
}

// appendEntry appends e's record to b.
func appendEntry(b []byte, e *Entry) []byte {
	var flags byte
	if e.Erased {
		flags |= 1
	}
	b = append(b, entryVersion, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Received.UnixNano()))
	b = append(b, e.LeafHash[:]...)
	b = append(b, e.EnvelopeDigest[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Subjects)))
	for _, s := range e.Subjects {
		b = append(b, s[:]...)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Salt)))
	b = append(b, e.Salt...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Envelope)))
	b = append(b, e.Envelope...)
	var at int64
	if !e.ErasedAt.IsZero() {
		at = e.ErasedAt.UnixNano()
	}
	b = binary.BigEndian.AppendUint64(b, uint64(at))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.EraseReason)))
	return append(b, e.EraseReason...)
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = fmt.Errorf("truncated record (want %d more bytes, have %d)", n, len(r.b))
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u32() int {
	v := r.take(4)
	if v == nil {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

func (r *reader) u64() uint64 {
	v := r.take(8)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func decodeEntry(index uint64, v []byte) (*Entry, error) {
	r := &reader{b: v}
	hdr := r.take(2)
	if r.err == nil && hdr[0] != entryVersion {
		return nil, fmt.Errorf("%w: entry %d: record version %d", ErrCorrupt, index, hdr[0])
	}
	e := &Entry{Index: index}
	recv := int64(r.u64())
	copy(e.LeafHash[:], r.take(32))
	copy(e.EnvelopeDigest[:], r.take(32))
	ns := r.u32()
	if r.err == nil && ns > len(r.b)/32 {
		r.err = fmt.Errorf("subject count %d too large", ns)
	}
	if r.err == nil && ns > 0 {
		e.Subjects = make([][32]byte, ns)
		for i := range e.Subjects {
			copy(e.Subjects[i][:], r.take(32))
		}
	}
	if salt := r.take(r.u32()); len(salt) > 0 {
		e.Salt = salt
	}
	if env := r.take(r.u32()); len(env) > 0 {
		e.Envelope = env
	}
	at := int64(r.u64())
	e.EraseReason = string(r.take(r.u32()))
	if r.err != nil {
		return nil, fmt.Errorf("%w: entry %d: %v", ErrCorrupt, index, r.err)
	}
	e.Erased = hdr[1]&1 != 0
	e.Received = time.Unix(0, recv).UTC()
	if at != 0 {
		e.ErasedAt = time.Unix(0, at).UTC()
	}
	return e, nil
}

// Anchored record: size u64 | root [32] | height i64 | time unix-nanos i64.
func encodeAnchored(a Anchored) []byte {
	b := make([]byte, 0, 56)
	b = binary.BigEndian.AppendUint64(b, a.TreeSize)
	b = append(b, a.RootHash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(a.Height))
	var t int64
	if !a.Time.IsZero() {
		t = a.Time.UnixNano()
	}
	return binary.BigEndian.AppendUint64(b, uint64(t))
}

func decodeAnchored(v []byte) (Anchored, error) {
	var a Anchored
	if len(v) != 56 {
		return a, fmt.Errorf("%w: anchored record is %d bytes", ErrCorrupt, len(v))
	}
	a.TreeSize = binary.BigEndian.Uint64(v)
	copy(a.RootHash[:], v[8:40])
	a.Height = int64(binary.BigEndian.Uint64(v[40:]))
	if t := int64(binary.BigEndian.Uint64(v[48:])); t != 0 {
		a.Time = time.Unix(0, t).UTC()
	}
	return a, nil
}
