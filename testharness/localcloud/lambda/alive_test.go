package lambda

import (
	"errors"
	"syscall"
)

// alive tells whether a pid names a live process (not a zombie: every
// process the service started has been reaped once it exits).
func alive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
