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
	// busName is the app bus's physical name: the bus behind the
	// EventBusName output, whose name CDK writes into the template.
	busName string
	// hasTestRun tells whether the deploy-time check is in the template.
	hasTestRun bool
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
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
		Outputs map[string]struct{ Value any }
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
	ref, _ := tmpl.Outputs[schemas.OutputEventBusName].Value.(map[string]any)
	id, _ := ref["Ref"].(string)
	bus, ok := tmpl.Resources[id]
	if !ok || bus.Type != "AWS::Events::EventBus" {
		return appTemplate{}, fmt.Errorf("template %s: output %s does not refer to an AWS::Events::EventBus", st.TemplateFile, schemas.OutputEventBusName)
	}
	if out.busName, ok = bus.Properties["Name"].(string); !ok {
		return appTemplate{}, fmt.Errorf("template %s: bus %s has no literal Name", st.TemplateFile, id)
	}
	return out, nil
}
