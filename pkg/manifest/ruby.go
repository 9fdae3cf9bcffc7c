package manifest

import (
	"regexp"
	"strings"
)

// gemSpec matches a 4-space indented "name (version[-platform])" spec line.
var gemSpec = regexp.MustCompile(`^ {4}([^ ()]+) \(([^()]+)\)$`)

// parseGemfileLock reads the GEM, GIT and PATH sections of Gemfile.lock.
// Gems under GEM come from a gem server; GIT and PATH gems have no registry
// version and become Problems. Bundler writes platform gems as
// "nokogiri (1.13.3-x86_64-linux)"; the platform is not part of the version.
func parseGemfileLock(c *collector, content []byte) error {
	section := ""
	inSpecs := false
	sawSource := false
	for i, raw := range splitLines(content) {
		ln := i + 1
		line := strings.TrimRight(raw, " \t\r")
		if line == "" {
			continue
		}
		if line[0] != ' ' {
			section, inSpecs = line, false
			switch section {
			case "GEM", "GIT", "PATH", "PLUGIN SOURCE":
				sawSource = true
			}
			continue
		}
		if section != "GEM" && section != "GIT" && section != "PATH" && section != "PLUGIN SOURCE" {
			continue
		}
		if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") {
			inSpecs = strings.TrimSpace(line) == "specs:"
			continue
		}
		if !inSpecs || strings.HasPrefix(line, "      ") {
			continue // dependency lines of a spec carry ranges, not versions
		}
		m := gemSpec.FindStringSubmatch(line)
		if m == nil {
			return malformed(c.path, ln, "Gemfile.lock: %q is not a \"name (version)\" spec", strings.TrimSpace(line))
		}
		version, _, _ := strings.Cut(m[2], "-")
		if section != "GEM" {
			c.problem(ln, strings.TrimSpace(line), strings.ToLower(section)+" gem, no registry version")
			continue
		}
		c.add("RubyGems", m[1], version, ln, false)
	}
	if !sawSource {
		return malformed(c.path, 0, "Gemfile.lock: no GEM, GIT or PATH section")
	}
	return nil
}
