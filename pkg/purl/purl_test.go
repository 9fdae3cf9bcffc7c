package purl

import (
	"errors"
	"testing"
)

func TestParseEcosystem(t *testing.T) {
	cases := []struct {
		in, eco, name, version, canon string
	}{
		{"pkg:npm/%40angular/core@16.2.0", "npm", "@angular/core", "16.2.0", "pkg:npm/%40angular/core@16.2.0"},
		{"pkg:npm/lodash@4.17.21", "npm", "lodash", "4.17.21", "pkg:npm/lodash@4.17.21"},
		{"pkg:pypi/Django_Rest@3.0", "PyPI", "django-rest", "3.0", "pkg:pypi/django-rest@3.0"},
		{"pkg:golang/github.com/sigstore/sigstore-go@v1.1.0", "Go", "github.com/sigstore/sigstore-go", "v1.1.0", "pkg:golang/github.com/sigstore/sigstore-go@v1.1.0"},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"},
		{"pkg:cargo/serde@1.0.0", "crates.io", "serde", "1.0.0", "pkg:cargo/serde@1.0.0"},
		{"pkg:gem/rails@7.0.0#lib", "RubyGems", "rails", "7.0.0", "pkg:gem/rails@7.0.0#lib"},
		{"PKG:NPM/left-pad", "", "", "", ""}, // scheme is case-sensitive in practice: refused
	}
	for _, c := range cases {
		p, err := Parse(c.in)
		if c.eco == "" {
			if err == nil {
				t.Errorf("Parse(%q) = %+v, want error", c.in, p)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		eco, name, err := p.Ecosystem()
		if err != nil || eco != c.eco || name != c.name || p.Version != c.version {
			t.Errorf("Parse(%q).Ecosystem() = %q %q %q %v, want %q %q %q", c.in, eco, name, p.Version, err, c.eco, c.name, c.version)
		}
		if got := p.String(); got != c.canon {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.canon)
		}
		back, err := FromEcosystem(eco, name, p.Version)
		if err != nil {
			t.Fatalf("FromEcosystem(%q, %q): %v", eco, name, err)
		}
		if e2, n2, _ := back.Ecosystem(); e2 != eco || n2 != name {
			t.Errorf("FromEcosystem round trip of %q gave %q %q", c.in, e2, n2)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "npm/lodash", "pkg:", "pkg:npm", "pkg:npm/", "pkg:npm/lodash@", "pkg:npm/%zz", "pkg:n$m/x", "pkg:npm/x?q"} {
		if _, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) error = %v, want ErrInvalid", in, err)
		}
	}
	p, _ := Parse("pkg:deb/debian/curl@7.0")
	if _, _, err := p.Ecosystem(); err == nil {
		t.Error("deb purl mapped to an OSV ecosystem")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"pkg:npm/%40a/b@1?x=y#s", "pkg:maven/g/a@1", "pkg:pypi/A_b@1.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", p.String(), s, err)
		}
		if q.String() != p.String() {
			t.Fatalf("canonical form not stable: %q -> %q", p.String(), q.String())
		}
	})
}

func TestNormalizePyPI(t *testing.T) {
	for in, want := range map[string]string{"Foo_Bar.baz": "foo-bar-baz", "a--b__c": "a-b-c", "requests": "requests", "Zope.Interface": "zope-interface"} {
		if got := NormalizePyPI(in); got != want {
			t.Errorf("NormalizePyPI(%q) = %q, want %q", in, got, want)
		}
	}
	p, err := Parse("pkg:pypi/Zope.Interface@5.0")
	if err != nil || p.Name != "zope-interface" {
		t.Fatalf("Parse: %+v %v", p, err)
	}
}
