package lambda

import (
	"os/exec"
	"syscall"
)

// isolate puts the process in its own process group, so killing the group
// takes any children with it, and has the kernel kill it if the local
// cloud dies first: no function process outlives its host.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGKILL) }
