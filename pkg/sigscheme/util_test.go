package sigscheme

import "crypto/sha512"

func sha512Sum(b []byte) []byte { h := sha512.Sum512(b); return h[:] }
