package testharness_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering: the harness code deployed to AWS (the handlers' binaries)
// links no local-cloud package, and the local cloud links none of the app
// (its handlers or event contracts), so the emulator's reading of AWS and
// the app's cannot share a mistake.
func TestLayering(t *testing.T) {
	for _, c := range []struct {
		packages  string
		forbidden []string
	}{
		{"../handlers/...", []string{"/testharness/localcloud"}},
		{"./localcloud/...", []string{"tracebridge/tracebridge/schemas", "tracebridge/tracebridge/handlers"}},
	} {
		out, err := exec.Command("go", "list", "-deps", c.packages).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", c.packages, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range c.forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s links %s", c.packages, dep)
				}
			}
		}
	}
}
