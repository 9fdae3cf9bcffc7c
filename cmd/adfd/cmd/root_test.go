package cmd

import "testing"

// AutoCLI builds every module's commands when the root command is made; a
// flag clash there panics every adfd invocation, so build it in a test.
func TestNewRootCmdBuildsEveryModuleCommand(t *testing.T) {
	root := NewRootCmd()
	for _, path := range [][]string{
		{"query", "consortium", "validators"},
		{"query", "identity", "key-validity"},
		{"tx", "consortium", "submit-proposal"},
		{"tx", "consortium", "vote"},
		{"network", "init"},
		{"genesis", "add-org"},
	} {
		cmd, rest, err := root.Find(path)
		if err != nil || len(rest) != 0 || cmd.Name() != path[len(path)-1] {
			t.Errorf("adfd %v: not found (got %q, rest %v, err %v)", path, cmd.Name(), rest, err)
		}
	}
}
