//go:build e2e && !linux

package e2e

import "syscall"

// procAttr has no parent-death signal outside Linux; cleanups still kill
// every node unless the test binary itself is killed.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
