package cloudformation

import (
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// TemplateInput is one stack to deploy.
type TemplateInput struct {
	StackName string
	// Body is the JSON template.
	Body       []byte
	Parameters map[string]string
	// AssemblyDir and Assets come from the cloud assembly (see
	// cfnresource.Request); empty for a template deployed through the API.
	AssemblyDir string
	Assets      map[string]string
	// DisableRollback leaves a failed deployment as it is, CREATE_FAILED
	// or UPDATE_FAILED with its resources, as CloudFormation's
	// DisableRollback (`cdk deploy --no-rollback`) does.
	DisableRollback bool
	// Progress is DeployOptions.Progress.
	Progress func(done, total int)
}

// plan is a validated template, ready to run: parameters resolved,
// conditions evaluated, the dependency graph checked for cycles.
type plan struct {
	in        TemplateInput
	tmpl      *template
	params    map[string]any
	described []Parameter
	conds     map[string]bool
	// active are the resources whose Condition holds.
	active map[string]bool
	deps   map[string][]string
	order  []string
	// nativeProviders are Lambda functions that only serve custom
	// resources the engine applies natively; they are not created.
	nativeProviders map[string]bool
}

func validationError(err error) error {
	return awsproto.Errorf("ValidationError", http.StatusBadRequest, "%s", err.Error())
}

// prepare validates a template as CreateStack does before it creates
// anything; its errors are ValidationErrors.
func (e *Engine) prepare(in TemplateInput) (*plan, error) {
	if in.StackName == "" {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	t, err := parseTemplate(in.Body)
	if err != nil {
		return nil, validationError(err)
	}
	params, described, err := resolveParameters(t, in.Parameters, e.opts.SSMParameters)
	if err != nil {
		return nil, validationError(err)
	}
	r := &resolver{tmpl: t, stackName: in.StackName, params: params,
		resource: func(string) (cfnresource.Resource, bool, bool) { return cfnresource.Resource{}, false, false }}
	if err := r.evaluateConditions(); err != nil {
		return nil, validationError(err)
	}
	p := &plan{in: in, tmpl: t, params: params, described: described, conds: r.conditions, active: map[string]bool{}}
	for id, res := range t.Resources {
		if res.Condition == "" {
			p.active[id] = true
			continue
		}
		v, ok := r.conditions[res.Condition]
		if !ok {
			return nil, validationError(templateErrorf("Resources."+id+".Condition", "Template format error: Unresolved condition dependency %s in Resources", res.Condition))
		}
		p.active[id] = v
	}
	if p.deps, err = dependencies(t, p.active, params); err != nil {
		return nil, validationError(err)
	}
	if p.order, err = creationOrder(p.deps); err != nil {
		return nil, validationError(err)
	}
	for _, k := range sortedKeys(t.Outputs) {
		refs := map[string]bool{}
		references(t.Outputs[k].Value, refs)
		for name := range refs {
			if _, isRes := t.Resources[name]; !isRes && params[name] == nil && !strings.HasPrefix(name, "AWS::") {
				return nil, validationError(templateErrorf("Outputs."+k, "Template format error: Unresolved resource dependencies [%s] in the Outputs block of the template", name))
			}
		}
	}
	p.nativeProviders = nativeProviderFunctions(t, p.active)
	return p, nil
}
