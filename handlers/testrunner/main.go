// Command testrunner is the harness's runner function for the reference
// suite (built as bootstrap for provided.al2023); see testharness/runner.
package main

import (
	"github.com/tracebridge/tracebridge/testharness/runner"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

func main() { runner.Main(suite.Tests()) }
