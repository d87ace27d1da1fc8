package testharness_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering: the code deployed to AWS (the handlers' binaries, and the
// harness functions, whose generated mains link their public package and
// the suite) links no local-cloud package, and the local cloud links none
// of the app (its handlers or event contracts), so the emulator's reading
// of AWS and the app's cannot share a mistake. The handlers' test helper
// (testharness/localtest) runs their tests on the local cloud; no
// binary links it. The CLI links no CDK (compiled by synthesis, when it
// is needed) and no X-Ray SDK (with its gRPC and AWS SDK v1, which only
// the functions need): a first run compiles the CLI before anything else.
// Nor does a CDK app that adds the harness (cdkharness, cdkgo): synthesis
// compiles the CDK first, and the handler build that links the X-Ray SDK
// runs while jsii synthesizes.
func TestLayering(t *testing.T) {
	binaries := goList(t, "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, "../handlers/...")
	if len(binaries) == 0 {
		t.Fatal("no handler binaries under ../handlers")
	}
	binaries = append(binaries, "./runner", "./await", "./starter", "./suite")
	for _, c := range []struct {
		packages  []string
		forbidden []string
	}{
		{binaries, []string{"/testharness/localcloud", "/testharness/localtest"}},
		{[]string{"./localcloud/..."}, []string{"tracebridge/tracebridge/schemas", "tracebridge/tracebridge/handlers"}},
		{[]string{"./cmd/tracebridge"}, []string{"github.com/aws/aws-cdk-go", "github.com/aws/aws-xray-sdk-go", "google.golang.org/grpc"}},
		{[]string{"./cdkharness", "./cdkgo", "../infra"}, []string{"github.com/aws/aws-xray-sdk-go", "google.golang.org/grpc"}},
	} {
		for _, dep := range goList(t, append([]string{"-deps"}, c.packages...)...) {
			for _, f := range c.forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s links %s", strings.Join(c.packages, " "), dep)
				}
			}
		}
	}
}

// goList runs go list with args and returns the packages it prints.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.Fields(string(out))
}
