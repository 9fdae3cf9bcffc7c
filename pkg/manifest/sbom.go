package manifest

import (
	"strings"

	"github.com/adf-consortium/adf/pkg/purl"
)

// parseCycloneDX reads a CycloneDX JSON BOM (1.2 onwards), walking nested
// components. The BOM's subject (metadata.component) is what was scanned,
// not one of its dependencies, so it is not listed.
func parseCycloneDX(c *collector, content []byte) error {
	root, err := parseJSON(c.path, content)
	if err != nil {
		return err
	}
	if root.kind != 'o' {
		return malformed(c.path, root.line, "CycloneDX: top level is %s, want an object", kindName(root.kind))
	}
	bf, err := c.str(root, "bomFormat")
	if err != nil {
		return err
	}
	if bf != "CycloneDX" {
		return malformedField(c.path, root.line, "bomFormat", "is %q, want \"CycloneDX\"", bf)
	}
	return c.cdxComponents(root.get("components"))
}

func (c *collector) cdxComponents(list *jsonValue) error {
	if err := c.expect(list, 'a'); err != nil || list == nil {
		return err
	}
	for _, comp := range list.vals {
		if comp.kind != 'o' {
			return malformedField(c.path, comp.line, comp.field(), "is %s, want an object", kindName(comp.kind))
		}
		p, err := c.str(comp, "purl")
		if err != nil {
			return err
		}
		name, err := c.str(comp, "name")
		if err != nil {
			return err
		}
		version, err := c.str(comp, "version")
		if err != nil {
			return err
		}
		scope, _, _ := comp.getString("scope")
		c.addPURL(comp.line, p, name, version, scope == "optional" || scope == "excluded")
		if err := c.cdxComponents(comp.get("components")); err != nil {
			return err
		}
	}
	return nil
}

// parseSPDX reads an SPDX 2.x JSON document: each package's purl external
// references name what it is.
func parseSPDX(c *collector, content []byte) error {
	root, err := parseJSON(c.path, content)
	if err != nil {
		return err
	}
	if root.kind != 'o' {
		return malformed(c.path, root.line, "SPDX: top level is %s, want an object", kindName(root.kind))
	}
	sv, err := c.str(root, "spdxVersion")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(sv, "SPDX-2.") {
		return malformedField(c.path, root.line, "spdxVersion", "is %q, want SPDX-2.x", sv)
	}
	pkgs := root.get("packages")
	if err := c.expect(pkgs, 'a'); err != nil || pkgs == nil {
		return err
	}
	for _, p := range pkgs.vals {
		if p.kind != 'o' {
			return malformedField(c.path, p.line, p.field(), "is %s, want an object", kindName(p.kind))
		}
		name, err := c.str(p, "name")
		if err != nil {
			return err
		}
		if name == "" {
			// Some generators wrote the pre-2.2 "packageName".
			name, _, _ = p.getString("packageName")
		}
		if name == "" {
			name, _, _ = p.getString("SPDXID")
		}
		version, err := c.str(p, "versionInfo")
		if err != nil {
			return err
		}
		refs := p.get("externalRefs")
		if err := c.expect(refs, 'a'); err != nil {
			return err
		}
		found := false
		if refs != nil {
			for _, r := range refs.vals {
				if r.kind != 'o' {
					return malformedField(c.path, r.line, r.field(), "is %s, want an object", kindName(r.kind))
				}
				if t, _, _ := r.getString("referenceType"); t != "purl" {
					continue
				}
				loc, err := c.str(r, "referenceLocator")
				if err != nil {
					return err
				}
				found = true
				c.addPURL(r.line, loc, name, version, false)
			}
		}
		if !found {
			c.addPURL(p.line, "", name, version, false)
		}
	}
	return nil
}

// addPURL lists an SBOM entry by its purl, taking the version from the
// entry when the purl has none.
func (c *collector) addPURL(line int, s, name, version string, dev bool) {
	text := s
	if text == "" {
		text = strings.TrimSpace(name + " " + version)
	}
	if s == "" {
		c.problem(line, text, "no purl, ecosystem unknown")
		return
	}
	p, err := purl.Parse(s)
	if err != nil {
		c.problem(line, text, err.Error())
		return
	}
	eco, n, err := p.Ecosystem()
	if err != nil {
		c.problem(line, text, "purl type "+p.Type+" has no OSV ecosystem")
		return
	}
	v := p.Version
	if v == "" {
		v = version
	}
	c.add(eco, n, v, line, dev)
}
