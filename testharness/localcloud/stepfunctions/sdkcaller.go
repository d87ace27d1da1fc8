package stepfunctions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// SDKService is how to reach one awsJson service through the gateway.
type SDKService struct {
	// TargetPrefix is the X-Amz-Target prefix ("DynamoDB_20120810").
	TargetPrefix string
	// JSONVersion is "1.0" or "1.1".
	JSONVersion string
	// SigningName is the SigV4 service name ("dynamodb", "states").
	SigningName string
	// CamelCase marks APIs whose members are camelCase on the wire
	// (Step Functions, CloudWatch Logs): Step Functions takes and returns
	// them in PascalCase, so their first letters are converted.
	CamelCase bool
}

// DefaultSDKServices are the awsJson services of the local cloud, by the
// SDK client name aws-sdk Resources use.
var DefaultSDKServices = map[string]SDKService{
	"dynamodb":        {TargetPrefix: "DynamoDB_20120810", JSONVersion: "1.0", SigningName: "dynamodb"},
	"dynamodbstreams": {TargetPrefix: "DynamoDBStreams_20120810", JSONVersion: "1.0", SigningName: "dynamodb"},
	"sqs":             {TargetPrefix: "AmazonSQS", JSONVersion: "1.0", SigningName: "sqs"},
	"eventbridge":     {TargetPrefix: "AWSEvents", JSONVersion: "1.1", SigningName: "events"},
	"sfn":             {TargetPrefix: "AWSStepFunctions", JSONVersion: "1.0", SigningName: "states", CamelCase: true},
	"cloudwatchlogs":  {TargetPrefix: "Logs_20140328", JSONVersion: "1.1", SigningName: "logs", CamelCase: true},
}

// KeyLookup finds the secret key and session token of an access key id
// (identity.Store).
type KeyLookup interface {
	Secret(accessKeyID string) (secret, sessionToken string, ok bool)
}

// GatewaySDKCaller is the SDKCaller that sends each call through the local
// cloud's endpoint as an awsJson request, signed with the credentials of
// the principal in ctx, so the called service sees the state machine's
// role as it would on AWS.
type GatewaySDKCaller struct {
	Endpoint string // the gateway's base URL
	Keys     KeyLookup
	Services map[string]SDKService
	Client   *http.Client
	signer   *v4.Signer
}

// NewGatewaySDKCaller returns a caller of DefaultSDKServices at endpoint.
func NewGatewaySDKCaller(endpoint string, keys KeyLookup) *GatewaySDKCaller {
	return &GatewaySDKCaller{Endpoint: strings.TrimRight(endpoint, "/"), Keys: keys, Services: DefaultSDKServices,
		Client: http.DefaultClient, signer: v4.NewSigner()}
}

// Call implements SDKCaller.
func (c *GatewaySDKCaller) Call(ctx context.Context, service, action string, params json.RawMessage) (json.RawMessage, error) {
	svc, ok := c.Services[service]
	if !ok {
		return nil, unsupported("The local cloud's aws-sdk integration reaches awsJson services only (%s); %q is not one of them",
			strings.Join(c.serviceNames(), ", "), service)
	}
	body := []byte(params)
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if svc.CamelCase {
		var err error
		if body, err = recase(body, lowerFirst); err != nil {
			return nil, fmt.Errorf("%s.%s parameters: %w", service, action, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", service, action, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-"+svc.JSONVersion)
	req.Header.Set("X-Amz-Target", svc.TargetPrefix+"."+action)
	if err := c.sign(ctx, req, body, svc.SigningName); err != nil {
		return nil, fmt.Errorf("%s.%s: %w", service, action, err)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", service, action, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, awsproto.MaxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("%s.%s: reading response: %w", service, action, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, decodeAWSError(resp, out)
	}
	if svc.CamelCase && len(out) > 0 {
		return recase(out, upperFirst)
	}
	return out, nil
}

func (c *GatewaySDKCaller) serviceNames() []string {
	names := make([]string, 0, len(c.Services))
	for n := range c.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// sign signs req as the principal in ctx.
func (c *GatewaySDKCaller) sign(ctx context.Context, req *http.Request, body []byte, signingName string) error {
	p := identity.FromContext(ctx)
	secret, token, ok := c.Keys.Secret(p.AccessKeyID)
	if !ok {
		return fmt.Errorf("no credentials for %s", p.ARN)
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: secret, SessionToken: token}
	return c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), signingName, arn.Region, time.Now())
}

// decodeAWSError reads an awsJson error: the code from X-Amzn-ErrorType
// or __type (after any "namespace#"), the message from message/Message.
func decodeAWSError(resp *http.Response, body []byte) error {
	var doc struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	_ = json.Unmarshal(body, &doc)
	code := resp.Header.Get("X-Amzn-Errortype")
	if code == "" {
		code = doc.Type
	}
	code, _, _ = strings.Cut(code, ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = "UnknownError"
	}
	msg := doc.Message
	if msg == "" {
		msg = doc.Message2
	}
	return &awsproto.Error{Code: code, Message: msg, Status: resp.StatusCode}
}

// recase rewrites the first letter of every object key of a JSON
// document. It cannot tell structure members from map keys, so map keys
// (tags, say) change too: a documented limit of camelCase services.
func recase(doc []byte, f func(string) string) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(recaseValue(v, f))
}

func recaseValue(v any, f func(string) string) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			m[f(k)] = recaseValue(val, f)
		}
		return m
	case []any:
		for i := range t {
			t[i] = recaseValue(t[i], f)
		}
		return t
	}
	return v
}

var _ SDKCaller = (*GatewaySDKCaller)(nil)
