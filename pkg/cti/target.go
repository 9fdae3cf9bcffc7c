package cti

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/adf-consortium/adf/pkg/purl"
)

var indicatorIDRe = regexp.MustCompile(`^ind-[0-9a-f]{32}$`)

// ValidIndicatorID reports whether id has the form IDFor produces.
func ValidIndicatorID(id string) bool { return indicatorIDRe.MatchString(id) }

// ValidateExceptionTarget accepts an indicator id or a canonical purl with
// or without version, of a type that maps to an OSV ecosystem. Canonical
// form is required so that comparing targets with the gate's purls is a
// string comparison every member does alike.
func ValidateExceptionTarget(target string) error {
	if strings.HasPrefix(target, "ind-") {
		if !ValidIndicatorID(target) {
			return fmt.Errorf("%q is not an indicator id (ind- and 32 hex digits)", target)
		}
		return nil
	}
	p, err := purl.Parse(target)
	if err != nil {
		return err
	}
	if _, _, err := p.Ecosystem(); err != nil {
		return err
	}
	if len(p.Qualifiers) > 0 || p.Subpath != "" {
		return fmt.Errorf("%q: exceptions name a package (and version), without qualifiers or subpath", target)
	}
	if c := p.String(); c != target {
		return fmt.Errorf("%q is not in canonical form %q", target, c)
	}
	return nil
}
