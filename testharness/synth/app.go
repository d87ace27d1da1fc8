package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
)

// App is a CDK app as the CDK CLI finds it: cdk.json in a folder names the
// command that synthesizes it ("app"), and optionally where its assembly
// goes ("output"), the context it gets ("context", with cdk.context.json
// beside it) and which files it is made of ("watch", as `cdk watch` reads
// it). Nothing of a particular project is assumed.
type App struct {
	// Dir holds cdk.json; the app command runs there, as the CDK CLI runs
	// it.
	Dir string
	// Command synthesizes the app, run by the shell: cdk.json's "app", or
	// what --app gives.
	Command string
	// Build, when set, runs before Command (cdk.json's "build").
	Build string
	// Output is the assembly for AWS: cdk.json's "output", cdk.out by
	// default, beside cdk.json.
	Output string
	// Context is cdk.context.json's values with cdk.json's "context" over
	// them, as the CDK CLI gives them to the app.
	Context map[string]any
	// Watch, when cdk.json has it, lists the app's sources as globs
	// relative to Dir; without it, they are the Go sources of ModuleRoot.
	Watch *Watch
	// ModuleRoot is the Go module Dir belongs to (the folder of the go.mod
	// above it): the root the local cloud builds Go packages from.
	ModuleRoot string
}

// Watch is cdk.json's "watch": which files changing make the assembly
// stale.
type Watch struct {
	Include []string
	Exclude []string
}

// cdkJSON is the part of cdk.json an App reads.
type cdkJSON struct {
	App     string         `json:"app"`
	Build   string         `json:"build"`
	Output  string         `json:"output"`
	Context map[string]any `json:"context"`
	Watch   *struct {
		Include stringList `json:"include"`
		Exclude stringList `json:"exclude"`
	} `json:"watch"`
}

// stringList reads a glob list that cdk.json may give as one string.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// LoadApp reads the app whose cdk.json is in dir; command, when not empty,
// replaces its "app" (the CLI's --app), and then cdk.json may be missing.
func LoadApp(dir, command string) (*App, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("find the app: %w", err)
	}
	app := &App{Dir: abs, Command: command, Context: map[string]any{}}
	var cfg cdkJSON
	raw, err := os.ReadFile(filepath.Join(abs, "cdk.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist) && command != "":
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no cdk.json in %s: run tracebridge in your CDK app's folder (where cdk.json is), or give the command that synthesizes the app with --app", abs)
	case err != nil:
		return nil, fmt.Errorf("read cdk.json: %w", err)
	default:
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(abs, "cdk.json"), err)
		}
	}
	if app.Command == "" {
		app.Command = cfg.App
	}
	if app.Command == "" {
		return nil, fmt.Errorf("%s has no \"app\": name the command that synthesizes the app there, or give it with --app", filepath.Join(abs, "cdk.json"))
	}
	app.Build = cfg.Build
	app.Output = filepath.Join(abs, "cdk.out")
	if cfg.Output != "" {
		app.Output = filepath.Join(abs, cfg.Output)
	}
	if cfg.Watch != nil {
		app.Watch = &Watch{Include: cfg.Watch.Include, Exclude: cfg.Watch.Exclude}
	}
	if raw, err := os.ReadFile(filepath.Join(abs, "cdk.context.json")); err == nil {
		if err := json.Unmarshal(raw, &app.Context); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(abs, "cdk.context.json"), err)
		}
	}
	maps.Copy(app.Context, cfg.Context)
	if app.ModuleRoot, err = ModuleRoot(abs); err != nil {
		return nil, err
	}
	return app, nil
}

// LocalAssemblyDir is where the assembly for the local cloud goes:
// cdk.local.out beside the one for AWS, which keeps its own assets.
func (a *App) LocalAssemblyDir() string {
	return filepath.Join(filepath.Dir(a.Output), "cdk.local.out")
}

// contextJSON is the CDK_CONTEXT_JSON the app gets: its context with
// extra over it.
func (a *App) contextJSON(extra map[string]any) (string, error) {
	ctx := maps.Clone(a.Context)
	maps.Copy(ctx, extra)
	raw, err := json.Marshal(ctx)
	if err != nil {
		return "", fmt.Errorf("the app's context: %w", err)
	}
	return string(raw), nil
}

// ModuleRoot returns the directory of the go.mod that encloses dir.
func ModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or any parent: run tracebridge from inside the app's Go module", abs)
		}
	}
}
