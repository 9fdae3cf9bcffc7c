// Package keystore keeps adf's short-lived keys on the local machine: one
// JSON file per key in a directory only its owner may read (~/.adf/keys by
// default). Private keys never leave it; the chain learns only public keys.
package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// FormatVersion is the version of the key file layout.
const FormatVersion = 1

// Entry is one key file.
type Entry struct {
	Version   int    `json:"version"`
	Name      string `json:"name"`
	Algorithm string `json:"algorithm"`
	// PrivateKey is the sigscheme seed encoding (sigscheme.PrivateKey.Bytes).
	PrivateKey []byte `json:"private_key"`
	// PublicKey is the "<alg>:<base64>" text form, for humans and checks.
	PublicKey string `json:"public_key"`
	// Address is the key's account address (its id on chain).
	Address   string    `json:"address"`
	Principal string    `json:"principal,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	ChainID   string    `json:"chain_id,omitempty"`
	Created   time.Time `json:"created"`
}

// Key decodes the private key and checks it against the recorded public key.
func (e *Entry) Key() (sigscheme.PrivateKey, error) {
	alg, err := sigscheme.ParseAlgorithm(e.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", e.Name, err)
	}
	sk, err := sigscheme.ParsePrivateKey(alg, e.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", e.Name, err)
	}
	if e.PublicKey != "" && sigscheme.FormatPublicKey(sk.Public()) != e.PublicKey {
		return nil, fmt.Errorf("key %q: the private key does not match the recorded public key (file corrupted?)", e.Name)
	}
	return sk, nil
}

// Store is a key directory.
type Store struct{ Dir string }

// DefaultDir is ~/.adf/keys.
func DefaultDir() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(".adf", "keys")
	}
	return filepath.Join(home, ".adf", "keys")
}

// New returns the store at dir (DefaultDir when empty).
func New(dir string) *Store {
	if dir == "" {
		dir = DefaultDir()
	}
	return &Store{Dir: dir}
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName checks a key name: 1-64 of [A-Za-z0-9._-], not starting with
// a dot or dash (so it is a plain file name on every OS).
func ValidName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("key name %q: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// ErrNotFound is returned for a key that is not in the store.
var ErrNotFound = errors.New("key not found")

// ErrExists is returned when saving over an existing key.
var ErrExists = errors.New("key already exists")

func (s *Store) path(name string) string { return filepath.Join(s.Dir, name+".json") }

// ensureDir creates the directory 0700, or checks an existing one is not
// open to group or others.
func (s *Store) ensureDir() error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("key directory %s: %w", s.Dir, err)
	}
	return s.checkDir()
}

func (s *Store) checkDir() error {
	st, err := os.Stat(s.Dir)
	if err != nil {
		return fmt.Errorf("key directory %s: %w", s.Dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("key directory %s is not a directory", s.Dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("key directory %s has mode %04o: others can reach the private keys; run chmod 700 %s", s.Dir, st.Mode().Perm(), s.Dir)
	}
	return nil
}

// Save writes a new key file (0600). It refuses to overwrite.
func (s *Store) Save(e *Entry) error {
	if err := ValidName(e.Name); err != nil {
		return err
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	if e.Version == 0 {
		e.Version = FormatVersion
	}
	bz, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	p := s.path(e.Name)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s (choose another --name, or delete the file if the key is no longer needed)", ErrExists, p)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if _, err := f.Write(append(bz, '\n')); err != nil {
		f.Close()
		os.Remove(p)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(p)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return f.Close()
}

// Delete removes a key file.
func (s *Store) Delete(name string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	err := os.Remove(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotFound, s.path(name))
	}
	return err
}

// Load reads a key by name, refusing files (or a directory) that group or
// others can read or write.
func (s *Store) Load(name string) (*Entry, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	p := s.path(name)
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no key %q in %s", ErrNotFound, name, s.Dir)
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkDir(); err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %04o: group or others can read it; refusing to use it (run chmod 600 %s, and consider the key compromised if others had access)", p, st.Mode().Perm(), p)
	}
	bz, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(bz, &e); err != nil {
		return nil, fmt.Errorf("key file %s: %w", p, err)
	}
	if e.Version != FormatVersion {
		return nil, fmt.Errorf("key file %s: format version %d, this adf reads %d", p, e.Version, FormatVersion)
	}
	if e.Name != name {
		return nil, fmt.Errorf("key file %s names key %q, not %q", p, e.Name, name)
	}
	return &e, nil
}

// Find loads a key by name, or by address when nameOrAddr is a bech32
// address of a stored key.
func (s *Store) Find(nameOrAddr string) (*Entry, error) {
	if ValidName(nameOrAddr) == nil {
		e, err := s.Load(nameOrAddr)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return e, err
		}
	}
	entries, err := s.List()
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.EqualFold(e.Address, nameOrAddr) {
			return s.Load(e.Name)
		}
	}
	return nil, fmt.Errorf("%w: no key named or with address %q in %s", ErrNotFound, nameOrAddr, s.Dir)
}

// List returns every readable key in the store, sorted by name. Files that
// fail the permission check are skipped silently here; Load reports them.
func (s *Store) List() ([]*Entry, error) {
	des, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, de := range des {
		n := de.Name()
		if de.IsDir() || !strings.HasSuffix(n, ".json") {
			continue
		}
		e, err := s.Load(strings.TrimSuffix(n, ".json"))
		if err != nil {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ListErrors returns, for each key file List skipped, why.
func (s *Store) ListErrors() map[string]error {
	out := map[string]error{}
	des, err := os.ReadDir(s.Dir)
	if err != nil {
		return out
	}
	for _, de := range des {
		n := de.Name()
		if de.IsDir() || !strings.HasSuffix(n, ".json") {
			continue
		}
		if _, err := s.Load(strings.TrimSuffix(n, ".json")); err != nil {
			out[n] = err
		}
	}
	return out
}
