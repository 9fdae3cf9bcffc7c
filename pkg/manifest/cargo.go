package manifest

import (
	"errors"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

type cargoLock struct {
	Version *int `toml:"version"`
	Package []struct {
		Name    string `toml:"name"`
		Version string `toml:"version"`
		Source  string `toml:"source"`
	} `toml:"package"`
	Metadata map[string]any `toml:"metadata"`
}

// parseCargoLock reads Cargo.lock (v1-v4). Packages without a source are the
// workspace's own crates or path dependencies; git sources have no registry
// version. Both are Problems so that the gate can say what it did not check.
func parseCargoLock(c *collector, content []byte) error {
	var lock cargoLock
	if err := decodeTOML(c.path, content, &lock); err != nil {
		return err
	}
	if lock.Version == nil && len(lock.Package) == 0 && lock.Metadata == nil {
		return malformed(c.path, 0, "Cargo.lock: no version, [[package]] or [metadata]")
	}
	lines := tomlHeaderLines(content, "[[package]]")
	if len(lines) != len(lock.Package) {
		lines = nil
	}
	for i, p := range lock.Package {
		ln := lineAt(lines, i)
		if p.Name == "" || p.Version == "" {
			return malformedField(c.path, ln, "package["+itoa(i)+"]", "Cargo.lock: package has no name or version")
		}
		switch {
		case hasAnyPrefix(p.Source, "registry+", "sparse+"):
			c.add("crates.io", p.Name, p.Version, ln, false)
		case p.Source == "":
			c.problem(ln, p.Name+" "+p.Version, "local crate (workspace member or path dependency), no registry version")
		default:
			c.problem(ln, p.Name+" "+p.Version, "source "+p.Source+" is not a registry, no registry version")
		}
	}
	return nil
}

// decodeTOML unmarshals content and turns the library's errors (and, as a
// last resort, its panics) into ParseErrors with a line.
func decodeTOML(path string, content []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = malformed(path, 0, "TOML: parser failed: %v", r)
		}
	}()
	if err := toml.Unmarshal(content, v); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return malformed(path, row, "TOML: %s", strings.TrimPrefix(de.Error(), "toml: "))
		}
		return malformed(path, 0, "TOML: %s", strings.TrimPrefix(err.Error(), "toml: "))
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
