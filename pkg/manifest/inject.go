package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/adf-consortium/adf/pkg/purl"
)

// Inject returns a copy of content, a manifest in format f, with one more
// dependency ecosystem/name@version written in that format's own syntax.
// It exists for tests: it lets an end-to-end test plant a known-malicious
// package in a real lockfile and check that the gate stops it. Text formats
// are edited in place (the rest of the file is kept byte for byte); hashes
// and checksums in the added entry are well-formed but fake.
func Inject(f Format, content []byte, ecosystem, name, version string) ([]byte, error) {
	if name == "" || version == "" {
		return nil, fmt.Errorf("inject: empty name or version")
	}
	if strings.ContainsAny(name+version, "\"'\n\r\\ ") {
		return nil, fmt.Errorf("inject: name or version contains quotes, spaces or line breaks")
	}
	want := map[Format]string{
		GoMod: "Go", GoSum: "Go", PackageLock: "npm", YarnLock: "npm", PnpmLock: "npm",
		Requirements: "PyPI", PoetryLock: "PyPI", UVLock: "PyPI", PipfileLock: "PyPI",
		CargoLock: "crates.io", GemfileLock: "RubyGems",
	}
	if w, ok := want[f]; ok && w != ecosystem {
		return nil, fmt.Errorf("inject: %s lists %s packages, not %s", f, w, ecosystem)
	}
	p, err := purl.FromEcosystem(ecosystem, name, version)
	if err != nil {
		return nil, fmt.Errorf("inject: %w", err)
	}
	content = trimBOM(content)
	c := string(content)
	if c != "" && !strings.HasSuffix(c, "\n") {
		c += "\n"
	}
	sum := sha256.Sum256([]byte(ecosystem + name + version))
	switch f {
	case GoMod:
		return []byte(c + "\nrequire " + name + " " + version + "\n"), nil
	case GoSum:
		h := base64.StdEncoding.EncodeToString(sum[:])
		return []byte(c + name + " " + version + " h1:" + h + "\n" + name + " " + version + "/go.mod h1:" + h + "\n"), nil
	case Requirements:
		return []byte(c + name + "==" + version + "\n"), nil
	case PoetryLock:
		return []byte(c + "\n[[package]]\nname = \"" + name + "\"\nversion = \"" + version +
			"\"\ndescription = \"\"\noptional = false\npython-versions = \"*\"\ngroups = [\"main\"]\nfiles = []\n"), nil
	case UVLock:
		return []byte(injectUVRoot(c, name) + "\n[[package]]\nname = \"" + name + "\"\nversion = \"" + version +
			"\"\nsource = { registry = \"https://pypi.org/simple\" }\n"), nil
	case CargoLock:
		return []byte(c + "\n[[package]]\nname = \"" + name + "\"\nversion = \"" + version +
			"\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"" + hex.EncodeToString(sum[:]) + "\"\n"), nil
	case GemfileLock:
		return injectGem(c, name, version), nil
	case YarnLock:
		return injectYarn(c, name, version, sum[:]), nil
	case PnpmLock:
		return injectPnpm(c, name, version, sum[:])
	case PackageLock:
		return injectPackageLock(content, name, version, sum[:])
	case PipfileLock:
		entry, _ := json.Marshal(map[string]any{"version": "==" + version, "hashes": []string{"sha256:" + hex.EncodeToString(sum[:])}})
		return injectJSONMember(content, []string{"default"}, name, entry)
	case CycloneDX:
		entry, _ := json.Marshal(map[string]string{"type": "library", "name": name, "version": version, "purl": p.String(), "bom-ref": p.String()})
		return injectJSONElement(content, "components", entry)
	case SPDX:
		entry, _ := json.Marshal(map[string]any{
			"SPDXID": "SPDXRef-Package-injected-" + hex.EncodeToString(sum[:8]), "name": name, "versionInfo": version,
			"downloadLocation": "NOASSERTION", "filesAnalyzed": false,
			"externalRefs": []map[string]string{{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.String()}},
		})
		return injectJSONElement(content, "packages", entry)
	}
	return nil, fmt.Errorf("inject: %w %q", ErrUnknownFormat, f)
}

func npmTarballURL(name, version string) string {
	base := name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		base = name[i+1:]
	}
	return "https://registry.npmjs.org/" + name + "/-/" + base + "-" + version + ".tgz"
}

// injectUVRoot makes the project's own package depend on name, so that the
// injected package is a production dependency rather than an orphan (which
// the parser would count as dev).
func injectUVRoot(c, name string) string {
	root := regexp.MustCompile(`(?m)^source = \{ (virtual|editable) = "\." \}\n`).FindStringIndex(c)
	if root == nil {
		return c
	}
	end := len(c)
	if next := regexp.MustCompile(`(?m)^\[`).FindStringIndex(c[root[1]:]); next != nil {
		end = root[1] + next[0]
	}
	dep := "    { name = \"" + name + "\" },\n"
	if d := regexp.MustCompile(`(?m)^dependencies = \[\n`).FindStringIndex(c[root[1]:end]); d != nil {
		at := root[1] + d[1]
		return c[:at] + dep + c[at:]
	}
	return c[:root[1]] + "dependencies = [\n" + dep + "]\n" + c[root[1]:]
}

func injectGem(c, name, version string) []byte {
	spec := "    " + name + " (" + version + ")\n"
	re := regexp.MustCompile(`(?m)^GEM\n(?:  .*\n)*?  specs:\n`)
	if loc := re.FindStringIndex(c); loc != nil {
		return []byte(c[:loc[1]] + spec + c[loc[1]:])
	}
	return []byte("GEM\n  remote: https://rubygems.org/\n  specs:\n" + spec + "\n" + c)
}

func injectYarn(c, name, version string, sum []byte) []byte {
	integrity := "sha512-" + base64.StdEncoding.EncodeToString(append(sum, sum...))
	if berryMetadata.MatchString(c) {
		return []byte(c + "\n\"" + name + "@npm:" + version + "\":\n  version: " + version +
			"\n  resolution: \"" + name + "@npm:" + version + "\"\n  checksum: " + hex.EncodeToString(append(sum, sum...)) +
			"\n  languageName: node\n  linkType: hard\n")
	}
	return []byte(c + "\n\"" + name + "@" + version + "\":\n  version \"" + version + "\"\n  resolved \"" +
		npmTarballURL(name, version) + "\"\n  integrity " + integrity + "\n")
}

func injectPnpm(c, name, version string, sum []byte) ([]byte, error) {
	root, err := parseYAML("", []byte(c))
	if err != nil {
		return nil, err
	}
	major, err := pnpmMajor(yamlScalar(yamlGet(root, "lockfileVersion")))
	if err != nil {
		return nil, fmt.Errorf("inject: pnpm-lock has no usable lockfileVersion")
	}
	key := "'" + name + "@" + version + "'"
	switch {
	case major < 6:
		key = "/" + name + "/" + version
	case major < 9:
		key = "/" + name + "@" + version
	}
	entry := "  " + key + ":\n    resolution: {integrity: sha512-" + base64.StdEncoding.EncodeToString(append(sum, sum...)) + "}\n"
	if major < 9 {
		entry += "    dev: false\n"
	}
	entry += "\n"
	re := regexp.MustCompile(`(?m)^packages:[ \t]*(\{\})?[ \t]*\n\n?`)
	if loc := re.FindStringIndex(c); loc != nil {
		return []byte(c[:loc[0]] + "packages:\n\n" + entry + c[loc[1]:]), nil
	}
	return []byte(c + "\npackages:\n\n" + entry), nil
}

func injectPackageLock(content []byte, name, version string, sum []byte) ([]byte, error) {
	root, err := parseJSON("", content)
	if err != nil {
		return nil, err
	}
	e := map[string]any{
		"version":   version,
		"resolved":  npmTarballURL(name, version),
		"integrity": "sha512-" + base64.StdEncoding.EncodeToString(append(sum, sum...)),
	}
	entry, _ := json.Marshal(e)
	if pk := root.get("packages"); pk != nil && pk.kind == 'o' {
		return injectJSONMember(content, []string{"packages"}, "node_modules/"+name, entry)
	}
	return injectJSONMember(content, []string{"dependencies"}, name, entry)
}

// injectJSONMember adds "key": entry as the first member of the object at
// path, creating the object at the top level if it is missing.
func injectJSONMember(content []byte, path []string, key string, entry []byte) ([]byte, error) {
	root, err := parseJSON("", content)
	if err != nil {
		return nil, err
	}
	if root.kind != 'o' {
		return nil, fmt.Errorf("inject: top level is not an object")
	}
	k, _ := json.Marshal(key)
	member := append(append(k, ':'), entry...)
	obj := root
	for _, p := range path {
		next := obj.get(p)
		if next == nil {
			pk, _ := json.Marshal(p)
			wrapped := append(append(pk, []byte(":{")...), append(member, '}')...)
			return insertAfterOpen(content, obj, wrapped), nil
		}
		if next.kind != 'o' {
			return nil, fmt.Errorf("inject: %s is not an object", p)
		}
		obj = next
	}
	return insertAfterOpen(content, obj, member), nil
}

// injectJSONElement adds entry as the first element of the top-level array
// key, creating it if it is missing.
func injectJSONElement(content []byte, key string, entry []byte) ([]byte, error) {
	root, err := parseJSON("", content)
	if err != nil {
		return nil, err
	}
	if root.kind != 'o' {
		return nil, fmt.Errorf("inject: top level is not an object")
	}
	arr := root.get(key)
	if arr == nil {
		k, _ := json.Marshal(key)
		return insertAfterOpen(content, root, append(append(k, ":["...), append(entry, ']')...)), nil
	}
	if arr.kind != 'a' {
		return nil, fmt.Errorf("inject: %s is not an array", key)
	}
	return insertAfterOpen(content, arr, entry), nil
}

// insertAfterOpen writes item right after the '{' or '[' of v, followed by a
// comma when v already has members.
func insertAfterOpen(content []byte, v *jsonValue, item []byte) []byte {
	var b bytes.Buffer
	b.Write(content[:v.open])
	b.WriteString("\n")
	b.Write(item)
	if len(v.vals) > 0 {
		b.WriteByte(',')
	}
	b.Write(content[v.open:])
	return b.Bytes()
}
