//go:build e2e

package e2e

import "fmt"

// Port blocks of the e2e suites. Every block lies below Linux's ephemeral
// range (32768-60999 by default): a port in that range can be taken at any
// moment by an outgoing connection of another process, which once made a
// suite fail its free-port check before the first node started.
const (
	blockLocalnet = iota
	blockBadGenesis
	blockIdentity
	blockAttest
	blockBatcher
	blockCTI
	blockTelemetry
	blockLoad
	blockSentinel
)

const (
	portBlockBase = 17000
	portBlockSize = 1000
)

// suitePorts gives the base ports of a suite's network. With a stride of
// 100 per node, five nodes use offsets 0..404 of the block; offsets from 900
// are free for workers (batcher, sentinel) the suite starts.
func suitePorts(block int) Ports {
	b := portBlockBase + block*portBlockSize
	if b+portBlockSize > 26000 {
		panic(fmt.Sprintf("e2e port block %d reaches the localnet defaults at 26656", block))
	}
	return Ports{P2P: b, RPC: b + 1, GRPC: b + 2, API: b + 3, Pprof: b + 4}
}

// suiteAddr is a 127.0.0.1 listen address at offset off of a suite's block.
func suiteAddr(block, off int) string {
	return fmt.Sprintf("127.0.0.1:%d", portBlockBase+block*portBlockSize+off)
}
