package lambda

import (
	"debug/elf"
	"fmt"
	"runtime"
)

// hostPlatform is the GOOS/GOARCH a bootstrap must be built for to run
// here.
const hostPlatform = runtime.GOOS + "/" + runtime.GOARCH

// elfArchitectures names the machines of ELF headers as Go's GOARCH does;
// the first two are Lambda's x86_64 and arm64.
var elfArchitectures = map[elf.Machine]string{
	elf.EM_X86_64:  "amd64",
	elf.EM_AARCH64: "arm64",
	elf.EM_386:     "386",
	elf.EM_ARM:     "arm",
	elf.EM_RISCV:   "riscv64",
	elf.EM_S390:    "s390x",
}

// foreignExecutableError is a bootstrap built for another platform than
// the host's, which the host cannot start.
type foreignExecutableError struct{ platform string }

func (e *foreignExecutableError) Error() string {
	return fmt.Sprintf("its bootstrap is a %s executable and this host is %s", e.platform, hostPlatform)
}

// checkHostExecutable reads the ELF header of a bootstrap and refuses one
// built for another platform. Anything that is not ELF (a script, a
// missing file) is left to the start of the process, where Lambda too
// finds out.
func checkHostExecutable(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	arch, ok := elfArchitectures[f.Machine]
	if !ok {
		arch = f.Machine.String()
	}
	if platform := "linux/" + arch; platform != hostPlatform {
		return &foreignExecutableError{platform: platform}
	}
	return nil
}
