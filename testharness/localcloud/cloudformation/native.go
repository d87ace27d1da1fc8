package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// nativeHandler applies one of CDK's helper custom resources, whose
// provider Lambdas are Node.js or Python, with the same effect as the
// provider. It returns the physical id and the response Data.
type nativeHandler func(ctx context.Context, e *Engine, cr customRequest) (physicalID string, data map[string]any, err error)

// nativeHandlers are the custom resource types the engine applies itself.
var nativeHandlers = map[string]nativeHandler{
	"Custom::S3BucketNotifications": bucketNotifications,
	"Custom::LogRetention":          logRetention,
	"Custom::S3AutoDeleteObjects":   autoDeleteObjects,
	"Custom::CDKBucketDeployment":   bucketDeployment,
}

// runNative runs a native handler and answers as its provider would.
func (e *Engine) runNative(ctx context.Context, h nativeHandler, cr customRequest) customResponse {
	physicalID, data, err := h(ctx, e, cr)
	if physicalID == "" {
		physicalID = cr.PhysicalResourceID
	}
	if err != nil {
		return customResponse{Status: "FAILED", Reason: err.Error(), PhysicalResourceID: physicalID}
	}
	return customResponse{Status: "SUCCESS", PhysicalResourceID: physicalID, Data: data}
}

func missingDependency(cr customRequest, what string) error {
	return fmt.Errorf("%s cannot be applied: the local cloud was started without %s", cr.ResourceType, what)
}

// bucketNotifications applies Custom::S3BucketNotifications (properties
// BucketName, NotificationConfiguration, Managed): Create and Update put
// the configuration, Delete of a managed bucket's removes it.
func bucketNotifications(ctx context.Context, e *Engine, cr customRequest) (string, map[string]any, error) {
	if e.opts.BucketNotifier == nil {
		return "", nil, missingDependency(cr, "the S3 service (Options.BucketNotifier)")
	}
	bucket, _ := cr.ResourceProperties["BucketName"].(string)
	if bucket == "" {
		return "", nil, fmt.Errorf("BucketName is required")
	}
	physicalID := cr.PhysicalResourceID
	if physicalID == "" {
		physicalID = bucket + "-notifications"
	}
	cfg := json.RawMessage("{}")
	if cr.RequestType != "Delete" {
		raw, err := json.Marshal(cr.ResourceProperties["NotificationConfiguration"])
		if err != nil {
			return physicalID, nil, fmt.Errorf("encode NotificationConfiguration: %w", err)
		}
		if string(raw) != "null" {
			cfg = raw
		}
	} else if managed, _ := cr.ResourceProperties["Managed"].(string); managed == "false" {
		return physicalID, nil, nil
	}
	if err := e.opts.BucketNotifier.PutBucketNotificationConfiguration(ctx, bucket, cfg); err != nil {
		return physicalID, nil, fmt.Errorf("put notification configuration of bucket %s: %w", bucket, err)
	}
	return physicalID, nil, nil
}

// logRetention applies Custom::LogRetention (LogGroupName,
// RetentionInDays; no RetentionInDays means never expire). Delete leaves
// the log group, as the CDK handler does unless asked to remove it.
func logRetention(ctx context.Context, e *Engine, cr customRequest) (string, map[string]any, error) {
	group, _ := cr.ResourceProperties["LogGroupName"].(string)
	if cr.RequestType == "Delete" {
		return group, nil, nil
	}
	if e.opts.LogRetention == nil {
		return "", nil, missingDependency(cr, "the CloudWatch Logs service (Options.LogRetention)")
	}
	if group == "" {
		return "", nil, fmt.Errorf("LogGroupName is required")
	}
	days := 0
	if s, ok := cr.ResourceProperties["RetentionInDays"].(string); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return group, nil, fmt.Errorf("RetentionInDays %q is not a number of days", s)
		}
		days = n
	}
	if err := e.opts.LogRetention.SetLogRetention(ctx, group, days); err != nil {
		return group, nil, fmt.Errorf("set retention of log group %s: %w", group, err)
	}
	return group, nil, nil
}

// autoDeleteObjects applies Custom::S3AutoDeleteObjects (BucketName):
// Delete empties the bucket so that the bucket itself can be deleted.
func autoDeleteObjects(ctx context.Context, e *Engine, cr customRequest) (string, map[string]any, error) {
	bucket, _ := cr.ResourceProperties["BucketName"].(string)
	if cr.RequestType != "Delete" {
		return bucket, nil, nil
	}
	if e.opts.BucketEmptier == nil {
		return bucket, nil, missingDependency(cr, "the S3 service (Options.BucketEmptier)")
	}
	if err := e.opts.BucketEmptier.EmptyBucket(ctx, bucket); err != nil {
		return bucket, nil, fmt.Errorf("empty bucket %s: %w", bucket, err)
	}
	return bucket, nil, nil
}

// bucketDeployment refuses Custom::CDKBucketDeployment, whose provider
// copies zipped assets with the AWS CLI; deleting one that never existed
// succeeds.
func bucketDeployment(_ context.Context, _ *Engine, cr customRequest) (string, map[string]any, error) {
	if cr.RequestType == "Delete" {
		return cr.PhysicalResourceID, nil, nil
	}
	return "", nil, fmt.Errorf("Custom::CDKBucketDeployment (aws-s3-deployment BucketDeployment) is not supported by the local cloud: put the objects from the test's Arrange step instead")
}

// nativeProviderFunctions finds the Lambda functions that serve only
// natively applied custom resources (through ServiceToken: Fn::GetAtt
// [fn, Arn]) and that no other resource refers to. The engine records
// them without creating them, so the Lambda service is never asked to
// run CDK's Node.js and Python helper code.
func nativeProviderFunctions(t *template, active map[string]bool) map[string]bool {
	candidates := map[string]bool{}
	for id, r := range t.Resources {
		if !active[id] || nativeHandlers[r.Type] == nil || r.Type == "Custom::CDKBucketDeployment" {
			continue
		}
		refs := map[string]bool{}
		references(r.Properties["ServiceToken"], refs)
		for fn := range refs {
			if decl := t.Resources[fn]; decl != nil && decl.Type == "AWS::Lambda::Function" {
				candidates[fn] = true
			}
		}
	}
	for id, r := range t.Resources {
		if !active[id] || nativeHandlers[r.Type] != nil && r.Type != "Custom::CDKBucketDeployment" {
			continue
		}
		refs := map[string]bool{}
		references(r.Properties, refs)
		for _, d := range r.dependsOn() {
			refs[d] = true
		}
		for fn := range refs {
			delete(candidates, fn)
		}
	}
	for _, o := range t.Outputs {
		refs := map[string]bool{}
		references(o.Value, refs)
		for fn := range refs {
			delete(candidates, fn)
		}
	}
	return candidates
}

// nativeProviderResource stands for a provider function that is not
// created: its name and ARN answer Ref and Fn::GetAtt.
func nativeProviderResource(req cfnresource.Request) cfnresource.Resource {
	name, _ := req.Properties["FunctionName"].(string)
	if name == "" {
		name = req.GeneratedName(64)
	}
	return cfnresource.Resource{PhysicalID: name, Attributes: map[string]any{"Arn": arn.New("lambda", "function:"+name)}}
}
