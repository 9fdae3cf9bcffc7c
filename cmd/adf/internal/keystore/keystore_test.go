package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

func newEntry(t *testing.T, name string, alg sigscheme.Algorithm) *Entry {
	t.Helper()
	sk, err := sigscheme.GenerateKey(alg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Entry{Name: name, Algorithm: string(alg), PrivateKey: sk.Bytes(), PublicKey: sigscheme.FormatPublicKey(sk.Public()),
		Address: "adf1" + name, Principal: "acme/ci-1", NotAfter: time.Now().Add(time.Hour).UTC().Truncate(time.Second), Created: time.Now().UTC()}
}

func TestSaveLoadRoundTripAndPermissions(t *testing.T) {
	s := New(filepath.Join(t.TempDir(), "keys"))
	for _, alg := range sigscheme.Algorithms() {
		e := newEntry(t, "k-"+string(alg), alg)
		if err := s.Save(e); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(s.path(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: file mode %04o, want 0600", alg, st.Mode().Perm())
		}
		got, err := s.Load(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		sk, err := got.Key()
		if err != nil {
			t.Fatal(err)
		}
		if sigscheme.FormatPublicKey(sk.Public()) != e.PublicKey || !got.NotAfter.Equal(e.NotAfter) || got.Principal != e.Principal {
			t.Errorf("%s: round trip changed the entry: %+v", alg, got)
		}
	}
	st, err := os.Stat(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %04o, want 0700", st.Mode().Perm())
	}
	list, err := s.List()
	if err != nil || len(list) != 3 {
		t.Fatalf("List: %d keys, %v", len(list), err)
	}
	if e, err := s.Find(list[0].Address); err != nil || e.Name != list[0].Name {
		t.Fatalf("Find by address: %v %v", e, err)
	}
}

func TestSaveRefusesOverwrite(t *testing.T) {
	s := New(t.TempDir() + "/keys")
	e := newEntry(t, "ci", sigscheme.Ed25519)
	if err := s.Save(e); err != nil {
		t.Fatal(err)
	}
	e2 := newEntry(t, "ci", sigscheme.Ed25519)
	if err := s.Save(e2); !errors.Is(err, ErrExists) {
		t.Fatalf("second Save: %v, want ErrExists", err)
	}
	got, err := s.Load("ci")
	if err != nil || got.PublicKey != e.PublicKey {
		t.Fatalf("the first key was changed: %v", err)
	}
}

func TestLoadRefusesReadableFiles(t *testing.T) {
	s := New(t.TempDir() + "/keys")
	e := newEntry(t, "ci", sigscheme.Ed25519)
	if err := s.Save(e); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.path("ci"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("ci"); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable file: %v, want a refusal naming chmod 600", err)
	}
	if err := os.Chmod(s.path("ci"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("ci"); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("open directory: %v, want a refusal naming chmod 700", err)
	}
}

func TestNamesAndCorruption(t *testing.T) {
	for _, bad := range []string{"", "../x", ".hidden", "a/b", strings.Repeat("x", 65), "-flag"} {
		if ValidName(bad) == nil {
			t.Errorf("ValidName(%q) accepted", bad)
		}
	}
	s := New(t.TempDir() + "/keys")
	e := newEntry(t, "ci", sigscheme.MLDSA65)
	other := newEntry(t, "x", sigscheme.MLDSA65)
	e.PublicKey = other.PublicKey
	if err := s.Save(e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("ci")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.Key(); err == nil {
		t.Fatal("a key file whose private and public keys disagree was accepted")
	}
	if _, err := s.Load("missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
}
