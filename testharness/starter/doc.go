// Package starter is the service token of the deploy-time check
// (Custom::TestRun): it starts the test state machine with the
// CloudFormation request, whose report step answers it; it answers a
// rollback's request without running the tests, and itself answers for a
// run that timed out or was stopped (the state machine's status-change
// events).
//
// An app does not write its main: the harness construct
// (testharness/cdkharness) generates one that calls Main with the app's
// suite.
package starter
