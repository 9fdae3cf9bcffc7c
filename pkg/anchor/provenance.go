package anchor

import "sort"

// Bounds of the provenance walk that are not params.
const (
	// MaxProvenanceScan bounds the subject-index entries read per digest.
	MaxProvenanceScan = 256
	// MaxProvenanceSteps bounds the steps returned.
	MaxProvenanceSteps = 1024
)

// Node is an attestation as the provenance walk sees it; Value is the
// registry's own record, handed back in the steps.
type Node[T any] struct {
	Digest    []byte
	Sequence  uint64
	Materials [][]byte
	Value     T
}

// ProvenanceSource is a registry's subject index and provenance links.
type ProvenanceSource[T any] interface {
	// WithSubject returns up to limit attestations with subject d, in any
	// order, and whether the index holds more.
	WithSubject(d []byte, limit int) ([]Node[T], bool, error)
	// Linked reports whether attestation digest used material, which was
	// the subject of an earlier attestation when it was anchored.
	Linked(material, digest []byte) (bool, error)
}

// Step is one attestation of a walk: its depth (0: it has the subject
// asked about) and the materials through which the walk went further.
type Step[T any] struct {
	Node[T]
	Depth           uint32
	LinkedMaterials [][]byte
}

// Provenance walks back from subject: the attestations with that subject
// (depth 0), then, for each attestation, through its provenance links to
// the earlier attestations whose subject is the linked material (depth
// d+1), up to maxDepth levels, following at most fanOut attestations per
// digest (the most recently anchored ones). Only attestations anchored
// before the one being walked from are followed, so the walk always ends.
// The steps are returned in anchoring order (oldest first), e.g. commit →
// build → image → test → deploy; truncated tells whether a bound cut the
// walk short. x/attestation's query and the Fabric chaincode both walk
// with it.
func Provenance[T any](src ProvenanceSource[T], subject []byte, maxDepth uint32, fanOut int) ([]Step[T], bool, error) {
	truncated := false
	// of returns up to fanOut attestations with subject d anchored before
	// seq (0 = any), most recent first.
	of := func(d []byte, before uint64) ([]Node[T], error) {
		all, more, err := src.WithSubject(d, MaxProvenanceScan)
		if err != nil {
			return nil, err
		}
		truncated = truncated || more
		var found []Node[T]
		for _, n := range all {
			if before == 0 || n.Sequence < before {
				found = append(found, n)
			}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Sequence > found[j].Sequence })
		if len(found) > fanOut {
			found, truncated = found[:fanOut], true
		}
		return found, nil
	}
	type item struct {
		n     Node[T]
		depth uint32
	}
	start, err := of(subject, 0)
	if err != nil {
		return nil, false, err
	}
	visited := make(map[string]int, len(start)) // digest → index in steps
	var steps []Step[T]
	var queue []item
	add := func(n Node[T], depth uint32) bool {
		if _, seen := visited[string(n.Digest)]; seen {
			return true
		}
		if len(steps) == MaxProvenanceSteps {
			truncated = true
			return false
		}
		visited[string(n.Digest)] = len(steps)
		steps = append(steps, Step[T]{Node: n, Depth: depth})
		queue = append(queue, item{n, depth})
		return true
	}
	for _, n := range start {
		if !add(n, 0) {
			break
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, m := range it.n.Materials {
			linked, err := src.Linked(m, it.n.Digest)
			if err != nil {
				return nil, false, err
			}
			if !linked {
				continue
			}
			i := visited[string(it.n.Digest)]
			if !containsDigest(steps[i].LinkedMaterials, m) {
				steps[i].LinkedMaterials = append(steps[i].LinkedMaterials, m)
			}
			if it.depth+1 >= maxDepth {
				truncated = true
				continue
			}
			prev, err := of(m, it.n.Sequence)
			if err != nil {
				return nil, false, err
			}
			for _, p := range prev {
				if !add(p, it.depth+1) {
					break
				}
			}
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Sequence < steps[j].Sequence })
	return steps, truncated, nil
}

func containsDigest(list [][]byte, d []byte) bool {
	for _, x := range list {
		if string(x) == string(d) {
			return true
		}
	}
	return false
}
