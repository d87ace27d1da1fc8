package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Metadata keys of an AWS::Lambda::Function that tell the local cloud
// where its code is.
const (
	// MetadataGoPackage is a Go package path relative to the module root
	// (Options.SourceRoot), built for the host.
	MetadataGoPackage = "tracebridge:go-package"
	// MetadataGoMain accompanies MetadataGoPackage when the package is a
	// generated main that exists only in the build (the harness
	// functions' mains, testharness/cdkgo): the source of its main.go,
	// built with go build -overlay.
	MetadataGoMain = "tracebridge:go-main"
	// MetadataCodeDir is a directory (absolute, or relative to SourceRoot)
	// holding a bootstrap executable for the host.
	MetadataCodeDir = "tracebridge:code-dir"
)

// Provisioners returns the CloudFormation resource types Lambda owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::Lambda::Function":           functionProvisioner{s},
		"AWS::Lambda::Permission":         permissionProvisioner{s},
		"AWS::Lambda::EventInvokeConfig":  eventInvokeConfigProvisioner{s},
		"AWS::Lambda::EventSourceMapping": esmProvisioner{s},
	}
}

type functionProvisioner struct{ s *Service }

func (p functionProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	cfg, err := p.s.functionConfig(ctx, req)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	if err := p.s.createFunction(cfg); err != nil {
		return cfnresource.Resource{}, err
	}
	return cfnresource.Resource{PhysicalID: cfg.Name, Attributes: map[string]any{"Arn": cfg.ARN}}, nil
}

func (p functionProvisioner) Delete(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	return p.s.DeleteFunction(ctx, res.PhysicalID)
}

// functionConfig reads an AWS::Lambda::Function's properties and finds
// (or builds) its code.
func (s *Service) functionConfig(ctx context.Context, req cfnresource.Request) (config, error) {
	pr := props(req.Properties)
	name := pr.str("FunctionName")
	if name == "" {
		name = req.GeneratedName(64)
	}
	cfg, err := s.newConfig(pr, name)
	if err != nil {
		return config{}, err
	}
	if _, ok := req.Properties["ReservedConcurrentExecutions"]; ok {
		n, err := pr.integer("ReservedConcurrentExecutions", 0, 0, 1000)
		if err != nil {
			return config{}, err
		}
		cfg.Reserved = &n
	}
	for _, t := range pr.list("Tags") {
		if m, ok := t.(map[string]any); ok {
			cfg.Tags[fmt.Sprint(m["Key"])] = fmt.Sprint(m["Value"])
		}
	}
	pkg, err := s.templateCode(ctx, req, cfg.Runtime)
	if err != nil {
		return config{}, err
	}
	cfg.setCode(pkg)
	return cfg, nil
}

// newConfig reads the properties a template and CreateFunction share,
// which have the same names in both.
func (s *Service) newConfig(pr props, name string) (config, error) {
	cfg := config{
		Name:         name,
		ARN:          functionARN(name),
		Role:         pr.str("Role"),
		Runtime:      pr.str("Runtime"),
		Handler:      pr.str("Handler"),
		Description:  pr.str("Description"),
		MemorySize:   128,
		Timeout:      3,
		TracingMode:  "PassThrough",
		LogFormat:    "Text",
		Env:          map[string]string{},
		Tags:         map[string]string{},
		LastModified: s.clock.Now(),
	}
	var err error
	if cfg.MemorySize, err = pr.integer("MemorySize", cfg.MemorySize, 128, 10240); err != nil {
		return config{}, err
	}
	if cfg.Timeout, err = pr.integer("Timeout", cfg.Timeout, 1, 900); err != nil {
		return config{}, err
	}
	cfg.Architectures = architectures(pr.list("Architectures"))
	for k, v := range pr.sub("Environment").sub("Variables") {
		cfg.Env[k] = fmt.Sprint(v)
	}
	if m := pr.sub("TracingConfig").str("Mode"); m != "" {
		cfg.TracingMode = m
	}
	if lc := pr.sub("LoggingConfig"); lc != nil {
		if f := lc.str("LogFormat"); f != "" {
			cfg.LogFormat = f
		}
		cfg.LogGroup = lc.str("LogGroup")
	}
	return cfg, nil
}

// architectures reads an Architectures list; x86_64 when it is empty.
func architectures(list []any) []string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, fmt.Sprint(a))
	}
	if len(out) == 0 {
		out = []string{"x86_64"}
	}
	return out
}

// templateCode finds an AWS::Lambda::Function's code: the Go package or
// the directory its tracebridge Metadata names, else its Code — an asset
// of the cloud assembly the stack was deployed from, or an S3 object.
func (s *Service) templateCode(ctx context.Context, req cfnresource.Request, runtimeName string) (codePackage, error) {
	if pkg, _ := req.Metadata[MetadataGoPackage].(string); pkg != "" {
		b, err := s.builderFor()
		if err != nil {
			return codePackage{}, err
		}
		var bootstrap string
		if main, _ := req.Metadata[MetadataGoMain].(string); main != "" {
			bootstrap, err = b.BuildMain(ctx, pkg, main)
		} else {
			bootstrap, err = b.Build(ctx, pkg)
		}
		if err != nil {
			return codePackage{}, err
		}
		return filePackage(bootstrap)
	}
	if dir, _ := req.Metadata[MetadataCodeDir].(string); dir != "" {
		return s.codeDirPackage(dir)
	}
	if err := checkRuntime(runtimeName); err != nil {
		return codePackage{}, err
	}
	code := props(req.Properties).sub("Code")
	bucket, key := code.str("S3Bucket"), code.str("S3Key")
	var pkg codePackage
	var err error
	switch {
	case bucket != "" && key != "":
		if path, ok := req.AssetPath(bucket, key); ok {
			pkg, err = s.assetPackage(path)
		} else {
			pkg, err = s.s3Package(ctx, bucket, key)
		}
	case code.str("ZipFile") != "":
		err = fmt.Errorf("Code.ZipFile is inline source code, which only the Node.js and Python runtimes take")
	default:
		err = fmt.Errorf("Code names no S3Bucket and S3Key")
	}
	if err != nil {
		return codePackage{}, err
	}
	if err := checkHostExecutable(pkg.bootstrap); err != nil {
		return codePackage{}, fmt.Errorf("%w: give the resource the Metadata %s (the Go package to build it from, relative to the module root) or build the asset for %s",
			err, MetadataGoPackage, hostPlatform)
	}
	return pkg, nil
}

// codeDirPackage is the bootstrap of a tracebridge:code-dir directory.
func (s *Service) codeDirPackage(dir string) (codePackage, error) {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.opts.SourceRoot, dir)
	}
	path := filepath.Join(dir, "bootstrap")
	info, err := os.Stat(path)
	if err != nil {
		return codePackage{}, fmt.Errorf("%s %q: %w", MetadataCodeDir, dir, err)
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return codePackage{}, fmt.Errorf("%s %q: %s is not an executable file", MetadataCodeDir, dir, path)
	}
	if err := checkHostExecutable(path); err != nil {
		return codePackage{}, fmt.Errorf("%s %q: %w", MetadataCodeDir, dir, err)
	}
	return filePackage(path)
}

// checkRuntime refuses the runtimes the local cloud cannot run: it runs
// the OS-only runtimes (provided.al2023, provided.al2), whose code is a
// bootstrap executable, and no language runtime or container image.
func checkRuntime(runtime string) error {
	switch {
	case strings.HasPrefix(runtime, "provided"):
		return nil
	case runtime == "":
		return fmt.Errorf("container images (PackageType Image) are not supported locally; the local cloud runs provided.* runtimes with a bootstrap")
	}
	return fmt.Errorf("the local cloud runs provided.* runtimes with a bootstrap; %s is not supported locally", runtime)
}

// createFunction adds a function; its name must be free.
func (s *Service) createFunction(cfg config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("lambda service is closed")
	}
	if _, ok := s.functions[cfg.Name]; ok {
		return userError("ResourceConflictException", 409, "Function already exist: %s", cfg.Name)
	}
	fn := &function{cfg: cfg, attached: &attached{}}
	fn.pool = newPool(s, &fn.cfg)
	s.functions[cfg.Name] = fn
	return nil
}

type permissionProvisioner struct{ s *Service }

func (p permissionProvisioner) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	pr := props(req.Properties)
	st := statement{
		Sid:           req.GeneratedName(100),
		Action:        pr.str("Action"),
		Principal:     pr.str("Principal"),
		SourceARN:     pr.str("SourceArn"),
		SourceAccount: pr.str("SourceAccount"),
	}
	if _, err := p.s.addPermission(pr.str("FunctionName"), "", st); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	return cfnresource.Resource{PhysicalID: st.Sid}, nil
}

func (p permissionProvisioner) Delete(_ context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	err := p.s.removePermission(props(req.Properties).str("FunctionName"), "", res.PhysicalID)
	return ignoreNotFound(err)
}

type eventInvokeConfigProvisioner struct{ s *Service }

func (p eventInvokeConfigProvisioner) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	pr := props(req.Properties)
	var in eventInvokeConfigInput
	var err error
	if in.MaximumRetryAttempts, err = pr.optionalInt("MaximumRetryAttempts"); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	if in.MaximumEventAgeInSeconds, err = pr.optionalInt("MaximumEventAgeInSeconds"); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	if dc := pr.sub("DestinationConfig"); dc != nil {
		in.DestinationConfig = &destinationConfig{}
		in.DestinationConfig.OnSuccess.Destination = dc.sub("OnSuccess").str("Destination")
		in.DestinationConfig.OnFailure.Destination = dc.sub("OnFailure").str("Destination")
	}
	name := pr.str("FunctionName")
	if _, err := p.s.putEventInvokeConfig(name, pr.str("Qualifier"), in); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	return cfnresource.Resource{PhysicalID: req.GeneratedName(64)}, nil
}

func (p eventInvokeConfigProvisioner) Delete(_ context.Context, req cfnresource.Request, _ cfnresource.Resource) error {
	pr := props(req.Properties)
	return ignoreNotFound(p.s.deleteEventInvokeConfig(pr.str("FunctionName"), pr.str("Qualifier")))
}

// props reads resolved template properties.
type props map[string]any

func (p props) str(key string) string {
	if p == nil {
		return ""
	}
	switch v := p[key].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func (p props) sub(key string) props {
	m, _ := p[key].(map[string]any)
	return m
}

func (p props) list(key string) []any {
	l, _ := p[key].([]any)
	return l
}

// optionalInt reads an integer property that may be absent.
func (p props) optionalInt(key string) (*int, error) {
	if _, ok := p[key]; !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.str(key)))
	if err != nil {
		return nil, invalidParameter("%s must be an integer, got %q", key, p.str(key))
	}
	return &n, nil
}

func (p props) integer(key string, def, min, max int) (int, error) {
	raw := p.str(key)
	if raw == "" {
		return def, nil
	}
	var n int
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		return 0, invalidParameter("%s must be an integer, got %q", key, raw)
	}
	if n < min || n > max {
		return 0, invalidParameter("%s must be between %d and %d, got %d", key, min, max, n)
	}
	return n, nil
}
