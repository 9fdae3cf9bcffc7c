// Package batchlog is the durable, append-only attestation log of the ADF
// batcher: DSSE envelopes in a pebble database, an RFC 6962 Merkle tree over
// them (pkg/merkle, nodes persisted in the same database), an index by
// envelope digest (idempotent resubmission) and by subject sha256, the last
// anchored root, and erasure of payloads with the leaves kept.
//
// Durability: Append returns a receipt only after the pebble batch holding
// the entry, its indexes, its Merkle nodes and the new tree size was
// committed with Sync. Concurrent Appends are grouped into one batch (group
// commit), so one fsync acknowledges many entries; the next group is built
// while the previous one's fsync is in flight. After a crash, Open
// resumes the tree from the persisted size; nothing acknowledged is lost and
// nothing unacknowledged is half-visible (a batch is atomic).
//
// Leaves commit to a salted hash so that payloads can be erased while proofs
// stay valid: leaf = merkle.LeafHash(SHA-256(salt || envelope)), where
// envelope is the canonical JSON (dsse.Envelope.Marshal) and salt 32 random
// bytes stored beside it. Erasing deletes envelope and salt; the leaf hash,
// digest, subjects and Merkle nodes stay.
//
// The package imports no Cosmos SDK: chain access lives in the caller.
package batchlog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/adf-consortium/adf/pkg/merkle"
)

// SaltSize is the size of the random salt of every leaf commitment.
const SaltSize = 32

// Key prefixes of the pebble database.
const (
	pfxMeta    = 'm' // m/size, m/anchored, m/logid
	pfxEntry   = 'e' // e + be64(index) → entry record
	pfxDigest  = 'd' // d + digest → be64(index)
	pfxSubject = 's' // s + sha256 + be64(index) → empty
	pfxNode    = 'n' // n + level + be64(index) → hash
)

var (
	keySize     = []byte("m/size")
	keyAnchored = []byte("m/anchored")
	keyLogID    = []byte("m/logid")
)

// Errors returned (wrapped) by the package.
var (
	ErrNotFound    = errors.New("batchlog: no such entry")
	ErrClosed      = errors.New("batchlog: log is closed")
	ErrNotAnchored = errors.New("batchlog: entry is not covered by an anchored root yet")
	ErrErased      = errors.New("batchlog: entry already erased")
	ErrCorrupt     = errors.New("batchlog: corrupt database")
)

// Receipt is what a submitter gets once its entry is durable.
type Receipt struct {
	LogID          string      `json:"log_id"`
	Index          uint64      `json:"index"`
	LeafHash       merkle.Hash `json:"-"`
	EnvelopeDigest [32]byte    `json:"-"`
	// Existing is true when the envelope (by digest) was already in the log.
	Existing bool `json:"-"`
}

// Entry is a stored log entry.
type Entry struct {
	Index          uint64
	LeafHash       merkle.Hash
	EnvelopeDigest [32]byte
	Received       time.Time
	Subjects       [][32]byte
	// Envelope (canonical JSON) and Salt are nil once erased.
	Envelope []byte
	Salt     []byte
	Erased   bool
	// ErasedAt and EraseReason are set by Erase.
	ErasedAt    time.Time
	EraseReason string
}

// Anchored is the latest root anchored on chain, as the batcher knows it.
type Anchored struct {
	TreeSize uint64
	RootHash merkle.Hash
	Height   int64
	Time     time.Time
}

// Submission is one envelope to append.
type Submission struct {
	// Envelope is the canonical JSON of the envelope (dsse Envelope.Marshal).
	Envelope []byte
	// Digest is the envelope's dsse Digest (identity for idempotency).
	Digest [32]byte
	// Subjects are the statement's subject sha256 digests.
	Subjects [][32]byte
}

// Options configure Open.
type Options struct {
	// MaxBatch bounds how many submissions go into one pebble batch (default 4096).
	MaxBatch int
	// FS overrides the file system (tests: vfs.NewCrashableMem); nil = disk.
	FS vfs.FS
	// Now returns the receive time (default time.Now).
	Now func() time.Time
	// Rand is the salt source (default crypto/rand).
	Rand io.Reader
	// NoSync disables fsync (benchmarks of the non-durable path only).
	NoSync bool
	// Logger receives pebble's messages (info at debug level); nil = discard.
	Logger *slog.Logger
}

// pebbleLogger adapts slog to pebble's Logger.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := "pebble: " + fmt.Sprintf(format, args...)
	p.l.Error(msg)
	panic(msg)
}

// Stats are counters of the log, for metrics.
type Stats struct {
	Appended   uint64 // new entries made durable
	Duplicates uint64 // submissions answered with an existing entry
	Batches    uint64 // pebble batches committed
	Erased     uint64
}

// Log is the durable log. It is safe for concurrent use.
type Log struct {
	db    *pebble.DB
	logID string
	opts  Options
	wo    *pebble.WriteOptions

	reqs     chan *request
	quit     chan struct{}
	done     chan struct{}
	brokenMu sync.Mutex
	broken   error
	closeMu  sync.RWMutex
	closed   bool

	// committer state (only the committer goroutine touches tree and w).
	tree *merkle.Log
	w    *batchNodeWriter

	size     atomic.Uint64 // durable tree size
	anchorMu sync.RWMutex
	anchored Anchored
	eraseMu  sync.Mutex

	appended, duplicates, batches, erased atomic.Uint64

	// filter answers "certainly not in the log" for most new digests.
	filter   atomic.Pointer[digestFilter]
	filterWG sync.WaitGroup
}

type request struct {
	sub Submission
	rc  chan result
}

type result struct {
	r   Receipt
	err error
}

// Open opens (creating if needed) the log in dir for logID. A database made
// for another log id is refused. The Merkle tree is resumed from the
// persisted size.
func Open(dir, logID string, opts Options) (*Log, error) {
	if logID == "" {
		return nil, errors.New("batchlog: empty log id")
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 4096
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	po := &pebble.Options{
		FS: opts.FS, Logger: pebbleLogger{opts.Logger},
		// Entries are a few KiB (composite signatures): a larger memtable
		// means fewer flushes and compactions per entry.
		MemTableSize: 64 << 20,
	}
	// Bloom filters: the digest lookup of every submission usually misses.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("batchlog: open %s: %w", dir, err)
	}
	l := &Log{db: db, logID: logID, opts: opts, wo: pebble.Sync}
	if opts.NoSync {
		l.wo = pebble.NoSync
	}
	if err := l.load(); err != nil {
		_ = db.Close()
		return nil, err
	}
	l.reqs = make(chan *request, opts.MaxBatch)
	l.quit = make(chan struct{})
	l.done = make(chan struct{})
	l.startFilter(2 * l.size.Load())
	go l.committer()
	return l, nil
}

func (l *Log) load() error {
	v, err := l.get(keyLogID)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		if err := l.db.Set(keyLogID, []byte(l.logID), pebble.Sync); err != nil {
			return fmt.Errorf("batchlog: %w", err)
		}
	case err != nil:
		return err
	case string(v) != l.logID:
		return fmt.Errorf("batchlog: database belongs to log %q, not %q", v, l.logID)
	}
	var size uint64
	v, err = l.get(keySize)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
	case err != nil:
		return err
	case len(v) != 8:
		return fmt.Errorf("%w: tree size is %d bytes", ErrCorrupt, len(v))
	default:
		size = binary.BigEndian.Uint64(v)
	}
	l.w = &batchNodeWriter{}
	tree, err := merkle.ResumeLog(size, l, l.w)
	if err != nil {
		return fmt.Errorf("%w: resume tree of size %d: %v", ErrCorrupt, size, err)
	}
	l.tree = tree
	l.size.Store(size)
	v, err = l.get(keyAnchored)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
	case err != nil:
		return err
	default:
		a, err := decodeAnchored(v)
		if err != nil {
			return err
		}
		if a.TreeSize > size {
			return fmt.Errorf("%w: anchored size %d beyond tree size %d", ErrCorrupt, a.TreeSize, size)
		}
		l.anchored = a
	}
	return nil
}

// get returns a copy of the value at key.
func (l *Log) get(key []byte) ([]byte, error) {
	v, c, err := l.db.Get(key)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), v...)
	_ = c.Close()
	return out, nil
}

// LogID returns the log id.
func (l *Log) LogID() string { return l.logID }

// Size returns the durable tree size.
func (l *Log) Size() uint64 { return l.size.Load() }

// Stats returns the counters.
func (l *Log) Stats() Stats {
	return Stats{Appended: l.appended.Load(), Duplicates: l.duplicates.Load(), Batches: l.batches.Load(), Erased: l.erased.Load()}
}

// Close stops the committer (pending submissions fail with ErrClosed) and
// closes the database.
func (l *Log) Close() error {
	l.closeMu.Lock()
	if l.closed {
		l.closeMu.Unlock()
		return nil
	}
	l.closed = true
	l.closeMu.Unlock()
	close(l.quit)
	<-l.done
	l.filterWG.Wait()
	return l.db.Close()
}

// Append makes sub durable and returns its receipt. If an envelope with the
// same digest is already in the log, its receipt is returned (Existing) and
// nothing is written. It returns only after the entry is synced to disk.
func (l *Log) Append(ctx context.Context, sub Submission) (Receipt, error) {
	req := &request{sub: sub, rc: make(chan result, 1)}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return Receipt{}, ErrClosed
	}
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return Receipt{}, ctx.Err()
	}
	l.closeMu.RUnlock()
	// A caller that gives up gets ctx.Err(); the entry may still become
	// durable, and resubmitting it returns its receipt (idempotency).
	select {
	case res := <-req.rc:
		return res.r, res.err
	case <-ctx.Done():
		return Receipt{}, ctx.Err()
	}
}

// AppendBatch appends every submission (in order; they usually share one
// group commit) and returns when each one is durable or has failed:
// receipts[i] is valid when errs[i] is nil. Duplicates (in the log or
// within subs) get the existing entry's receipt, as with Append.
func (l *Log) AppendBatch(ctx context.Context, subs []Submission) ([]Receipt, []error) {
	receipts := make([]Receipt, len(subs))
	errs := make([]error, len(subs))
	reqs := make([]request, len(subs))
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		for i := range errs {
			errs[i] = ErrClosed
		}
		return receipts, errs
	}
	sent := 0
	for i := range subs {
		reqs[i] = request{sub: subs[i], rc: make(chan result, 1)}
		select {
		case l.reqs <- &reqs[i]:
			sent++
		case <-ctx.Done():
		}
		if sent <= i {
			break
		}
	}
	l.closeMu.RUnlock()
	for i := range subs {
		if i >= sent {
			errs[i] = ctx.Err()
			continue
		}
		select {
		case res := <-reqs[i].rc:
			receipts[i], errs[i] = res.r, res.err
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return receipts, errs
}

func (l *Log) committer() {
	defer close(l.done)
	inflight := make(chan *group, 1)
	finished := make(chan struct{})
	go l.finisher(inflight, finished)
	defer func() { <-finished }()
	defer close(inflight)
	for {
		pending := make([]*request, 0, 64)
		select {
		case r := <-l.reqs:
			pending = append(pending, r)
		case <-l.quit:
			l.drainClosed()
			return
		}
	fill:
		for len(pending) < l.opts.MaxBatch {
			select {
			case r := <-l.reqs:
				pending = append(pending, r)
			default:
				break fill
			}
		}
		// The group is applied; its fsync completes in the finisher while
		// the next group is built (pipelined group commit).
		inflight <- l.commitGroup(pending)
	}
}

// finisher waits for each applied group's fsync, in order, then publishes
// it; after a failed sync every later group fails too (the log is broken).
func (l *Log) finisher(inflight <-chan *group, done chan<- struct{}) {
	defer close(done)
	for g := range inflight {
		if g.batch != nil {
			if err := g.batch.SyncWait(); err != nil && g.err == nil {
				g.err = fmt.Errorf("batchlog: sync failed, restart the batcher: %w", err)
				l.setBroken(g.err)
			}
			_ = g.batch.Close()
		}
		if g.err == nil {
			if err := l.brokenErr(); err != nil {
				g.err = err
			}
		}
		l.finish(g)
	}
}

func (l *Log) drainClosed() {
	for {
		select {
		case r := <-l.reqs:
			r.rc <- result{err: ErrClosed}
		default:
			return
		}
	}
}

// group is a batch of submissions written together.
type group struct {
	batch   *pebble.Batch // applied, fsync pending (nil: nothing to wait for)
	reqs    []*request
	results []result
	size    uint64 // tree size once durable
	fresh   uint64
	err     error
}

// commitGroup writes a group of submissions in one pebble batch applied
// with Sync (one fsync for the group). The fsync is pipelined: the batch is
// applied with ApplyNoSyncWait and the finisher waits for its sync (and
// answers the group) while the committer builds the next group; groups are
// answered in order and nothing is answered before it is durable. After a
// failed apply the in-memory tree is rolled back; after a failed apply or
// sync the log refuses appends (and fails the groups behind it) until
// reopened. (Pipelining was first tried when parsing dominated ingest and
// gave nothing; with cheap parsing it gives BenchmarkIngestComposite about
// 10-30 % more entries/s.)
func (l *Log) commitGroup(reqs []*request) *group {
	g := &group{reqs: reqs, results: make([]result, len(reqs))}
	if err := l.brokenErr(); err != nil {
		g.err = err
		return g
	}
	b := l.db.NewBatch()
	closeBatch := true
	defer func() {
		if closeBatch {
			_ = b.Close()
		}
	}()
	l.w.b = b
	defer func() { l.w.b = nil }()
	saved := *l.tree
	start := l.tree.Size()
	inBatch := make(map[[32]byte]int, len(reqs))
	now := l.opts.Now()
	var salts []byte
	var fail error
	for i, r := range reqs {
		if j, ok := inBatch[r.sub.Digest]; ok {
			g.results[i] = g.results[j]
			g.results[i].r.Existing = true
			continue
		}
		if !l.digestMayExist(&r.sub.Digest) {
			// certainly new: no pebble lookup
		} else if idx, leaf, ok, err := l.lookupDigest(r.sub.Digest); err != nil {
			g.results[i].err = err
			continue
		} else if ok {
			g.results[i].r = Receipt{LogID: l.logID, Index: idx, LeafHash: leaf, EnvelopeDigest: r.sub.Digest, Existing: true}
			continue
		}
		if len(salts) < SaltSize {
			// One read and one allocation for the salts of the group.
			salts = make([]byte, SaltSize*(len(reqs)-i))
			if _, err := io.ReadFull(l.opts.Rand, salts); err != nil {
				fail = fmt.Errorf("batchlog: salt: %w", err)
				break
			}
		}
		salt := salts[:SaltSize:SaltSize]
		salts = salts[SaltSize:]
		leaf := LeafHash(salt, r.sub.Envelope)
		idx, err := l.tree.Append(leaf)
		if err != nil {
			fail = fmt.Errorf("batchlog: append: %w", err)
			break
		}
		e := Entry{Index: idx, LeafHash: leaf, EnvelopeDigest: r.sub.Digest, Received: now, Subjects: r.sub.Subjects, Envelope: r.sub.Envelope, Salt: salt}
		// The record is encoded straight into the batch (no copy).
		op := b.SetDeferred(9, entrySize(&e))
		copy(op.Key, entryKey(idx))
		appendEntry(op.Value[:0], &e)
		_ = op.Finish()
		_ = b.Set(digestKey(r.sub.Digest), be64(idx), nil)
		for _, s := range r.sub.Subjects {
			_ = b.Set(subjectKey(s, idx), nil, nil)
		}
		inBatch[r.sub.Digest] = i
		g.results[i].r = Receipt{LogID: l.logID, Index: idx, LeafHash: leaf, EnvelopeDigest: r.sub.Digest}
	}
	g.fresh = l.tree.Size() - start
	g.size = l.tree.Size()
	if fail == nil && g.fresh > 0 {
		_ = b.Set(keySize, be64(g.size), nil)
		var err error
		if l.opts.NoSync {
			err = b.Commit(l.wo)
		} else if err = l.db.ApplyNoSyncWait(b, l.wo); err == nil {
			g.batch, closeBatch = b, false // the finisher waits and closes
		}
		if err != nil {
			// Whether pebble applied part of it is unknown: refuse further
			// appends; a restart recovers the durable prefix.
			fail = fmt.Errorf("batchlog: commit failed, restart the batcher: %w", err)
			l.setBroken(fail)
		}
	}
	if fail != nil {
		*l.tree = saved // nothing of this group was written
		g.err = fail
	} else if g.fresh > 0 {
		l.noteDigests(inBatch)
	}
	return g
}

// finish publishes a committed group's new size and answers its submitters.
func (l *Log) finish(g *group) {
	if g.err != nil {
		for _, r := range g.reqs {
			r.rc <- result{err: g.err}
		}
		return
	}
	if g.fresh > 0 {
		l.size.Store(g.size)
		l.batches.Add(1)
		l.appended.Add(g.fresh)
	}
	for i, r := range g.reqs {
		if g.results[i].err == nil && g.results[i].r.Existing {
			l.duplicates.Add(1)
		}
		r.rc <- g.results[i]
	}
}

func (l *Log) brokenErr() error {
	l.brokenMu.Lock()
	defer l.brokenMu.Unlock()
	return l.broken
}

func (l *Log) setBroken(err error) {
	l.brokenMu.Lock()
	defer l.brokenMu.Unlock()
	if l.broken == nil {
		l.broken = err
	}
}

func (l *Log) lookupDigest(d [32]byte) (uint64, merkle.Hash, bool, error) {
	v, err := l.get(digestKey(d))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, merkle.Hash{}, false, nil
	}
	if err != nil {
		return 0, merkle.Hash{}, false, err
	}
	if len(v) != 8 {
		return 0, merkle.Hash{}, false, fmt.Errorf("%w: digest index value is %d bytes", ErrCorrupt, len(v))
	}
	idx := binary.BigEndian.Uint64(v)
	e, err := l.entry(idx)
	if err != nil {
		return 0, merkle.Hash{}, false, err
	}
	return idx, e.LeafHash, true, nil
}

// LookupDigest returns the index of the entry with this envelope digest.
func (l *Log) LookupDigest(d [32]byte) (uint64, bool, error) {
	idx, _, ok, err := l.lookupDigest(d)
	return idx, ok, err
}

// LeafHash is the leaf of an entry: merkle.LeafHash(SHA-256(salt || envelope)).
func LeafHash(salt, envelope []byte) merkle.Hash {
	h := sha256.New()
	h.Write(salt)
	h.Write(envelope)
	var c [32]byte
	h.Sum(c[:0])
	return merkle.LeafHash(c[:])
}

// Entry returns the entry at index (only durable entries are visible).
func (l *Log) Entry(index uint64) (*Entry, error) {
	if index >= l.Size() {
		return nil, fmt.Errorf("%w: index %d (tree size %d)", ErrNotFound, index, l.Size())
	}
	return l.entry(index)
}

func (l *Log) entry(index uint64) (*Entry, error) {
	v, err := l.get(entryKey(index))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("%w: index %d (tree size %d)", ErrNotFound, index, l.Size())
	}
	if err != nil {
		return nil, err
	}
	return decodeEntry(index, v)
}

// Search returns up to limit indexes of entries with subject sha256, in
// index order, starting at index from.
func (l *Log) Search(subject [32]byte, from uint64, limit int) ([]uint64, error) {
	size := l.Size()
	lo := subjectKey(subject, from)
	hi := append(append([]byte{pfxSubject}, subject[:]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []uint64
	for ok := it.First(); ok && len(out) < limit; ok = it.Next() {
		k := it.Key()
		if len(k) != 1+32+8 {
			continue
		}
		i := binary.BigEndian.Uint64(k[33:])
		if i >= size {
			break // not durable yet
		}
		out = append(out, i)
	}
	return out, it.Error()
}

// GetNode implements merkle.NodeStore over the database.
func (l *Log) GetNode(level uint8, index uint64) (merkle.Hash, error) {
	v, c, err := l.db.Get(nodeKey(level, index))
	if errors.Is(err, pebble.ErrNotFound) {
		return merkle.Hash{}, merkle.ErrNodeNotFound
	}
	if err != nil {
		return merkle.Hash{}, err
	}
	defer c.Close()
	var h merkle.Hash
	if len(v) != len(h) {
		return h, fmt.Errorf("%w: node (%d,%d) is %d bytes", ErrCorrupt, level, index, len(v))
	}
	copy(h[:], v)
	return h, nil
}

// RootAt returns the root of the first size entries (size ≤ Size()).
func (l *Log) RootAt(size uint64) (merkle.Hash, error) {
	if size > l.Size() {
		return merkle.Hash{}, fmt.Errorf("batchlog: root at %d: tree size is %d", size, l.Size())
	}
	return merkle.RootAt(size, l)
}

// InclusionProof proves entry index in the tree of the given size.
func (l *Log) InclusionProof(index, size uint64) ([]merkle.Hash, error) {
	if size > l.Size() {
		return nil, fmt.Errorf("batchlog: proof at %d: tree size is %d", size, l.Size())
	}
	return merkle.InclusionProof(index, size, l)
}

// ConsistencyProof proves the tree of size1 is a prefix of the tree of size2.
func (l *Log) ConsistencyProof(size1, size2 uint64) ([]merkle.Hash, error) {
	if size2 > l.Size() {
		return nil, fmt.Errorf("batchlog: consistency to %d: tree size is %d", size2, l.Size())
	}
	return merkle.ConsistencyProof(size1, size2, l)
}

// Anchored returns the latest anchored root (zero TreeSize if none).
func (l *Log) Anchored() Anchored {
	l.anchorMu.RLock()
	defer l.anchorMu.RUnlock()
	return l.anchored
}

// SetAnchored records (synced) that the root of a.TreeSize was anchored. It
// checks that a.RootHash is this log's root at that size; a smaller size
// than the recorded one is ignored.
func (l *Log) SetAnchored(a Anchored) error {
	root, err := l.RootAt(a.TreeSize)
	if err != nil {
		return err
	}
	if root != a.RootHash {
		return fmt.Errorf("batchlog: anchored root at size %d is %x, the local log's is %x (forked log?)", a.TreeSize, a.RootHash, root)
	}
	l.anchorMu.Lock()
	defer l.anchorMu.Unlock()
	if a.TreeSize < l.anchored.TreeSize {
		return nil
	}
	if err := l.db.Set(keyAnchored, encodeAnchored(a), pebble.Sync); err != nil {
		return fmt.Errorf("batchlog: %w", err)
	}
	l.anchored = a
	return nil
}

// AnchoredProof is an inclusion proof to the latest anchored root.
type AnchoredProof struct {
	Index    uint64
	LeafHash merkle.Hash
	Anchored Anchored
	Proof    []merkle.Hash
}

// ProofToAnchored proves entry index against the latest anchored root;
// ErrNotAnchored if that root does not cover it yet.
func (l *Log) ProofToAnchored(index uint64) (*AnchoredProof, error) {
	e, err := l.Entry(index)
	if err != nil {
		return nil, err
	}
	a := l.Anchored()
	if index >= a.TreeSize {
		return nil, fmt.Errorf("%w: index %d, anchored tree size %d (tree size %d)", ErrNotAnchored, index, a.TreeSize, l.Size())
	}
	p, err := l.InclusionProof(index, a.TreeSize)
	if err != nil {
		return nil, err
	}
	return &AnchoredProof{Index: index, LeafHash: e.LeafHash, Anchored: a, Proof: p}, nil
}

// Erase deletes the envelope and salt of entry index (synced), keeping its
// leaf hash, digest and subjects, so every proof stays valid. It then
// flushes and compacts the entry's key range so the old version leaves the
// sstables. Pebble keeps obsolete WAL files for recycling while it runs, so
// the bytes may linger in one until it is overwritten or the log is
// reopened (Open deletes obsolete WALs; tested).
func (l *Log) Erase(index uint64, reason string) (*Entry, error) {
	l.eraseMu.Lock()
	defer l.eraseMu.Unlock()
	e, err := l.Entry(index)
	if err != nil {
		return nil, err
	}
	if e.Erased {
		return e, fmt.Errorf("%w: index %d at %s (%s)", ErrErased, index, e.ErasedAt.UTC().Format(time.RFC3339), e.EraseReason)
	}
	e.Envelope, e.Salt, e.Erased, e.ErasedAt, e.EraseReason = nil, nil, true, l.opts.Now(), reason
	if err := l.db.Set(entryKey(index), encodeEntry(e), pebble.Sync); err != nil {
		return nil, fmt.Errorf("batchlog: erase: %w", err)
	}
	l.erased.Add(1)
	// Physically drop the old version: flush the memtable (the WAL holding
	// the payload becomes obsolete) and compact the entry's key range.
	if err := l.db.Flush(); err != nil {
		return e, fmt.Errorf("batchlog: erased, but flushing failed: %w", err)
	}
	if err := l.db.Compact(context.Background(), entryKey(index), entryKey(index+1), false); err != nil {
		return e, fmt.Errorf("batchlog: erased, but compacting failed: %w", err)
	}
	return e, nil
}

// batchNodeWriter writes Merkle nodes into the current pebble batch.
type batchNodeWriter struct{ b *pebble.Batch }

func (w *batchNodeWriter) SetNode(level uint8, index uint64, h merkle.Hash) error {
	if w.b == nil {
		return errors.New("batchlog: node write outside a batch")
	}
	return w.b.Set(nodeKey(level, index), h[:], nil)
}

func be64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func entryKey(i uint64) []byte { return append([]byte{pfxEntry}, be64(i)...) }

func digestKey(d [32]byte) []byte { return append([]byte{pfxDigest}, d[:]...) }

func subjectKey(s [32]byte, i uint64) []byte {
	k := make([]byte, 0, 41)
	k = append(k, pfxSubject)
	k = append(k, s[:]...)
	return append(k, be64(i)...)
}

func nodeKey(level uint8, i uint64) []byte {
	return append([]byte{pfxNode, level}, be64(i)...)
}
