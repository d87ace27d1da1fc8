package lambda

import (
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// latest is the only version the local cloud has.
const latest = "$LATEST"

// config is a function's configuration. It is fixed: an update gives the
// function a new one (replaceCode).
type config struct {
	Name, ARN, Role, Runtime, Handler, Description string
	Architectures                                  []string
	MemorySize, Timeout                            int
	Env                                            map[string]string
	TracingMode                                    string // Active or PassThrough
	Reserved                                       *int   // ReservedConcurrentExecutions
	LogFormat, LogGroup                            string
	Tags                                           map[string]string
	// Bootstrap is the executable to run (codePackage.bootstrap).
	Bootstrap    string
	CodeSha256   string
	CodeSize     int64
	LastModified time.Time
}

// function is a deployed function: its configuration, its processes, and
// what the API attaches to it.
type function struct {
	cfg  config
	pool *pool
	*attached
}

// attached is what the API attaches to a function, kept when its code is
// replaced (guarded by Service.mu).
type attached struct {
	policy       []statement        // must hold Service.mu
	invokeConfig *eventInvokeConfig // must hold Service.mu
}

// setCode makes pkg the function's code.
func (c *config) setCode(pkg codePackage) {
	c.Bootstrap, c.CodeSha256, c.CodeSize = pkg.bootstrap, pkg.sha256, pkg.size
}

// functionARN is the unqualified ARN of a function name.
func functionARN(name string) string { return arn.New("lambda", "function:"+name) }

// parseFunctionRef splits what callers pass as FunctionName — a name, a
// name:qualifier, a partial ARN (ACCOUNT:function:name) or a full ARN —
// into the name and the qualifier.
func parseFunctionRef(ref string) (name, qualifier string) {
	if a, err := arn.Parse(ref); err == nil {
		ref = a.Resource // function:name[:qualifier]
	} else if parts := strings.SplitN(ref, ":", 3); len(parts) == 3 && parts[1] == "function" {
		ref = "function:" + parts[2]
	}
	ref = strings.TrimPrefix(ref, "function:")
	name, qualifier, _ = strings.Cut(ref, ":")
	return name, qualifier
}

// FunctionARN returns the ARN of a function named in any form, or
// ResourceNotFoundException.
func (s *Service) FunctionARN(nameOrARN string) (string, error) {
	fn, err := s.lookup(nameOrARN, "")
	if err != nil {
		return "", err
	}
	return fn.cfg.ARN, nil
}

// lookup finds a function by any form of its name; a qualifier other than
// $LATEST names a version the local cloud does not have.
func (s *Service) lookup(ref, qualifier string) (*function, error) {
	name, q := parseFunctionRef(ref)
	if qualifier == "" {
		qualifier = q
	}
	s.mu.Lock()
	fn := s.functions[name]
	s.mu.Unlock()
	if fn == nil || (qualifier != "" && qualifier != latest) {
		missing := functionARN(name)
		if qualifier != "" {
			missing += ":" + qualifier
		}
		return nil, functionNotFound(missing)
	}
	return fn, nil
}

// concurrency is how many processes the function may run at once.
func (c config) concurrency(defaultMax int) int {
	if c.Reserved != nil {
		return *c.Reserved
	}
	return defaultMax
}

// logGroup is where the function's output goes.
func (c config) logGroup() string {
	if c.LogGroup != "" {
		return c.LogGroup
	}
	return "/aws/lambda/" + c.Name
}
