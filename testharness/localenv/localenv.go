// Package localenv names what the local cloud fixes and its clients must
// know (DESIGN.md): the one account and region, and the user's default
// credentials. It imports nothing, so the harness code deployed to AWS can
// name them without linking the local cloud, whose arn and identity
// packages take them from here.
package localenv

const (
	// Account is the local cloud's one account id.
	Account = "000000000000"
	// Region is the local cloud's one region.
	Region = "us-east-1"
	// AccessKeyID and SecretAccessKey are the user's long-term
	// credentials, an administrator of the local account.
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)
