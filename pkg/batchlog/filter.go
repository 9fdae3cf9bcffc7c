package batchlog

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
)

// digestFilter is an in-memory Bloom filter over the envelope digests in
// the log, so that the committer can skip the pebble lookup of a new
// digest (a memtable skiplist seek of several µs per entry) when the
// filter says it is certainly absent. It is built in the background after
// Open from a pebble iterator; until then (and while a larger one is being
// built) every lookup goes to pebble. Bits are set atomically: the builder
// and the committer add concurrently.
type digestFilter struct {
	words    []uint64
	mask     uint64 // number of bits - 1 (a power of two)
	capacity uint64
	count    atomic.Uint64
	ready    atomic.Bool
}

const (
	filterBitsPerEntry = 16 // with 8 probes: about 0.06 % false positives at capacity
	filterProbes       = 8
)

// filterMinCapacity is the smallest filter (2 MiB); tests lower it.
var filterMinCapacity uint64 = 1 << 20

func newDigestFilter(capacity uint64) *digestFilter {
	capacity = max(capacity, filterMinCapacity)
	bits := uint64(1)
	for bits < capacity*filterBitsPerEntry {
		bits <<= 1
	}
	return &digestFilter{words: make([]uint64, bits/64), mask: bits - 1, capacity: capacity}
}

// probes derives the bit positions from the digest (a SHA-256 output, so
// its words are independent and uniform) by double hashing.
func (f *digestFilter) add(d *[32]byte) {
	h1, h2 := binary.LittleEndian.Uint64(d[0:]), binary.LittleEndian.Uint64(d[8:])|1
	for i := uint64(0); i < filterProbes; i++ {
		b := (h1 + i*h2) & f.mask
		atomic.OrUint64(&f.words[b/64], 1<<(b%64))
	}
	f.count.Add(1)
}

// mayContain is false only if d was never added.
func (f *digestFilter) mayContain(d *[32]byte) bool {
	h1, h2 := binary.LittleEndian.Uint64(d[0:]), binary.LittleEndian.Uint64(d[8:])|1
	for i := uint64(0); i < filterProbes; i++ {
		b := (h1 + i*h2) & f.mask
		if atomic.LoadUint64(&f.words[b/64])&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// startFilter installs a new filter for about capacity digests and fills it
// in the background from the database; the committer adds every digest it
// commits from now on, so nothing committed meanwhile is missed (the
// iterator is opened after the filter is visible to the committer).
func (l *Log) startFilter(capacity uint64) {
	f := newDigestFilter(capacity)
	l.filter.Store(f)
	l.filterWG.Add(1)
	go func() {
		defer l.filterWG.Done()
		it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: []byte{pfxDigest}, UpperBound: []byte{pfxDigest + 1}})
		if err != nil {
			return // stays not ready: every lookup asks pebble
		}
		defer it.Close()
		var d [32]byte
		for ok := it.First(); ok; ok = it.Next() {
			select {
			case <-l.quit:
				return
			default:
			}
			if k := it.Key(); len(k) == 33 {
				copy(d[:], k[1:])
				f.add(&d)
			}
		}
		if it.Error() == nil {
			f.ready.Store(true)
		}
	}()
}

// digestMayExist reports whether the committer must look d up in pebble.
func (l *Log) digestMayExist(d *[32]byte) bool {
	f := l.filter.Load()
	return f == nil || !f.ready.Load() || f.mayContain(d)
}

// noteDigests adds committed digests to the filter and starts a larger
// one when it is full (the committer calls it; the quit check keeps Close
// from racing a new builder).
func (l *Log) noteDigests(ds map[[32]byte]int) {
	f := l.filter.Load()
	if f == nil {
		return
	}
	for d := range ds {
		f.add(&d)
	}
	if f.ready.Load() && f.count.Load() > f.capacity {
		select {
		case <-l.quit:
		default:
			l.startFilter(2 * f.capacity)
		}
	}
}
