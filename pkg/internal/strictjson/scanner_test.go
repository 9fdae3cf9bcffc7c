package strictjson

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzScannerMatchesEncodingJSON: the scanner accepts exactly the JSON texts
// encoding/json accepts, and decodes strings to the same values.
func FuzzScannerMatchesEncodingJSON(f *testing.F) {
	for _, glob := range []string{"../../dsse/testdata/*.json", "../../intoto/testdata/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{``, ` `, `{}`, `[]`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{,}`, `[,1]`, `01`, `-0`, `-`, `1.`, `1.5e`, `1e+5`,
		`"\u00e9\ud83d\ude00\ud800x"`, `"\x"`, `"\u12"`, "\"\x01\"", "\"\xff\"", `"a\/b"`, `tru`, `nul`, `null `, `[1 2]`,
		`{"a":{"b":[1,{"c":null}]}}`, `"\\"`, `1 2`, `{"a":1}x`, `[[[[]]]]`, `1e5x`, `0.0e-0`, "[1\n,\t2]", `"\'"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewScanner(data)
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("scanner says %v, encoding/json valid=%v for %q", err, valid, data)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) && !strings.Contains(err.Error(), "trailing data") {
				t.Fatalf("error %v is not a SyntaxError", err)
			}
		}
		var want string
		if tr := strings.TrimLeft(string(data), " \t\r\n"); strings.HasPrefix(tr, `"`) && json.Unmarshal(data, &want) == nil {
			got, err := String(data)
			if err != nil || got != want {
				t.Fatalf("String(%q) = %q, %v; encoding/json: %q", data, got, err, want)
			}
		}
		// Duplicate keys: compare with a generic decode of each object's keys.
		if err == nil {
			if derr := CheckNoDuplicateKeys(data); derr != nil && !strings.Contains(derr.Error(), "duplicate key") && !strings.Contains(derr.Error(), "nested deeper") {
				t.Fatalf("CheckNoDuplicateKeys(%q) = %v on valid JSON", data, derr)
			}
		}
	})
}

func TestScannerErrorsNameTheProblem(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,}`:              "invalid JSON",
		`{"a":1`:                "unexpected end of input",
		`[1 2]`:                 "after array element",
		`{"a":[{"b":1,"b":2}]}`: `duplicate key "b" at $.a[0]`,
		`{"a":[{"b":tru}]}`:     `invalid JSON at $.a[0].b`,
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1): "nested deeper than 128",
	} {
		err := CheckNoDuplicateKeys([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
	if err := CheckNoDuplicateKeys([]byte(strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth))); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
}

func FuzzAppendStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\/", "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029é😀", "\xff\xfe", "<>&", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(buf.String(), "\n")
		if got := string(AppendString(nil, s)); got != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json %s", s, got, want)
		}
		if got := string(AppendString(nil, []byte(s))); got != want {
			t.Fatalf("AppendString([]byte %q) = %s, encoding/json %s", s, got, want)
		}
	})
}
