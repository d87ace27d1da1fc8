// Package cdkgo defines Go Lambda functions in a CDK Go app and the few
// pieces around them that an app and the Tracebridge harness
// (testharness/cdkharness) share.
//
// Functions are compiled in plain Go before any construct refers to them
// (Builder), in one go build when the app starts it early
// (StartBuildAll), so synthesis never depends on jsii bundling callbacks;
// a generated main package (AddMain), such as the harness functions'
// mains, is built through go build -overlay without a file in the source
// tree. NewFunction defines a function with its own log group and a role
// whose every permission is written out, and leaves in its metadata where
// the local cloud finds its code. Around them: a rule target that invokes
// a function (NewFunctionTarget), dead-letter queues, event patterns from
// plain JSON values, and cdk-nag suppressions.
package cdkgo
