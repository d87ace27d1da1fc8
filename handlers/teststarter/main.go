// Command teststarter is the deploy-time check's custom resource
// (Custom::TestRun) for the reference suite (built as bootstrap for
// provided.al2023); see testharness/starter.
package main

import (
	"github.com/tracebridge/tracebridge/testharness/starter"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

func main() { starter.Main(suite.Tests()) }
