package sts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
)

// BenchmarkAssumeRole is one SDK round trip issuing role credentials.
func BenchmarkAssumeRole(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	in := &awssts.AssumeRoleInput{RoleArn: aws.String(appRole), RoleSessionName: aws.String("bench")}
	for b.Loop() {
		if _, err := e.client.AssumeRole(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
