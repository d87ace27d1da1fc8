package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// checkCompliance applies the cdk-nag AwsSolutions pack to everything in
// scope. Findings become annotations on the resources: warnings are printed
// by `cdk synth`, errors fail `cdk deploy`, and the synthesis tests fail on
// any error annotation. Suppressions sit next to the resources they excuse.
func checkCompliance(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}
