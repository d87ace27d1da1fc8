package lambda

import (
	"context"
	"net/http"
	"sort"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// functionConfiguration is the API's FunctionConfiguration
// (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html).
type functionConfiguration struct {
	FunctionName               string
	FunctionArn                string
	Runtime                    string `json:",omitempty"`
	Role                       string
	Handler                    string `json:",omitempty"`
	CodeSize                   int64
	CodeSha256                 string `json:",omitempty"`
	Description                string
	Timeout                    int
	MemorySize                 int
	LastModified               string
	Version                    string
	Environment                *environmentResponse `json:",omitempty"`
	TracingConfig              map[string]string
	State                      string
	StateReason                string `json:",omitempty"`
	StateReasonCode            string `json:",omitempty"`
	LastUpdateStatus           string
	LastUpdateStatusReason     string `json:",omitempty"`
	LastUpdateStatusReasonCode string `json:",omitempty"`
	PackageType                string
	Architectures              []string
	EphemeralStorage           map[string]int
	LoggingConfig              map[string]string
}

type environmentResponse struct {
	Variables map[string]string
}

func (c config) api() functionConfiguration {
	out := functionConfiguration{
		FunctionName: c.Name, FunctionArn: c.ARN, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler,
		CodeSize: c.CodeSize, CodeSha256: c.CodeSha256, Description: c.Description,
		Timeout: c.Timeout, MemorySize: c.MemorySize,
		LastModified:  c.LastModified.UTC().Format("2006-01-02T15:04:05.000-0700"),
		Version:       latest,
		TracingConfig: map[string]string{"Mode": c.TracingMode},
		State:         "Active", LastUpdateStatus: "Successful", PackageType: "Zip",
		Architectures:    c.Architectures,
		EphemeralStorage: map[string]int{"Size": 512},
		LoggingConfig:    map[string]string{"LogFormat": c.LogFormat, "LogGroup": c.logGroup()},
	}
	if len(c.Env) > 0 {
		out.Environment = &environmentResponse{Variables: c.Env}
	}
	return out
}

// listFunctions serves ListFunctions, ordered by name and paged with
// Marker (the last name of the previous page) and MaxItems.
func (s *Service) listFunctions(r *http.Request) (any, int, error) {
	q := r.URL.Query()
	maxItems := 50
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, 0, invalidParameter("MaxItems must be between 1 and 10000")
		}
		maxItems = n
	}
	s.mu.Lock()
	names := make([]string, 0, len(s.functions))
	for name := range s.functions {
		names = append(names, name)
	}
	sort.Strings(names)
	out := struct {
		Functions  []functionConfiguration
		NextMarker string `json:",omitempty"`
	}{Functions: []functionConfiguration{}}
	for _, name := range names {
		if marker := q.Get("Marker"); marker != "" && name <= marker {
			continue
		}
		if len(out.Functions) == maxItems {
			out.NextMarker = out.Functions[len(out.Functions)-1].FunctionName
			break
		}
		out.Functions = append(out.Functions, s.functions[name].cfg.api())
	}
	s.mu.Unlock()
	return out, http.StatusOK, nil
}

func (s *Service) getFunction(r *http.Request) (any, int, error) {
	fn, err := s.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return nil, 0, err
	}
	out := map[string]any{
		"Configuration": fn.cfg.api(),
		"Code":          map[string]string{"RepositoryType": "S3", "Location": "file://" + fn.cfg.Bootstrap},
		"Tags":          fn.cfg.Tags,
	}
	if fn.cfg.Reserved != nil {
		out["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": *fn.cfg.Reserved}
	}
	return out, http.StatusOK, nil
}

func (s *Service) getFunctionConfiguration(r *http.Request) (any, int, error) {
	fn, err := s.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return nil, 0, err
	}
	return fn.cfg.api(), http.StatusOK, nil
}

func (s *Service) deleteFunctionHTTP(r *http.Request) (any, int, error) {
	if q := r.URL.Query().Get("Qualifier"); q != "" && q != latest {
		return nil, 0, functionNotFound(functionARN(r.PathValue("name")) + ":" + q)
	}
	return nil, http.StatusNoContent, s.DeleteFunction(r.Context(), r.PathValue("name"))
}

// DeleteFunction removes a function and kills its processes.
func (s *Service) DeleteFunction(ctx context.Context, nameOrARN string) error {
	name, _ := parseFunctionRef(nameOrARN)
	s.mu.Lock()
	fn := s.functions[name]
	delete(s.functions, name)
	s.mu.Unlock()
	if fn == nil {
		return functionNotFound(functionARN(name))
	}
	return fn.pool.close(ctx)
}

// listTags serves ListTags for a function ARN.
func (s *Service) listTags(r *http.Request) (any, int, error) {
	a, err := arn.Parse(r.PathValue("arn"))
	if err != nil || a.Service != "lambda" {
		return nil, 0, invalidParameter("%q is not a Lambda function ARN", r.PathValue("arn"))
	}
	fn, err := s.lookup(r.PathValue("arn"), "")
	if err != nil {
		return nil, 0, err
	}
	return map[string]any{"Tags": fn.cfg.Tags}, http.StatusOK, nil
}
