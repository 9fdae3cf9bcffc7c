package cti

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"net/netip"
	"slices"
	"strings"
	"unsafe"

	"github.com/adf-consortium/adf/pkg/cti/version"
)

// Index is an in-memory matcher over indicators: the offline gate
// (`adf gate --snapshot`) loads a whole snapshot into one, and the chain's
// query handler uses one for candidate lookup.
//
// It is built for a million indicators in well under 256 MB (an
// osv-scanner offline database of the same size was reported at 15 GB), so
// it does not keep *Indicator values. Each indicator is encoded once into a
// compact record (varints, a raw 16-byte id, ecosystems, kinds, labels and
// publishers interned) appended to 1 MiB arena chunks; two chained hash
// tables of int32 slot numbers find records by match key (ecosystem and
// folded name, or kind and value) and by id. There are no per-indicator
// maps, slices or pointers for the garbage collector to walk. Listed exact
// versions are stored with their canonical form (version.Canonical) next to
// them, so an exact-version lookup compares bytes and parses nothing.
//
// Matches are decoded into fresh *Indicator values: changing them does not
// change the index. Results are sorted by id, so they do not depend on the
// hash seed, on insertion order or on map iteration.
//
// Add and Remove must not run concurrently with anything else; lookups may
// run concurrently with each other.
type Index struct {
	seed maphash.Seed

	chunks [][]byte // arena; records never move except in compact
	pos    []uint32 // slot -> chunk<<chunkBits | offset, or freeSlot

	keyTag, idTag   []uint32 // low 32 bits of the slot's key / id hash
	keyNext, idNext []int32  // next slot in the same bucket, or -1
	keyHeads        []int32  // bucket -> first slot, or -1
	idHeads         []int32
	free            []int32 // slots to reuse

	n             int
	live, garbage int // arena bytes in live and in dead records

	// ipBits counts IP indicators per prefix length ([0] IPv4, [1] IPv6),
	// so an address is looked up only at lengths some indicator uses.
	ipBits [2][129]int32

	intern   map[string]uint64
	interned []string
	buf      []byte
}

const (
	chunkBits   = 20
	chunkSize   = 1 << chunkBits
	maxChunks   = 1 << (32 - chunkBits)
	freeSlot    = ^uint32(0)
	maxInterned = 1 << 16
	minBuckets  = 1 << 10
)

// Record flags.
const (
	flagPackage     = 1 << iota // key is ecosystem + folded name
	flagRawID                   // id is 16 raw bytes ("ind-" + 32 hex digits)
	flagDerivedID               // id is IDFor(SourceID) and not stored
	flagAllVersions             // package.all_versions
	flagNameFolded              // the stored key name differs from the name
	flagHasPackage              // Package != nil
)

// Listed-version forms.
const (
	verInvalid   = iota // no canonical form: matches its own bytes only
	verCanonSame        // canonical form is the version itself
	verCanonNext        // canonical form follows
)

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{seed: maphash.MakeSeed(), intern: map[string]uint64{}}
}

// Len is the number of indicators in the index.
func (x *Index) Len() int { return x.n }

// Add indexes in, replacing an indicator with the same ID. The caller is
// expected to have validated it (ReadSnapshot does); an indicator that would
// not validate is still stored and matched as far as its fields allow.
func (x *Index) Add(in *Indicator) {
	if in == nil {
		return
	}
	rec, key := x.encode(in)
	slot := x.find(in.ID)
	if slot >= 0 {
		x.unlinkKey(slot)
		x.garbage += x.recordSize(slot)
		x.live -= x.recordSize(slot)
		x.countIP(slot, -1)
	} else {
		slot = x.newSlot()
		x.n++
		ih := x.hash(in.ID)
		x.idTag[slot] = uint32(ih)
		b := int32(uint32(ih) & uint32(len(x.idHeads)-1))
		x.idNext[slot], x.idHeads[b] = x.idHeads[b], slot
	}
	x.pos[slot] = x.store(rec)
	x.live += len(rec)
	kh := x.hash(key)
	x.keyTag[slot] = uint32(kh)
	b := int32(uint32(kh) & uint32(len(x.keyHeads)-1))
	x.keyNext[slot], x.keyHeads[b] = x.keyHeads[b], slot
	x.countIP(slot, 1)
	x.maybeCompact()
}

// Remove drops the indicator with this id, if present.
func (x *Index) Remove(id string) {
	slot := x.find(id)
	if slot < 0 {
		return
	}
	x.unlinkKey(slot)
	x.unlinkID(slot)
	x.countIP(slot, -1)
	size := x.recordSize(slot)
	x.garbage += size
	x.live -= size
	x.pos[slot] = freeSlot
	x.free = append(x.free, slot)
	x.n--
	x.maybeCompact()
}

// MatchPackage returns the indicators on this package (by PackageKey) that
// affect version (PackageMatch.Affects), sorted by ID. An indicator whose
// ranges cannot be evaluated for this version (a version its ecosystem's
// rules reject, say) does not match unless another of its ranges or listed
// versions does; all-versions indicators match any version, even "".
func (x *Index) MatchPackage(ecosystem, name, version string) []*Indicator {
	hits, _ := x.MatchPackageChecked(ecosystem, name, version)
	return hits
}

// MatchPackageChecked is MatchPackage that also returns, sorted by ID, the
// indicators on the package that could not be evaluated for version (a
// range whose scheme rejects it) and did not match otherwise. The gate
// treats those as problems, never as a clean pass, exactly as the chain's
// query does.
func (x *Index) MatchPackageChecked(ecosystem, name, version string) (hits, unevaluable []*Indicator) {
	if x.n == 0 {
		return nil, nil
	}
	norm := NormalizePackageName(ecosystem, name)
	key := packageKey(ecosystem, norm)
	h := uint32(x.hash(key))
	q := newVersionQuery(ecosystem, version)
	var (
		hitSlots, badSlots []int32
		events             []Event
	)
	for s := x.keyHeads[h&uint32(len(x.keyHeads)-1)]; s >= 0; s = x.keyNext[s] {
		if x.keyTag[s] != h {
			continue
		}
		r := x.reader(s)
		if flags, ok := r.keyMatches(x, true, ecosystem, norm); ok {
			var hit, bad bool
			hit, bad, events = r.affects(x, flags, q, events)
			switch {
			case hit:
				hitSlots = append(hitSlots, s)
			case bad:
				badSlots = append(badSlots, s)
			}
		}
	}
	return x.decodeSorted(hitSlots), x.decodeSorted(badSlots)
}

// MatchValue returns the indicators of kind k whose value matches value,
// sorted by ID. Values are normalised first (NormalizeValue), then: hashes,
// URLs and techniques match exactly; a domain matches indicators on it and
// on each parent domain (a.b.evil.com matches evil.com); an IP address, or
// a prefix, matches indicators whose prefix contains it. A value that does
// not normalise matches nothing.
func (x *Index) MatchValue(k Kind, value string) []*Indicator {
	if x.n == 0 || k == KindPackage {
		return nil
	}
	norm, err := NormalizeValue(k, value)
	if err != nil {
		if k.Valid() {
			return nil
		}
		norm = value // an unknown kind matches exactly, as stored
	}
	var hits []int32
	switch k {
	case KindDomain:
		for d := norm; ; {
			hits = x.lookupValue(hits, k, d)
			i := strings.IndexByte(d, '.')
			if i < 0 {
				break
			}
			d = d[i+1:]
		}
	case KindIP:
		p, err := netip.ParsePrefix(norm)
		if err != nil {
			a, _ := netip.ParseAddr(norm) // normalised, so it parses
			p = netip.PrefixFrom(a, a.BitLen())
		}
		fam := 0
		if p.Addr().Is6() {
			fam = 1
		}
		for bits := 0; bits <= p.Bits(); bits++ {
			if x.ipBits[fam][bits] == 0 {
				continue
			}
			c := netip.PrefixFrom(p.Addr(), bits).Masked()
			v := c.String()
			if bits == c.Addr().BitLen() {
				v = c.Addr().String()
			}
			hits = x.lookupValue(hits, k, v)
		}
	default:
		hits = x.lookupValue(hits, k, norm)
	}
	return x.decodeSorted(hits)
}

func (x *Index) lookupValue(hits []int32, k Kind, v string) []int32 {
	h := uint32(x.hash(valueKey(k, v)))
	for s := x.keyHeads[h&uint32(len(x.keyHeads)-1)]; s >= 0; s = x.keyNext[s] {
		if x.keyTag[s] != h {
			continue
		}
		r := x.reader(s)
		if _, ok := r.keyMatches(x, false, string(k), v); ok {
			hits = append(hits, s)
		}
	}
	return hits
}

// decodeSorted decodes the hit slots (which are distinct) and sorts them by
// ID.
func (x *Index) decodeSorted(hits []int32) []*Indicator {
	if len(hits) == 0 {
		return nil
	}
	out := make([]*Indicator, len(hits))
	for i, s := range hits {
		out[i] = x.decode(s)
	}
	slices.SortFunc(out, func(a, b *Indicator) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// All calls yield for every indicator, in ID order, until it returns false.
// It is how an index is written back out (WriteSnapshot).
func (x *Index) All(yield func(*Indicator) bool) {
	type idSlot struct {
		id   string
		slot int32
	}
	order := make([]idSlot, 0, x.n)
	for s := range x.pos {
		if x.pos[s] != freeSlot {
			r := x.reader(int32(s))
			order = append(order, idSlot{r.id(), int32(s)})
		}
	}
	slices.SortFunc(order, func(a, b idSlot) int { return strings.Compare(a.id, b.id) })
	for _, o := range order {
		if !yield(x.decode(o.slot)) {
			return
		}
	}
}

func packageKey(ecosystem, norm string) string { return "p" + ecosystem + "\x00" + norm }
func valueKey(k Kind, v string) string         { return "v" + string(k) + "\x00" + v }

func (x *Index) hash(s string) uint64 { return maphash.String(x.seed, s) }

// find returns the slot of id, or -1.
func (x *Index) find(id string) int32 {
	if x.n == 0 {
		return -1
	}
	h := uint32(x.hash(id))
	for s := x.idHeads[h&uint32(len(x.idHeads)-1)]; s >= 0; s = x.idNext[s] {
		if x.idTag[s] != h {
			continue
		}
		if r := x.reader(s); r.id() == id {
			return s
		}
	}
	return -1
}

func (x *Index) newSlot() int32 {
	if n := len(x.free); n > 0 {
		s := x.free[n-1]
		x.free = x.free[:n-1]
		return s
	}
	if x.n+1 > len(x.keyHeads) {
		x.rehash(max(minBuckets, 2*len(x.keyHeads)))
	}
	s := int32(len(x.pos))
	x.pos = append(x.pos, freeSlot)
	x.keyTag = append(x.keyTag, 0)
	x.idTag = append(x.idTag, 0)
	x.keyNext = append(x.keyNext, -1)
	x.idNext = append(x.idNext, -1)
	return s
}

// rehash rebuilds both bucket arrays with n buckets (a power of two) from
// the stored hash tags; records are not touched.
func (x *Index) rehash(n int) {
	x.keyHeads = fill(make([]int32, n), -1)
	x.idHeads = fill(make([]int32, n), -1)
	mask := uint32(n - 1)
	for s := len(x.pos) - 1; s >= 0; s-- {
		if x.pos[s] == freeSlot {
			continue
		}
		b := x.keyTag[s] & mask
		x.keyNext[s], x.keyHeads[b] = x.keyHeads[b], int32(s)
		b = x.idTag[s] & mask
		x.idNext[s], x.idHeads[b] = x.idHeads[b], int32(s)
	}
}

func fill(s []int32, v int32) []int32 {
	for i := range s {
		s[i] = v
	}
	return s
}

func (x *Index) unlinkKey(slot int32) {
	head := &x.keyHeads[x.keyTag[slot]&uint32(len(x.keyHeads)-1)]
	for p := head; *p >= 0; p = &x.keyNext[*p] {
		if *p == slot {
			*p = x.keyNext[slot]
			return
		}
	}
}

func (x *Index) unlinkID(slot int32) {
	head := &x.idHeads[x.idTag[slot]&uint32(len(x.idHeads)-1)]
	for p := head; *p >= 0; p = &x.idNext[*p] {
		if *p == slot {
			*p = x.idNext[slot]
			return
		}
	}
}

// countIP keeps ipBits in step with the IP indicators in the index.
func (x *Index) countIP(slot int32, d int32) {
	r := x.reader(slot)
	flags := r.byte()
	if flags&flagPackage != 0 || r.interned(x) != string(KindIP) {
		return
	}
	v := r.view()
	if p, err := netip.ParsePrefix(v); err == nil {
		fam := 0
		if p.Addr().Is6() {
			fam = 1
		}
		x.ipBits[fam][p.Bits()] += d
	} else if a, err := netip.ParseAddr(v); err == nil {
		fam := 0
		if a.Is6() {
			fam = 1
		}
		x.ipBits[fam][a.BitLen()] += d
	}
}

// store appends a record (with its length prefix) to the arena.
func (x *Index) store(rec []byte) uint32 {
	last := len(x.chunks) - 1
	if last < 0 || len(x.chunks[last])+len(rec) > cap(x.chunks[last]) {
		if len(x.chunks) >= maxChunks {
			x.compact()
			return x.store(rec)
		}
		x.chunks = append(x.chunks, make([]byte, 0, max(chunkSize, len(rec))))
		last++
	}
	off := len(x.chunks[last])
	x.chunks[last] = append(x.chunks[last], rec...)
	return uint32(last)<<chunkBits | uint32(off)
}

func (x *Index) recordAt(p uint32) []byte {
	c := x.chunks[p>>chunkBits][p&(chunkSize-1):]
	n, k := binary.Uvarint(c)
	return c[:k+int(n)]
}

func (x *Index) recordSize(slot int32) int { return len(x.recordAt(x.pos[slot])) }

// maybeCompact rewrites the arena once dead records outweigh live ones
// (and are worth the copy), so memory tracks the live set under churn.
func (x *Index) maybeCompact() {
	if x.garbage > 8*chunkSize && x.garbage > x.live {
		x.compact()
	}
}

func (x *Index) compact() {
	old := x.chunks
	x.chunks = nil
	for s, p := range x.pos {
		if p != freeSlot {
			rec := recordIn(old, p)
			x.pos[s] = x.store(rec)
		}
	}
	x.garbage = 0
	if len(x.chunks) >= maxChunks {
		panic("cti: index arena over 4 GiB of live records")
	}
}

func recordIn(chunks [][]byte, p uint32) []byte {
	c := chunks[p>>chunkBits][p&(chunkSize-1):]
	n, k := binary.Uvarint(c)
	return c[:k+int(n)]
}

// internRef returns the 1-based reference of s in the intern table, adding
// it while the table has room, or 0 when s is to be stored inline.
func (x *Index) internRef(s string) uint64 {
	if r, ok := x.intern[s]; ok {
		return r
	}
	if len(x.interned) >= maxInterned {
		return 0
	}
	s = strings.Clone(s)
	x.interned = append(x.interned, s)
	x.intern[s] = uint64(len(x.interned))
	return uint64(len(x.interned))
}

// encode builds in's record and returns it with its match key.
func (x *Index) encode(in *Indicator) (rec []byte, key string) {
	b := x.buf[:0]
	var flags byte
	raw, rawOK := rawID(in.ID)
	switch {
	case in.ID == deriveID(in.SourceID):
		// The usual case: 16 bytes per indicator saved by recomputing the
		// id from the source id when it is needed.
		flags |= flagDerivedID
	case rawOK:
		flags |= flagRawID
	}
	p := in.Package
	var norm string
	if p != nil {
		flags |= flagHasPackage
		if p.AllVersions {
			flags |= flagAllVersions
		}
		if in.Kind == KindPackage {
			flags |= flagPackage
			norm = NormalizePackageName(p.Ecosystem, p.Name)
			if norm != p.Name {
				flags |= flagNameFolded
			}
		}
	}
	b = append(b, flags)
	// The match key comes first so a bucket walk reads only a few bytes.
	if flags&flagPackage != 0 {
		b = x.appendInterned(b, p.Ecosystem)
		b = appendString(b, norm)
		key = packageKey(p.Ecosystem, norm)
	} else {
		b = x.appendInterned(b, string(in.Kind))
		b = appendString(b, in.Value)
		key = valueKey(in.Kind, in.Value)
	}
	b = appendString(b, in.SourceID)
	switch {
	case flags&flagDerivedID != 0:
	case flags&flagRawID != 0:
		b = append(b, raw[:]...)
	default:
		b = appendString(b, in.ID)
	}
	if p != nil {
		if flags&flagPackage == 0 {
			b = x.appendInterned(b, p.Ecosystem)
		}
		if flags&flagPackage == 0 || flags&flagNameFolded != 0 {
			b = appendString(b, p.Name)
		}
		b = binary.AppendUvarint(b, uint64(len(p.Versions)))
		for _, v := range p.Versions {
			b = appendString(b, v)
			switch c, err := version.Canonical(p.Ecosystem, v); {
			case err != nil:
				b = append(b, verInvalid)
			case c == v:
				b = append(b, verCanonSame)
			default:
				b = append(b, verCanonNext)
				b = appendString(b, c)
			}
		}
		b = binary.AppendUvarint(b, uint64(len(p.Ranges)))
		for _, r := range p.Ranges {
			b = x.appendInterned(b, r.Type)
			b = binary.AppendUvarint(b, uint64(len(r.Events)))
			for i := range r.Events {
				kind, v := eventOf(&r.Events[i])
				b = append(b, byte(kind))
				b = appendString(b, v)
			}
		}
	}
	b = binary.AppendUvarint(b, uint64(in.Confidence))
	b = x.appendInterned(b, string(in.Severity))
	b = binary.AppendVarint(b, in.ValidFrom)
	b = binary.AppendVarint(b, in.ValidUntil)
	b = binary.AppendUvarint(b, uint64(len(in.Labels)))
	for _, l := range in.Labels {
		b = x.appendInterned(b, l)
	}
	var name string
	if p != nil {
		name = p.Name
	}
	b = binary.AppendUvarint(b, uint64(len(in.References)))
	for _, r := range in.References {
		b = x.appendText(b, r, in.SourceID, name)
	}
	b = x.appendText(b, in.Summary, in.SourceID, name)
	b = x.appendInterned(b, in.Publisher)

	// Prefix the length; keep the scratch buffer for the next Add.
	n := len(b)
	var hdr [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(hdr[:], uint64(n))
	b = append(b, hdr[:k]...)
	copy(b[k:], b[:n])
	copy(b, hdr[:k])
	x.buf = b
	return b, key
}

func (x *Index) appendInterned(b []byte, s string) []byte {
	r := x.internRef(s)
	b = binary.AppendUvarint(b, r)
	if r == 0 {
		b = appendString(b, s)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// rawID decodes the canonical id form "ind-" + 32 lower-case hex digits.
func rawID(id string) (raw [indicatorIDBytes]byte, ok bool) {
	h, ok := strings.CutPrefix(id, "ind-")
	if !ok || len(h) != 2*indicatorIDBytes || strings.ToLower(h) != h {
		return raw, false
	}
	_, err := hex.Decode(raw[:], []byte(h))
	return raw, err == nil
}

// recReader reads a record the index wrote; records are trusted, so there
// are no bounds errors to report.
type recReader struct {
	b []byte
	i int
}

func (x *Index) reader(slot int32) recReader {
	rec := x.recordAt(x.pos[slot])
	_, k := binary.Uvarint(rec)
	return recReader{b: rec, i: k}
}

func (r *recReader) byte() byte { c := r.b[r.i]; r.i++; return c }

func (r *recReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.i:])
	r.i += n
	return v
}

func (r *recReader) varint() int64 {
	v, n := binary.Varint(r.b[r.i:])
	r.i += n
	return v
}

func (r *recReader) bytes() []byte {
	n := int(r.uvarint())
	s := r.b[r.i : r.i+n]
	r.i += n
	return s
}

// view returns the next string without copying. Arena bytes are never
// written after they are appended, so the view stays valid; it must not
// escape into a returned Indicator, which would pin a whole chunk.
func (r *recReader) view() string {
	b := r.bytes()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (r *recReader) str() string { return string(r.bytes()) }

// interned returns an interned string (shared, never copied) or a view of
// an inline one.
func (r *recReader) interned(x *Index) string {
	ref := r.uvarint()
	if ref == 0 {
		return r.view()
	}
	return x.interned[ref-1]
}

// keyMatches reads the flags and the match key and reports whether they are
// the given package (ecosystem, folded name) or kind and value.
func (r *recReader) keyMatches(x *Index, pkg bool, a, b string) (flags byte, ok bool) {
	flags = r.byte()
	if (flags&flagPackage != 0) != pkg {
		return flags, false
	}
	if r.interned(x) != a {
		return flags, false
	}
	return flags, r.view() == b
}

// id reads a record's id from the start.
func (r *recReader) id() string {
	r.i = 0
	r.uvarint()
	flags := r.byte()
	r.uvarint0()
	r.bytes()
	return r.readID(flags, r.view())
}

// uvarint0 skips an interned-or-inline string.
func (r *recReader) uvarint0() {
	if r.uvarint() == 0 {
		r.bytes()
	}
}

// readID reads the id part of a record; src is the source id before it.
// The result never aliases the arena.
func (r *recReader) readID(flags byte, src string) string {
	if flags&flagDerivedID != 0 {
		return deriveID(src)
	}
	if flags&flagRawID != 0 {
		var b [4 + 2*indicatorIDBytes]byte
		copy(b[:], "ind-")
		hex.Encode(b[4:], r.b[r.i:r.i+indicatorIDBytes])
		r.i += indicatorIDBytes
		return string(b[:])
	}
	return r.str()
}

// affects evaluates the package part of a record positioned after its key,
// as PackageMatch.Affects does, without materialising the indicator. events
// is scratch space, returned for reuse.
// affects reports whether the record's package match covers q's version,
// and, when it does not, whether some range could not be evaluated (the
// version is not valid for the range's scheme): the caller must not treat
// that as a clean miss.
func (r *recReader) affects(x *Index, flags byte, q *versionQuery, events []Event) (hit, unevaluable bool, _ []Event) {
	if flags&flagHasPackage == 0 {
		return false, false, events
	}
	if flags&flagAllVersions != 0 {
		return true, false, events
	}
	r.bytes() // source id
	switch {
	case flags&flagDerivedID != 0:
	case flags&flagRawID != 0:
		r.i += indicatorIDBytes
	default:
		r.bytes()
	}
	if flags&flagNameFolded != 0 {
		r.bytes()
	}
	for n := r.uvarint(); n > 0; n-- {
		v := r.view()
		switch r.byte() {
		case verInvalid:
			if q.equalsCanonical(v, "", false) {
				return true, false, events
			}
		case verCanonSame:
			if q.equalsCanonical(v, v, true) {
				return true, false, events
			}
		default:
			if q.equalsCanonical(v, r.view(), true) {
				return true, false, events
			}
		}
	}
	for n := r.uvarint(); n > 0; n-- {
		typ := r.interned(x)
		events = events[:0]
		for m := r.uvarint(); m > 0; m-- {
			kind := r.byte()
			v := r.view()
			var e Event
			switch kind {
			case evIntroduced:
				e.Introduced = v
			case evLastAffected:
				e.LastAffected = v
			case evFixed:
				e.Fixed = v
			case evLimit:
				e.Limit = v
			}
			events = append(events, e)
		}
		ok, err := q.inRange(typ, events)
		if ok {
			return true, false, events
		}
		if err != nil {
			unevaluable = true
		}
	}
	return false, unevaluable, events
}

// decode materialises the indicator in slot. It copies the record once and
// points the indicator's strings into that private copy: a handful of
// allocations per match instead of one per string, and nothing aliases the
// arena.
func (x *Index) decode(slot int32) *Indicator {
	rec := x.recordAt(x.pos[slot])
	_, k := binary.Uvarint(rec)
	r := recReader{b: bytes.Clone(rec[k:])}
	flags := r.byte()
	in := &Indicator{}
	var eco, keyName string
	if flags&flagPackage != 0 {
		in.Kind = KindPackage
		eco = r.interned(x)
		keyName = r.view()
	} else {
		in.Kind = Kind(r.interned(x))
		in.Value = r.view()
	}
	in.SourceID = r.view()
	in.ID = r.readID(flags, in.SourceID)
	var name string
	if flags&flagHasPackage != 0 {
		p := &PackageMatch{AllVersions: flags&flagAllVersions != 0}
		if flags&flagPackage == 0 {
			eco = r.interned(x)
		}
		p.Ecosystem = eco
		p.Name = keyName
		if flags&flagPackage == 0 || flags&flagNameFolded != 0 {
			p.Name = r.view()
		}
		name = p.Name
		if n := r.uvarint(); n > 0 {
			p.Versions = make([]string, n)
			for i := range p.Versions {
				p.Versions[i] = r.view()
				if r.byte() == verCanonNext {
					r.bytes()
				}
			}
		}
		if n := r.uvarint(); n > 0 {
			p.Ranges = make([]Range, n)
			for i := range p.Ranges {
				p.Ranges[i].Type = r.interned(x)
				p.Ranges[i].Events = make([]Event, r.uvarint())
				for j := range p.Ranges[i].Events {
					e := &p.Ranges[i].Events[j]
					kind := r.byte()
					v := r.view()
					switch kind {
					case evIntroduced:
						e.Introduced = v
					case evLastAffected:
						e.LastAffected = v
					case evFixed:
						e.Fixed = v
					case evLimit:
						e.Limit = v
					}
				}
			}
		}
		in.Package = p
	}
	in.Confidence = uint32(r.uvarint())
	in.Severity = Severity(r.interned(x))
	in.ValidFrom = r.varint()
	in.ValidUntil = r.varint()
	if n := r.uvarint(); n > 0 {
		in.Labels = make([]string, n)
		for i := range in.Labels {
			in.Labels[i] = r.interned(x)
		}
	}
	if n := r.uvarint(); n > 0 {
		in.References = make([]string, n)
		for i := range in.References {
			in.References[i] = r.text(x, in.SourceID, name)
		}
	}
	in.Summary = r.text(x, in.SourceID, name)
	in.Publisher = r.interned(x)
	return in
}

// Free text (summaries, references) mostly repeats the indicator's own
// source id and package name inside a fixed phrase: "Malicious code in
// <name> (npm)", "https://osv.dev/vulnerability/<source id>". Such text is
// stored as a template, "\x00\x01" standing for the source id, "\x00\x02"
// for the name and "\x00\x00" for a NUL, and the template is interned, so
// a million MAL summaries cost a few bytes each.
const (
	textInline   = 0 // the text follows as is
	textTemplate = 1 // a template follows
	textRef0     = 2 // textRef0+k: interned template k (1-based)
)

func (x *Index) appendText(b []byte, s, src, name string) []byte {
	t, ok := template(s, src, name)
	if !ok {
		b = binary.AppendUvarint(b, textInline)
		return appendString(b, s)
	}
	if ref := x.internRef(t); ref != 0 {
		return binary.AppendUvarint(b, textRef0-1+ref)
	}
	b = binary.AppendUvarint(b, textTemplate)
	return appendString(b, t)
}

// templatable reports whether s can stand in a template: long enough to be
// worth it and free of the bytes the markers use.
func templatable(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 3 {
			return false
		}
	}
	return true
}

func template(s, src, name string) (string, bool) {
	useSrc := templatable(src) && strings.Contains(s, src)
	useName := templatable(name) && strings.Contains(s, name)
	if !useSrc && !useName {
		return s, false
	}
	t := strings.ReplaceAll(s, "\x00", "\x00\x00")
	if useSrc {
		t = strings.ReplaceAll(t, src, "\x00\x01")
	}
	if useName {
		t = strings.ReplaceAll(t, name, "\x00\x02")
	}
	return t, true
}

func expand(t, src, name string) string {
	var b strings.Builder
	b.Grow(len(t) + len(src) + len(name))
	for i := 0; i < len(t); i++ {
		if t[i] != 0 || i+1 == len(t) {
			b.WriteByte(t[i])
			continue
		}
		i++
		switch t[i] {
		case 1:
			b.WriteString(src)
		case 2:
			b.WriteString(name)
		default:
			b.WriteByte(0)
		}
	}
	return b.String()
}

// text reads what appendText wrote.
func (r *recReader) text(x *Index, src, name string) string {
	switch code := r.uvarint(); code {
	case textInline:
		return r.view()
	case textTemplate:
		return expand(r.view(), src, name)
	default:
		return expand(x.interned[code-textRef0], src, name)
	}
}

// deriveID is IDFor without its intermediate allocations; the index calls
// it for every Add and for every id it reports.
func deriveID(src string) string {
	var buf [32 + MaxSourceIDLen]byte
	b := append(append(buf[:0], "adf/cti/indicator/v1\x00"...), src...)
	sum := sha256.Sum256(b)
	var out [4 + 2*indicatorIDBytes]byte
	copy(out[:], "ind-")
	hex.Encode(out[4:], sum[:indicatorIDBytes])
	return string(out[:])
}
