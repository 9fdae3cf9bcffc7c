//go:build unix

package anomaly

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the test process has used.
// Benchmarks divide work by it as well as by wall time: on a machine shared
// with other jobs the wall-clock rate says how busy the machine was, the
// CPU-time rate what one core does.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
