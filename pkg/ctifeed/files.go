package ctifeed

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxFileSize bounds one feed file. The whole MITRE ATT&CK enterprise
// bundle is about 50 MB; anything far above that is more likely a mistake
// than a feed.
const MaxFileSize = 256 << 20

// ParseFiles translates files and directories in format f and merges the
// results. A directory contributes every *.json file below it, in lexical
// order, so the same tree always gives the same result; a file named
// explicitly is read whatever its name. A source id that two files both
// publish (or one publishes and another revokes) is an error naming both
// files; a revocation repeated across files is collapsed.
func ParseFiles(f Format, paths []string) (*Result, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, feedErr(p, "", "%v", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(q), ".json") {
				files = append(files, q)
			}
			return nil
		})
		if err != nil {
			return nil, feedErr(p, "", "walking directory: %v", err)
		}
	}

	out := &Result{}
	from := map[string]string{}    // source id -> file that published it
	revFrom := map[string]string{} // source id -> file that revoked it
	for _, file := range files {
		data, err := readFile(file)
		if err != nil {
			return nil, err
		}
		r, err := Parse(f, file, data)
		if err != nil {
			return nil, err
		}
		for _, in := range r.Indicators {
			if prev, dup := from[in.SourceID]; dup {
				return nil, feedErr(file, in.SourceID, "duplicate source id: also in %s", prev)
			}
			if prev, dup := revFrom[in.SourceID]; dup {
				return nil, feedErr(file, in.SourceID, "published here but revoked in %s", prev)
			}
			from[in.SourceID] = file
			out.Indicators = append(out.Indicators, in)
		}
		for i, sid := range r.RevokedSources {
			if prev, dup := from[sid]; dup {
				return nil, feedErr(file, sid, "revoked here but published in %s", prev)
			}
			if _, dup := revFrom[sid]; dup {
				continue
			}
			revFrom[sid] = file
			out.Revoked = append(out.Revoked, r.Revoked[i])
			out.RevokedSources = append(out.RevokedSources, sid)
		}
		out.Skipped = append(out.Skipped, r.Skipped...)
		for typ, n := range r.Ignored {
			if out.Ignored == nil {
				out.Ignored = map[string]int{}
			}
			out.Ignored[typ] += n
		}
	}
	return out, nil
}

func readFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, feedErr(path, "", "%v", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, feedErr(path, "", "reading: %v", err)
	}
	if len(data) > MaxFileSize {
		return nil, feedErr(path, "", "larger than %d bytes", MaxFileSize)
	}
	return data, nil
}
