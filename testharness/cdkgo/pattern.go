package cdkgo

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/jsii-runtime-go"
)

// EventPattern converts a pattern in the JSON shape EventBridge takes (as
// package schemas writes them) into CDK's typed EventPattern, which the L2
// rule and archive constructs require. A field CDK cannot carry is an
// error, never silently dropped; the reference app's synthesis tests
// compare the rendered pattern with the schemas value, so the conversion
// is checked end to end.
func EventPattern(p map[string]any) (*awsevents.EventPattern, error) {
	var out awsevents.EventPattern
	lists := map[string]**[]*string{
		"source":      &out.Source,
		"detail-type": &out.DetailType,
		"account":     &out.Account,
		"region":      &out.Region,
		"resources":   &out.Resources,
		"id":          &out.Id,
		"time":        &out.Time,
		"version":     &out.Version,
	}
	for field, value := range p {
		if field == "detail" {
			detail, ok := value.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("event pattern field %q: want an object, got %T", field, value)
			}
			out.Detail = &detail
			continue
		}
		dst, ok := lists[field]
		if !ok {
			return nil, fmt.Errorf("event pattern field %q: not a field CDK's EventPattern can carry", field)
		}
		values, ok := value.([]any)
		if !ok {
			return nil, fmt.Errorf("event pattern field %q: want an array, got %T", field, value)
		}
		strs := make([]*string, len(values))
		for i, v := range values {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("event pattern field %q: element %d is %T; CDK's EventPattern carries only strings at the top level", field, i, v)
			}
			strs[i] = jsii.String(s)
		}
		*dst = &strs
	}
	return &out, nil
}
