package localcloud

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/console"
)

// ConsolePath is where the local cloud serves its web console, under the
// control API's reserved path.
const ConsolePath = console.Path

// ConsoleURL is the address of the cloud's web console.
func (c *Cloud) ConsoleURL() string { return c.endpoint + ConsolePath }

// registerConsole adds the console to the control API's mux.
func (c *Cloud) registerConsole(mux *http.ServeMux) {
	mux.Handle(ConsolePath, console.New(console.Options{
		Records:  c.observe,
		XRay:     c.XRay.Route().Handler,
		OnTrace:  c.XRay.OnSegment,
		Stacks:   c.CloudFormation.Stacks,
		Now:      c.clock.Now,
		Closing:  c.closing.Done(),
		Endpoint: c.endpoint,
	}))
}
