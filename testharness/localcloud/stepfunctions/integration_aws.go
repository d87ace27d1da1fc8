package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// optimizedSDK runs an optimized DynamoDB task (getItem, putItem,
// updateItem, deleteItem): Parameters are the API's request, the result
// its response plus SdkHttpMetadata/SdkResponseMetadata, and errors are
// named "DynamoDB.<ErrorCode>" ("Perform DynamoDB CRUD operations with
// Step Functions").
func (s *Service) optimizedSDK(ctx context.Context, t *task, service, action string) (json.RawMessage, error) {
	if s.opts.AWS == nil {
		return nil, notWired("AWS SDK (DynamoDB)")
	}
	res, err := s.opts.AWS.Call(ctx, service, upperFirst(action), t.req.Input)
	if err != nil {
		return nil, serviceError("DynamoDB", "AmazonDynamoDBv2", err)
	}
	return withSDKMetadata(res)
}

// sqsSendMessage runs arn:aws:states:::sqs:sendMessage; a MessageBody
// that is not a string is sent as its JSON text.
func (s *Service) sqsSendMessage(ctx context.Context, t *task) (json.RawMessage, error) {
	if s.opts.AWS == nil {
		return nil, notWired("AWS SDK (SQS)")
	}
	p, err := params(t)
	if err != nil {
		return nil, err
	}
	if body, ok := textParam(p, "MessageBody"); ok {
		p["MessageBody"], _ = json.Marshal(body)
	}
	in, err := marshal(p)
	if err != nil {
		return nil, err
	}
	res, err := s.opts.AWS.Call(ctx, "sqs", "SendMessage", in)
	if err != nil {
		return nil, serviceError("SQS", "AmazonSQS", err)
	}
	return withSDKMetadata(res)
}

func withSDKMetadata(res json.RawMessage) (json.RawMessage, error) {
	out := map[string]any{}
	if len(res) > 0 {
		if err := json.Unmarshal(res, &out); err != nil {
			return nil, &asl.StatesError{Name: asl.StatesTaskFailed, Cause: "the service returned invalid JSON: " + err.Error()}
		}
	}
	sdkMetadata(out, "", len(res))
	return marshal(out)
}

// awsSDK runs arn:aws:states:::aws-sdk:SERVICE:ACTION. Errors are named
// "<Service>.<ErrorCode>" in PascalCase, with an "Exception" suffix even
// where the service's own code has none ("Learning to use AWS service SDK
// integrations": S3.BucketAlreadyExistsException, AcmPca.Resource…).
func (s *Service) awsSDK(ctx context.Context, t *task, service, action string) (json.RawMessage, error) {
	if s.opts.AWS == nil {
		return nil, notWired("AWS SDK")
	}
	res, err := s.opts.AWS.Call(ctx, service, upperFirst(action), t.req.Input)
	if err == nil {
		if len(res) == 0 {
			return json.RawMessage("{}"), nil
		}
		return res, nil
	}
	var se *asl.StatesError
	if errors.As(err, &se) {
		return nil, se
	}
	prefix := sdkErrorPrefix(service)
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		return nil, &asl.StatesError{Name: prefix + ".SdkClientException", Cause: err.Error()}
	}
	code := ae.Code
	if !strings.HasSuffix(code, "Exception") {
		code += "Exception"
	}
	return nil, &asl.StatesError{Name: prefix + "." + code, Cause: fmt.Sprintf("%s (Service: %s, Status Code: %d, Request ID: %s)",
		ae.Message, prefix, ae.Status, newUUID())}
}

// sdkErrorPrefixes are the PascalCase names of SDK clients whose case
// upperFirst cannot guess.
var sdkErrorPrefixes = map[string]string{
	"dynamodb": "DynamoDb", "dynamodbstreams": "DynamoDbStreams", "eventbridge": "EventBridge",
	"cloudwatchlogs": "CloudWatchLogs", "cloudwatch": "CloudWatch", "cloudformation": "CloudFormation",
	"xray": "XRay", "acmpca": "AcmPca", "secretsmanager": "SecretsManager", "apigateway": "ApiGateway",
}

func sdkErrorPrefix(service string) string {
	if p, ok := sdkErrorPrefixes[service]; ok {
		return p
	}
	return upperFirst(service)
}
