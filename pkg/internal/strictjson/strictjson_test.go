package strictjson

import (
	"errors"
	"strings"
	"testing"
)

func TestObjectFieldsKeepsOrderAndRejectsDuplicates(t *testing.T) {
	fs, err := ObjectFields([]byte(`{"b":1,"a":{"x":[1,2]},"c":"s"}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "b,a,c" || string(fs[1].Value) != `{"x":[1,2]}` {
		t.Fatalf("got %v %s", names, fs[1].Value)
	}
	if _, err := ObjectFields([]byte(`{"a":1,"a":2}`)); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("duplicate key: got %v", err)
	}
	if _, err := ObjectFields([]byte(`[1]`)); err == nil {
		t.Fatal("an array is not an object")
	}
}

func TestCheckNoDuplicateKeysAtDepth(t *testing.T) {
	if err := CheckNoDuplicateKeys([]byte(`{"a":[{"b":1},{"b":2}]}`)); err != nil {
		t.Fatalf("distinct objects may share keys: %v", err)
	}
	err := CheckNoDuplicateKeys([]byte(`{"a":[{"b":1,"b":2}]}`))
	if err == nil || !strings.Contains(err.Error(), "$.a[0]") {
		t.Fatalf("want the path of the duplicate, got %v", err)
	}
}

func TestArrayElemsLimit(t *testing.T) {
	if _, err := ArrayElems([]byte(`[1,2,3]`), 2); !errors.Is(err, ErrTooMany) {
		t.Fatalf("got %v, want ErrTooMany", err)
	}
	es, err := ArrayElems([]byte(`[1,"x"]`), 2)
	if err != nil || len(es) != 2 {
		t.Fatalf("got %v %v", es, err)
	}
}

func TestString(t *testing.T) {
	if s, err := String([]byte(`"a\u00e9"`)); err != nil || s != "aé" {
		t.Fatalf("got %q %v", s, err)
	}
	if _, err := String([]byte(`null`)); err == nil {
		t.Fatal("null is not a string")
	}
}
