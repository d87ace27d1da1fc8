// Command testawait is the harness's await function (built as bootstrap
// for provided.al2023); see testharness/await.
package main

import "github.com/tracebridge/tracebridge/testharness/await"

func main() { await.Main() }
