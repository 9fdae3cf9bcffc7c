package cti

import (
	"fmt"

	"github.com/adf-consortium/adf/pkg/cti/version"
)

// Affects reports whether version of the package is covered by p: p covers
// all versions, or version equals one of p.Versions under the ecosystem's
// rules (PyPI "1.0" is "1.0.0"; a listed version that the ecosystem's rules
// cannot parse still matches itself byte for byte), or version lies inside
// one of p.Ranges.
//
// Ranges are evaluated as https://ossf.github.io/osv-schema/#evaluation
// says: events ordered by version, "introduced: 0" before every version;
// the version is affected when the last event at or below it is an
// introduced (fixed is exclusive, last_affected inclusive); when a range has
// limit events, only versions below one of them ("*" is no bound) can be
// affected by it. SEMVER ranges are compared as SemVer whatever the
// ecosystem, ECOSYSTEM ranges by the ecosystem's rules. GIT ranges are
// commit hashes, which say nothing about a release version without the
// repository's history, so they never affect one (and are not an error).
//
// Events at the same version apply introduced, then last_affected, then
// fixed: {introduced: X, fixed: X} is empty, {introduced: X,
// last_affected: X} is X alone.
//
// An "introduced: 0" range without closing events covers every version
// without parsing it, so malicious-package advisories match even a version
// the ecosystem's rules reject, or an empty one (version unknown).
//
// The error, if any, is only returned when no range covers the version and
// some range could not be evaluated: version or an event version is not
// valid for the scheme, or the range type is unknown. It names the range.
func (p *PackageMatch) Affects(version string) (bool, error) {
	if p.AllVersions {
		return true, nil
	}
	q := newVersionQuery(p.Ecosystem, version)
	for _, v := range p.Versions {
		if q.equalsListed(v) {
			return true, nil
		}
	}
	var firstErr error
	for i := range p.Ranges {
		ok, err := q.inRange(p.Ranges[i].Type, p.Ranges[i].Events)
		if ok {
			return true, nil
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s/%s ranges[%d]: %w", p.Ecosystem, p.Name, i, err)
		}
	}
	return false, firstErr
}

// versionQuery is one version checked against many listed versions and
// ranges of one ecosystem. It parses the version at most once per scheme and
// only when a comparison needs it.
type versionQuery struct {
	ecosystem string
	scheme    version.Scheme
	raw       string
	parsed    [2]parsedVersion // [0] the ecosystem's scheme, [1] SemVer
	canon     string           // parsed[0]'s Canonical, once computed
	canonDone bool
}

type parsedVersion struct {
	done bool
	v    version.Version
	err  error
}

func newVersionQuery(ecosystem, v string) *versionQuery {
	return &versionQuery{ecosystem: ecosystem, scheme: version.SchemeOf(ecosystem), raw: v}
}

func (q *versionQuery) version(semver bool) (version.Version, error) {
	pv := &q.parsed[0]
	if semver {
		pv = &q.parsed[1]
	}
	if !pv.done {
		pv.done = true
		if semver {
			if pv.v, pv.err = version.SemVer.Parse(q.raw); pv.err != nil {
				pv.err = fmt.Errorf("SEMVER range: %w", pv.err)
			}
		} else {
			pv.v, pv.err = version.Parse(q.ecosystem, q.raw)
		}
	}
	return pv.v, pv.err
}

// equalsListed reports whether listed (an entry of Versions) is the queried
// version: the same bytes, or the same version by the ecosystem's rules.
func (q *versionQuery) equalsListed(listed string) bool {
	if listed == q.raw {
		return true
	}
	v, err := q.version(false)
	if err != nil {
		return false
	}
	l, err := version.Parse(q.ecosystem, listed)
	if err != nil {
		return false
	}
	return v.Compare(l) == 0
}

// equalsCanonical is equalsListed for an entry whose canonical form was
// computed ahead (valid is false when the entry did not parse); the index
// stores entries that way so a lookup does not parse them again.
func (q *versionQuery) equalsCanonical(listed, canonical string, valid bool) bool {
	if listed == q.raw {
		return true
	}
	if !valid {
		return false
	}
	if !q.canonDone {
		q.canonDone = true
		if v, err := q.version(false); err == nil {
			q.canon = v.Canonical()
		}
	}
	return q.parsed[0].err == nil && q.canon == canonical
}

// Event kinds in the order events at the same version are applied.
const (
	evIntroduced = iota
	evLastAffected
	evFixed
	evLimit
	evNone
)

func eventOf(e *Event) (kind int, v string) {
	switch {
	case e.Introduced != "":
		return evIntroduced, e.Introduced
	case e.LastAffected != "":
		return evLastAffected, e.LastAffected
	case e.Fixed != "":
		return evFixed, e.Fixed
	case e.Limit != "":
		return evLimit, e.Limit
	}
	return evNone, ""
}

// inRange evaluates one OSV range (see Affects). Rather than sorting the
// events it keeps the greatest event that applies to the version, which is
// the state a sorted walk would end in, without allocating.
func (q *versionQuery) inRange(typ string, events []Event) (bool, error) {
	semver := false
	switch typ {
	case RangeGit:
		return false, nil
	case RangeSemver:
		semver = true
	case RangeEcosystem:
	default:
		return false, fmt.Errorf("unknown range type %q", typ)
	}
	parse := func(s string) (version.Version, error) {
		if semver {
			v, err := version.SemVer.Parse(s)
			if err != nil {
				return v, fmt.Errorf("SEMVER range: %w", err)
			}
			return v, nil
		}
		return version.Parse(q.ecosystem, s)
	}
	var (
		best      = evNone
		bestZero  bool // best is "introduced: 0"
		bestVer   version.Version
		hasLimit  bool
		belowSome bool
	)
	for i := range events {
		kind, s := eventOf(&events[i])
		if kind == evNone {
			return false, fmt.Errorf("events[%d] is empty", i)
		}
		if kind == evIntroduced && s == "0" {
			if best == evNone {
				best, bestZero = evIntroduced, true
			}
			continue
		}
		if kind == evLimit && s == "*" {
			hasLimit, belowSome = true, true
			continue
		}
		v, err := q.version(semver)
		if err != nil {
			return false, err
		}
		ev, err := parse(s)
		if err != nil {
			return false, fmt.Errorf("events[%d]: %w", i, err)
		}
		c := v.Compare(ev)
		if kind == evLimit {
			hasLimit = true
			belowSome = belowSome || c < 0
			continue
		}
		if c < 0 || c == 0 && kind == evLastAffected {
			continue // the event is above the version: it does not apply yet
		}
		switch {
		case best == evNone || bestZero:
			best, bestZero, bestVer = kind, false, ev
		default:
			if o := ev.Compare(bestVer); o > 0 || o == 0 && kind >= best {
				best, bestVer = kind, ev
			}
		}
	}
	if hasLimit && !belowSome {
		return false, nil
	}
	return best == evIntroduced, nil
}
