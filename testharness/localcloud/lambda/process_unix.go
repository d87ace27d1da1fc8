//go:build unix && !linux

package lambda

import (
	"os/exec"
	"syscall"
)

// isolate puts the process in its own process group, so killing the group
// takes any children with it.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGKILL) }
