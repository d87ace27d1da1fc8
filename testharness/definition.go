package testharness

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
)

// DefinitionSubstitutions keys of the test state machine: the infra passes
// the functions' ARNs under these names, and the definition refers to them
// as the Placeholder* strings.
const (
	SubstitutionRunnerFunctionArn = "RunnerFunctionArn"
	SubstitutionAwaitFunctionArn  = "AwaitFunctionArn"

	PlaceholderRunnerFunctionArn = "${" + SubstitutionRunnerFunctionArn + "}"
	PlaceholderAwaitFunctionArn  = "${" + SubstitutionAwaitFunctionArn + "}"
)

// Retry policy of the Assert state while the trace is incomplete:
// 1, 2, 4, 8, 16, 32 s — about a minute, which covers X-Ray's usual
// ingestion delay on AWS. Locally the runner waits inside the invocation
// first (see testharness/runner), so the retry is rarely needed there.
const (
	assertRetryIntervalSeconds = 1
	assertRetryBackoffRate     = 2.0
	assertRetryMaxAttempts     = 6
)

// lambdaServiceErrors are the transient Lambda errors AWS recommends
// retrying on every lambda:invoke task ("Handle transient Lambda service
// exceptions", Step Functions developer guide).
var lambdaServiceErrors = []string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"}

var testNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,60}$`)

// Definition returns the Amazon States Language JSON of the state machine
// that runs tests, with the Placeholder* strings for DefinitionSubstitutions.
//
// Shape: a Parallel "RunTests" with one branch per test —
//
//	<test>          Pass: the branch state {"test": name}
//	<test>.Act      runner "act"; Catch → <test>.Cleanup
//	<test>.Await    await function, .waitForTaskToken, TimeoutSeconds = Deadline; Catch States.Timeout → <test>.Diagnose,
//	                others → <test>.Cleanup (the await function fails the task itself, at once, when the
//	                diagnosis finds the glue broken or the local cloud settles without the event)
//	<test>.Diagnose await function: follows the glue of the run's flow, names the broken link; → <test>.Cleanup
//	<test>.Assert   runner "assert"; Retry TraceIncomplete with backoff; Catch → <test>.Cleanup
//	<test>.Cleanup  runner "cleanup": runs the test's Cleanup, returns its Result
//	<test>.CleanupFailed  Pass: a failed Result when the cleanup step itself failed
//
// — so every branch ends in a Result and none fails the Parallel; then
// "Report" (runner "report") gets the results and the execution input.
func Definition(tests []Test) (string, error) {
	if len(tests) == 0 {
		return "", fmt.Errorf("test state machine: no tests")
	}
	seen := map[string]bool{}
	branches := make([]any, 0, len(tests))
	for _, t := range tests {
		if !testNamePattern.MatchString(t.Name) {
			return "", fmt.Errorf("test name %q: want 1 to 60 letters, digits or underscores", t.Name)
		}
		if seen[t.Name] {
			return "", fmt.Errorf("test name %q is used twice", t.Name)
		}
		seen[t.Name] = true
		if t.Deadline <= 0 {
			return "", fmt.Errorf("test %s: Deadline must be positive", t.Name)
		}
		if len(t.Await.Success) == 0 {
			return "", fmt.Errorf("test %s: Await.Success names no detail-type", t.Name)
		}
		branches = append(branches, branch(t))
	}
	sm := obj{
		"Comment": "Tracebridge integration tests: Act → Await (completion event) → Assert (state and X-Ray trace) → Cleanup, one branch per test, then Report.",
		"StartAt": "RunTests",
		// A hung test must not hold the deployment for CloudFormation's hour.
		"TimeoutSeconds": int(RunTimeout.Seconds()),
		"States": obj{
			"RunTests": obj{
				"Type":       "Parallel",
				"Branches":   branches,
				"ResultPath": "$.results",
				"Catch":      []any{catch("$.runError", "Report")},
				"Next":       "Report",
			},
			"Report": obj{
				"Type":     "Task",
				"Resource": "arn:aws:states:::lambda:invoke",
				"Parameters": obj{
					"FunctionName": PlaceholderRunnerFunctionArn,
					"Payload": obj{
						"phase":          PhaseReport,
						"report.$":       "$",
						"executionArn.$": "$$.Execution.Id",
						"startTime.$":    "$$.Execution.StartTime",
					},
				},
				"OutputPath": "$.Payload",
				// The report answers CloudFormation: worth a second try on
				// any error, or the stack waits an hour for its answer.
				"Retry": []any{
					retry(lambdaServiceErrors, 1, 2, 3),
					retry([]string{"States.ALL"}, 2, 2, 2),
				},
				"End": true,
			},
		},
	}
	out, err := json.MarshalIndent(sm, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode test state machine: %w", err)
	}
	return string(out), nil
}

type obj = map[string]any

func branch(t Test) obj {
	n := t.Name
	act, await, assert, cleanup, cleanupFailed := n+".Act", n+".Await", n+".Assert", n+".Cleanup", n+".CleanupFailed"
	diagnose := n + ".Diagnose"
	deadline := int(math.Ceil(t.Deadline.Seconds()))
	failure := t.Await.Failure
	if failure == nil {
		failure = []string{}
	}
	return obj{
		"StartAt": n,
		"States": obj{
			n:   obj{"Type": "Pass", "Parameters": obj{"test": n}, "Next": act},
			act: withCatch(runnerTask(PhaseAct, await), "$.actError", cleanup),
			await: obj{
				"Type":     "Task",
				"Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
				"Parameters": obj{
					"FunctionName": PlaceholderAwaitFunctionArn,
					"Payload": obj{
						"taskToken.$":     "$$.Task.Token",
						"correlationId.$": "$.run.correlationId",
						"success":         t.Await.Success,
						"failure":         failure,
						"run.$":           "$.run",
						"executionArn.$":  "$$.Execution.Id",
						"enteredTime.$":   "$$.State.EnteredTime",
						"deadlineSeconds": deadline,
					},
				},
				"TimeoutSeconds": deadline,
				"ResultPath":     "$.completion",
				"Catch": []any{
					obj{"ErrorEquals": []string{ErrorStatesTimeout}, "ResultPath": "$.awaitError", "Next": diagnose},
					catch("$.awaitError", cleanup),
				},
				"Next": assert,
			},
			diagnose: obj{
				"Type":     "Task",
				"Resource": "arn:aws:states:::lambda:invoke",
				"Parameters": obj{
					"FunctionName": PlaceholderAwaitFunctionArn,
					"Payload":      obj{"diagnose": true, "run.$": "$.run"},
				},
				"ResultSelector": obj{"reason.$": "$.Payload"},
				"ResultPath":     "$.diagnosis",
				"Retry":          []any{retry(lambdaServiceErrors, 1, 2, 3)},
				// A diagnosis that fails leaves the timeout as the reason.
				"Catch": []any{catch("$.diagnoseError", cleanup)},
				"Next":  cleanup,
			},
			assert: withCatch(withRetry(runnerTask(PhaseAssert, cleanup),
				retry([]string{ErrorTraceIncomplete}, assertRetryIntervalSeconds, assertRetryBackoffRate, assertRetryMaxAttempts)),
				"$.assertError", cleanup),
			cleanup: withCatch(runnerTask(PhaseCleanup, ""), "$.cleanupError", cleanupFailed),
			cleanupFailed: obj{
				"Type": "Pass",
				"Parameters": obj{
					"name":     n,
					"passed":   false,
					"reason.$": "States.Format('cleanup step failed: {}: {}', $.cleanupError.Error, $.cleanupError.Cause)",
				},
				"End": true,
			},
		},
	}
}

// runnerTask invokes the runner with the branch state; its output is the
// runner's answer. next "" ends the branch.
func runnerTask(phase, next string) obj {
	s := obj{
		"Type":     "Task",
		"Resource": "arn:aws:states:::lambda:invoke",
		"Parameters": obj{
			"FunctionName": PlaceholderRunnerFunctionArn,
			"Payload":      obj{"phase": phase, "branch.$": "$"},
		},
		"OutputPath": "$.Payload",
		"Retry":      []any{retry(lambdaServiceErrors, 1, 2, 3)},
	}
	if next == "" {
		s["End"] = true
	} else {
		s["Next"] = next
	}
	return s
}

func withRetry(s obj, r obj) obj {
	s["Retry"] = append([]any{r}, s["Retry"].([]any)...)
	return s
}

func withCatch(s obj, resultPath, next string) obj {
	s["Catch"] = []any{catch(resultPath, next)}
	return s
}

func catch(resultPath, next string) obj {
	return obj{"ErrorEquals": []string{"States.ALL"}, "ResultPath": resultPath, "Next": next}
}

func retry(errs []string, interval int, backoff float64, attempts int) obj {
	return obj{"ErrorEquals": errs, "IntervalSeconds": interval, "BackoffRate": backoff, "MaxAttempts": attempts}
}
