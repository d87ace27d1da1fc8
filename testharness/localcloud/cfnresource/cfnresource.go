// Package cfnresource is the contract between the CloudFormation engine and
// the services that own resource types: a service registers a Provisioner
// per type it can create, and the engine calls it with properties whose
// intrinsics are already resolved.
//
// It is its own package so that services implement provisioning without
// importing the engine, and the engine runs them without knowing services.
package cfnresource

import "context"

// Request is one resource to create, update or delete.
type Request struct {
	StackName string
	StackID   string
	LogicalID string
	Type      string
	// Properties are the template's properties with every intrinsic
	// resolved: plain JSON values (map[string]any, []any, string, float64
	// or json.Number, bool, nil).
	Properties map[string]any
	// Metadata is the resource's template Metadata section, as is.
	Metadata map[string]any
	// AssemblyDir is the CDK cloud assembly directory the stack was
	// deployed from ("" for a template deployed through the API); CDK's
	// Metadata "aws:asset:path" is relative to it.
	AssemblyDir string
	// Assets maps the S3 location of each file asset of the cloud assembly,
	// "bucket/key" as the resolved properties name it
	// ("cdk-hnb659fds-assets-000000000000-us-east-1/<hash>.zip"), to the
	// asset's local path (the staged directory of a zipped directory, or
	// the file). Nothing is uploaded to S3: a Lambda provisioner finds a
	// function's code with AssetPath(Code.S3Bucket, Code.S3Key).
	Assets map[string]string
}

// AssetPath returns the local path of the cloud-assembly asset that the
// S3 location bucket/key stands for.
func (r Request) AssetPath(bucket, key string) (string, bool) {
	p, ok := r.Assets[bucket+"/"+key]
	return p, ok
}

// Resource is what a provisioner created.
type Resource struct {
	// PhysicalID identifies the resource to Delete and in
	// ListStackResources.
	PhysicalID string
	// Ref is what {"Ref": logicalID} resolves to; PhysicalID when empty.
	Ref string
	// Attributes answer Fn::GetAtt, by attribute name ("Arn",
	// "StreamArn", …).
	Attributes map[string]any
}

// RefValue returns what a Ref to this resource resolves to.
func (r Resource) RefValue() string {
	if r.Ref != "" {
		return r.Ref
	}
	return r.PhysicalID
}

// Provisioner creates and deletes the resources of one type. Create must be
// all-or-nothing: when it fails it leaves nothing behind, since the engine
// only deletes what was created.
type Provisioner interface {
	Create(ctx context.Context, req Request) (Resource, error)
	Delete(ctx context.Context, req Request, res Resource) error
}

// Registry maps resource types ("AWS::S3::Bucket") to their provisioner.
type Registry map[string]Provisioner
