package principal

import (
	"errors"
	"testing"
	"time"
)

func TestSplitID(t *testing.T) {
	if org, name, err := SplitID("acme/ci-bot"); err != nil || org != "acme" || name != "ci-bot" {
		t.Fatalf("got %q %q %v", org, name, err)
	}
	for _, id := range []string{"acme", "A/b", "acme/", "a/b", "acme/B", "acme/x y"} {
		if _, _, err := SplitID(id); !errors.Is(err, ErrInvalidPrincipalID) {
			t.Errorf("%q: %v", id, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	r, err := NormalizeRoles([]string{"release", "builder"}, 4)
	if err != nil || r[0] != "builder" {
		t.Fatalf("%v %v", r, err)
	}
	if _, err := NormalizeRoles([]string{"a", "a"}, 4); !errors.Is(err, ErrInvalidRoles) {
		t.Fatal(err)
	}
	if _, err := NormalizeRoles([]string{"a", "b"}, 1); !errors.Is(err, ErrInvalidRoles) {
		t.Fatal(err)
	}
	if s, err := NormalizeKeyScopes(nil); s != nil || err != nil {
		t.Fatal(s, err)
	}
	if _, err := NormalizeKeyScopes([]string{"a*"}); !errors.Is(err, ErrInvalidScope) {
		t.Fatal(err)
	}
}

func TestKeyWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	nb, na, err := KeyWindow(time.Time{}, now.Add(time.Hour), now, day, day)
	if err != nil || !nb.Equal(now) || !na.Equal(now.Add(time.Hour)) {
		t.Fatal(nb, na, err)
	}
	bad := []struct{ nb, na time.Time }{
		{now.Add(time.Hour), now.Add(time.Hour)},               // empty
		{now.Add(-2 * time.Hour), now.Add(-time.Hour)},         // ended
		{now, now.Add(day + time.Second)},                      // too long
		{now.Add(day + time.Hour), now.Add(day + 2*time.Hour)}, // starts too late
	}
	for i, b := range bad {
		if _, _, err := KeyWindow(b.nb, b.na, now, day, day); !errors.Is(err, ErrInvalidValidity) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	if OutsideWindow("k", now, now.Add(time.Hour), now) != "" || OutsideWindow("k", now, now.Add(time.Hour), now.Add(time.Hour)) == "" ||
		OutsideWindow("k", now, now.Add(time.Hour), now.Add(-1)) == "" {
		t.Fatal("window bounds")
	}
	if len(KeyAddress([]byte("pk"))) != KeyAddressLength {
		t.Fatal("address length")
	}
}
