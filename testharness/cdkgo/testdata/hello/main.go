// Command hello is a main package of the source tree for the build tests.
package main

import (
	"fmt"

	"github.com/tracebridge/tracebridge/testharness/cdkgo/testdata/greeting"
)

func main() { fmt.Println("hello:", greeting.Text) }
