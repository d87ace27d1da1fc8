package lambda

import (
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// environment is a function process's whole environment, the one place the
// Lambda variables are defined
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
// The process does not inherit the host's environment, so the user's own
// AWS credentials never reach it; only PATH is kept so handlers can run
// host tools. AWS_EXECUTION_ENV is not set: Lambda does not define it for
// the OS-only (provided) runtimes.
func (s *Service) environment(cfg config, codeDir, runtimeAPI, stream string, creds identity.Credentials) []string {
	env := map[string]string{}
	for k, v := range cfg.Env {
		env[k] = v
	}
	reserved := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     latest,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(cfg.MemorySize),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       cfg.logGroup(),
		"AWS_LAMBDA_LOG_STREAM_NAME":      stream,
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_REGION":                      arn.Region,
		"AWS_DEFAULT_REGION":              arn.Region,
		"_HANDLER":                        cfg.Handler,
		"LAMBDA_TASK_ROOT":                codeDir,
		"LAMBDA_RUNTIME_DIR":              codeDir,
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID":               creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           creds.SecretAccessKey,
		"AWS_SESSION_TOKEN":               creds.SessionToken,
	}
	if cfg.LogFormat == "JSON" {
		reserved["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
	}
	if s.opts.EndpointURL != "" {
		reserved["AWS_ENDPOINT_URL"] = s.opts.EndpointURL
	}
	if addr := s.opts.XRayDaemonAddress; addr != "" {
		reserved["AWS_XRAY_DAEMON_ADDRESS"] = addr
		reserved["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
		if host, port, err := net.SplitHostPort(addr); err == nil {
			reserved["_AWS_XRAY_DAEMON_ADDRESS"] = host
			reserved["_AWS_XRAY_DAEMON_PORT"] = port
		}
	}
	for k, v := range reserved {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// codeDir is the function's code directory (LAMBDA_TASK_ROOT): where its
// bootstrap is, and the process's working directory.
func codeDir(bootstrap string) string { return filepath.Dir(bootstrap) }
