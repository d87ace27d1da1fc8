// Package arn builds and parses Amazon Resource Names for the local cloud's
// single account and region.
package arn

import (
	"fmt"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localenv"
)

// The local cloud's one account and region, as DESIGN.md fixes them.
const (
	Account   = localenv.Account
	Region    = localenv.Region
	Partition = "aws"
)

// ARN is arn:partition:service:region:account:resource.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// New returns the ARN of a regional resource in the local account.
func New(service, resource string) string {
	return ARN{Partition: Partition, Service: service, Region: Region, Account: Account, Resource: resource}.String()
}

// Global returns the ARN of a resource of a global service (IAM), which has
// no region.
func Global(service, resource string) string {
	return ARN{Partition: Partition, Service: service, Account: Account, Resource: resource}.String()
}

// S3 returns an S3 ARN, which has neither region nor account.
func S3(resource string) string {
	return ARN{Partition: Partition, Service: "s3", Resource: resource}.String()
}

func (a ARN) String() string {
	return strings.Join([]string{"arn", a.Partition, a.Service, a.Region, a.Account, a.Resource}, ":")
}

// Parse splits an ARN into its parts; the resource keeps any colons.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%q is not an ARN", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// ResourceName returns what follows the resource type in an ARN's
// resource part ("function:name" → "name", "rule/bus/name" → "bus/name").
func (a ARN) ResourceName() string {
	if i := strings.IndexAny(a.Resource, ":/"); i >= 0 {
		return a.Resource[i+1:]
	}
	return a.Resource
}
