//go:build e2e && linux

package e2e

import "syscall"

// procAttr makes the kernel kill a node if the test binary dies without
// running its cleanups (e.g. the -timeout panic), so no adfd is left behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
