package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"runtime"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// CreateFunction and UpdateFunctionCode
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html,
// API_UpdateFunctionCode.html) serve teams that deploy with other tools
// than CloudFormation: the code is a zip holding a bootstrap, sent as
// ZipFile or stored in the local S3 (S3Bucket, S3Key).

// functionNamePattern is the name part of CreateFunction's FunctionName
// pattern; the ARN forms around it are taken apart by parseFunctionRef.
var functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

// readCodeRequest reads a request that may carry a zip, whose body the
// gateway bounds at the direct upload limit (awsproto.DecodeJSONBody's
// is lower), keeping numbers as they are written.
func readCodeRequest(r *http.Request) (props, error) {
	body, err := awsproto.ReadBody(r.Body, maxCodeRequestBytes)
	if err != nil {
		return nil, awsproto.SerializationError("reading request body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var in map[string]any
	if err := dec.Decode(&in); err != nil {
		return nil, notJSON(err)
	}
	return in, nil
}

func (s *Service) createFunctionHTTP(r *http.Request) (any, int, error) {
	pr, err := readCodeRequest(r)
	if err != nil {
		return nil, 0, err
	}
	name, _ := parseFunctionRef(pr.str("FunctionName"))
	if !functionNamePattern.MatchString(name) {
		return nil, 0, awsproto.Errorf("ValidationException", http.StatusBadRequest,
			"1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
			pr.str("FunctionName"), `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`)
	}
	switch {
	case pr.str("PackageType") == "Image":
		return nil, 0, invalidParameter("Function %s: %v", name, checkRuntime(""))
	case pr.str("Runtime") == "" || pr.str("Handler") == "":
		return nil, 0, invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := checkRuntime(pr.str("Runtime")); err != nil {
		return nil, 0, invalidParameter("Function %s: %v", name, err)
	}
	cfg, err := s.newConfig(pr, name)
	if err != nil {
		return nil, 0, err
	}
	for k, v := range pr.sub("Tags") {
		cfg.Tags[k] = fmt.Sprint(v)
	}
	pkg, err := s.uploadedCode(r.Context(), name, pr.sub("Code"))
	if err != nil {
		return nil, 0, err
	}
	cfg.setCode(pkg)
	if err := s.createFunction(cfg); err != nil {
		return nil, 0, err
	}
	// Lambda answers while the function is still being created; the
	// local one is ready at once, so GetFunction says Active.
	out := cfg.api()
	out.State, out.StateReason, out.StateReasonCode = "Pending", "The function is being created.", "Creating"
	return out, http.StatusCreated, nil
}

func (s *Service) updateFunctionCodeHTTP(r *http.Request) (any, int, error) {
	pr, err := readCodeRequest(r)
	if err != nil {
		return nil, 0, err
	}
	fn, err := s.lookup(r.PathValue("name"), "")
	if err != nil {
		return nil, 0, err
	}
	pkg, err := s.uploadedCode(r.Context(), fn.cfg.Name, pr)
	if err != nil {
		return nil, 0, err
	}
	if dryRun, _ := pr["DryRun"].(bool); dryRun {
		return fn.cfg.api(), http.StatusOK, nil
	}
	cfg, err := s.replaceCode(fn.cfg.Name, pkg, pr.list("Architectures"))
	if err != nil {
		return nil, 0, err
	}
	out := cfg.api()
	out.LastUpdateStatus, out.LastUpdateStatusReason, out.LastUpdateStatusReasonCode = "InProgress", "The function is being created.", "Creating"
	return out, http.StatusOK, nil
}

// uploadedCode unpacks the zip a request names: ZipFile, or S3Bucket and
// S3Key.
func (s *Service) uploadedCode(ctx context.Context, name string, code props) (codePackage, error) {
	var pkg codePackage
	var err error
	switch bucket, key := code.str("S3Bucket"), code.str("S3Key"); {
	case code.str("ImageUri") != "":
		return codePackage{}, invalidParameter("Function %s: %v", name, checkRuntime(""))
	case code.str("ZipFile") != "":
		data, decodeErr := base64.StdEncoding.DecodeString(code.str("ZipFile"))
		if decodeErr != nil {
			return codePackage{}, awsproto.SerializationError("ZipFile is not base64: %v", decodeErr)
		}
		pkg, err = s.zipPackage(data)
	case bucket != "" && key != "":
		pkg, err = s.s3Package(ctx, bucket, key)
	default:
		return codePackage{}, invalidParameter("Please provide a source for function code.")
	}
	if err != nil {
		return codePackage{}, err
	}
	if err := checkHostExecutable(pkg.bootstrap); err != nil {
		return codePackage{}, invalidParameter("Function %s: %v: build it for %s (GOOS=%s GOARCH=%s)",
			name, err, hostPlatform, runtime.GOOS, runtime.GOARCH)
	}
	return pkg, nil
}

// replaceCode gives a function new code: the invocations that begin from
// now on start processes of it, and those of the old code stop once their
// invocation ends.
func (s *Service) replaceCode(name string, pkg codePackage, archs []any) (config, error) {
	s.mu.Lock()
	old := s.functions[name]
	if s.closed || old == nil {
		s.mu.Unlock()
		return config{}, functionNotFound(functionARN(name))
	}
	cfg := old.cfg
	cfg.setCode(pkg)
	cfg.LastModified = s.clock.Now()
	if len(archs) > 0 {
		cfg.Architectures = architectures(archs)
	}
	fn := &function{cfg: cfg, attached: old.attached}
	fn.pool = newPool(s, &fn.cfg)
	s.functions[name] = fn
	s.retired = append(s.retired, old.pool)
	s.mu.Unlock()
	old.pool.retire()
	return cfg, nil
}
