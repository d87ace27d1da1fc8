package authz

import "github.com/tracebridge/tracebridge/testharness/localcloud/arn"

func stateMachine(f *fields) []string { return []string{f.StateMachineArn} }
func execution(f *fields) []string    { return []string{f.ExecutionArn} }

// statesService maps Step Functions (Service Authorization Reference,
// "Actions defined by AWS Step Functions"): executions start on the state
// machine ARN and are read on the execution ARN; task tokens act on "*".
var statesService = jsonService{prefix: "states", ops: map[string]jsonRule{
	"StartExecution":                   {resources: stateMachine},
	"StartSyncExecution":               {resources: stateMachine},
	"DescribeStateMachine":             {resources: stateMachine},
	"UpdateStateMachine":               {resources: stateMachine},
	"DeleteStateMachine":               {resources: stateMachine},
	"ListExecutions":                   {resources: stateMachine},
	"DescribeExecution":                {resources: execution},
	"StopExecution":                    {resources: execution},
	"GetExecutionHistory":              {resources: execution},
	"DescribeStateMachineForExecution": {resources: execution},
	"CreateStateMachine": {resources: one(func(f *fields) string {
		return arn.New("states", "stateMachine:"+f.Name)
	})},
}}
