package merkle

import (
	"fmt"
	"sync"
)

// NodeStore holds the hashes of complete (perfect) subtrees: level 0 are leaf
// hashes, node (level, index) covers leaves [index<<level, (index+1)<<level).
type NodeStore interface {
	GetNode(level uint8, index uint64) (Hash, error) // ErrNodeNotFound if absent
}

// NodeWriter persists perfect-subtree hashes.
type NodeWriter interface {
	SetNode(level uint8, index uint64, h Hash) error
}

// MemStore is an in-memory NodeStore and NodeWriter, safe for concurrent use.
// Nodes written in index order per level (as Log does) are kept in dense
// slices; out-of-order writes fall back to a map.
type MemStore struct {
	mu     sync.RWMutex
	levels [64][]Hash
	sparse map[nodeKey]Hash
}

type nodeKey struct {
	level uint8
	index uint64
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{} }

// GetNode implements NodeStore.
func (m *MemStore) GetNode(level uint8, index uint64) (Hash, error) {
	if level >= 64 {
		return Hash{}, ErrNodeNotFound
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if lv := m.levels[level]; index < uint64(len(lv)) {
		return lv[index], nil
	}
	if h, ok := m.sparse[nodeKey{level, index}]; ok {
		return h, nil
	}
	return Hash{}, ErrNodeNotFound
}

// SetNode implements NodeWriter.
func (m *MemStore) SetNode(level uint8, index uint64, h Hash) error {
	if level >= 64 {
		return fmt.Errorf("merkle: invalid node level %d", level)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	lv := m.levels[level]
	switch {
	case index < uint64(len(lv)):
		lv[index] = h
	case index == uint64(len(lv)):
		lv = append(lv, h)
		// Absorb any out-of-order writes that are now contiguous.
		for len(m.sparse) > 0 {
			next, ok := m.sparse[nodeKey{level, uint64(len(lv))}]
			if !ok {
				break
			}
			delete(m.sparse, nodeKey{level, uint64(len(lv))})
			lv = append(lv, next)
		}
		m.levels[level] = lv
	default:
		if m.sparse == nil {
			m.sparse = make(map[nodeKey]Hash)
		}
		m.sparse[nodeKey{level, index}] = h
	}
	return nil
}
