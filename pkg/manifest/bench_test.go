package manifest

import (
	"bytes"
	"fmt"
	"testing"
)

// bigPackageLock builds a lockfile v3 with n packages, a tenth of them
// scoped and a tenth nested, shaped like what npm writes.
func bigPackageLock(n int) []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"name\": \"bench\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n")
	b.WriteString("    \"\": {\n      \"name\": \"bench\",\n      \"version\": \"1.0.0\"\n    }")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("pkg-%d", i)
		key := "node_modules/" + name
		switch {
		case i%10 == 1:
			name = fmt.Sprintf("@scope%d/pkg-%d", i%7, i)
			key = "node_modules/" + name
		case i%10 == 2:
			key = fmt.Sprintf("node_modules/pkg-%d/node_modules/%s", i-1, name)
		}
		base := name[bytes.LastIndexByte([]byte(name), '/')+1:]
		version := fmt.Sprintf("%d.%d.%d", i%13, i%7, i%5)
		fmt.Fprintf(&b, ",\n    %q: {\n      \"version\": %q,\n      \"resolved\": \"https://registry.npmjs.org/%s/-/%s-%s.tgz\",\n"+
			"      \"integrity\": \"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\",\n"+
			"      \"dev\": %v,\n      \"license\": \"MIT\",\n      \"dependencies\": {\n        \"pkg-%d\": \"^1.0.0\"\n      },\n"+
			"      \"engines\": {\n        \"node\": \">=14\"\n      }\n    }",
			key, version, name, base, version, i%3 == 0, (i+1)%n)
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	content := bigPackageLock(5000)
	m, err := Parse("package-lock.json", content)
	if err != nil {
		b.Fatal(err)
	}
	if len(m.Packages) != 5000 {
		b.Fatalf("%d packages, want 5000", len(m.Packages))
	}
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("package-lock.json", content); err != nil {
			b.Fatal(err)
		}
	}
}
