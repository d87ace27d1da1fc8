// Package runner is the harness's runner function: the test state machine
// invokes it for each test's act, assert and cleanup phases, and once for
// the report, which answers the deploy-time check's CloudFormation request
// and puts a TestRunCompleted event on the app's bus.
//
// An app does not write its main: the harness construct
// (testharness/cdkharness) generates one that calls Main with the app's
// suite.
package runner
