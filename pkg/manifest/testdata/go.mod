module example.com/app

go 1.22

require (
	github.com/stretchr/testify v1.9.0
	golang.org/x/net v0.20.0 // indirect
	example.com/local/lib v1.0.0
	"github.com/quoted/mod" v0.1.0
)

require github.com/pkg/errors v0.9.1

replace golang.org/x/net => github.com/fork/net v0.21.0

replace example.com/local/lib v1.0.0 => ../lib

exclude github.com/bad/mod v1.0.0

retract (
	v1.0.1 // published by mistake
	[v1.1.0, v1.1.5]
)
