package sigscheme

import "testing"

func BenchmarkSign(b *testing.B) {
	msg := make([]byte, 256)
	for _, alg := range Algorithms() {
		sk := testKey(b, alg, 1)
		b.Run(string(alg), func(b *testing.B) {
			for b.Loop() {
				if _, err := sk.Sign(testDomain, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	msg := make([]byte, 256)
	for _, alg := range Algorithms() {
		sk := testKey(b, alg, 1)
		pk := sk.Public()
		sig, _ := sk.Sign(testDomain, msg)
		b.Run(string(alg), func(b *testing.B) {
			for b.Loop() {
				if err := pk.Verify(testDomain, msg, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
