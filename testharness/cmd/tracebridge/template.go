package main

import (
	"encoding/json"
	"fmt"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation/assembly"
)

// appTemplate is what `tracebridge test` must know of a template before it
// is deployed.
type appTemplate struct {
	// busName is the app bus's physical name: where the harness's runner
	// puts the run's TestRunCompleted event.
	busName string
	// hasTestRun tells whether the deploy-time check is in the template.
	hasTestRun bool
}

// templateResource is a resource as readAppTemplate reads it.
type templateResource struct {
	Type       string
	Properties map[string]any
}

// readAppTemplate reads the app stack's template from a cloud assembly.
func readAppTemplate(dir string) (appTemplate, error) {
	asm, err := assembly.Load(dir)
	if err != nil {
		return appTemplate{}, err
	}
	st, err := asm.Stack("")
	if err != nil {
		return appTemplate{}, err
	}
	var tmpl struct {
		Resources map[string]templateResource
		Outputs   map[string]struct{ Value any }
	}
	if err := json.Unmarshal(st.Template, &tmpl); err != nil {
		return appTemplate{}, fmt.Errorf("template %s: %w", st.TemplateFile, err)
	}
	var out appTemplate
	for _, r := range tmpl.Resources {
		if r.Type == testharness.TestRunResourceType {
			out.hasTestRun = true
		}
	}
	var ok bool
	if out.busName, ok = harnessBus(tmpl.Resources); ok {
		return out, nil
	}
	// Without the harness's functions, the bus of the app's EventBusName
	// output.
	if out.busName, ok = busNamed(tmpl.Resources, tmpl.Outputs[schemas.OutputEventBusName].Value); ok {
		return out, nil
	}
	return appTemplate{}, fmt.Errorf("template %s: no function has the harness's %s naming an event bus of the stack, and no output %s does",
		st.TemplateFile, testharness.EnvEventBusName, schemas.OutputEventBusName)
}

// harnessBus finds the bus the harness's runner reports to: the value of
// its environment variable testharness.EnvEventBusName.
func harnessBus(resources map[string]templateResource) (string, bool) {
	for _, r := range resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		env, _ := r.Properties["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		if v, set := vars[testharness.EnvEventBusName]; set {
			if name, ok := busNamed(resources, v); ok {
				return name, true
			}
		}
	}
	return "", false
}

// busNamed resolves a template value naming a bus: a literal name, or a
// Ref to an AWS::Events::EventBus of the template, whose Name CloudFormation
// requires.
func busNamed(resources map[string]templateResource, v any) (string, bool) {
	if name, ok := v.(string); ok && name != "" {
		return name, true
	}
	ref, _ := v.(map[string]any)
	id, _ := ref["Ref"].(string)
	bus, ok := resources[id]
	if !ok || bus.Type != "AWS::Events::EventBus" {
		return "", false
	}
	name, ok := bus.Properties["Name"].(string)
	return name, ok
}
