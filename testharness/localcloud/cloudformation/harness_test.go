package cloudformation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// recorder is a set of fake provisioners that log what the engine asks
// of them, keep the resolved requests, and fail on demand.
type recorder struct {
	mu   sync.Mutex
	log  []string
	reqs map[string]cfnresource.Request
	// fail makes Create of these logical ids fail with the error.
	fail map[string]error
	// generation makes replaced resources get new physical ids.
	generation int
}

func newRecorder() *recorder {
	return &recorder{reqs: map[string]cfnresource.Request{}, fail: map[string]error{}}
}

func (r *recorder) registry(types ...string) cfnresource.Registry {
	reg := cfnresource.Registry{}
	for _, t := range types {
		reg[t] = fakeProvisioner{r}
	}
	return reg
}

func (r *recorder) entries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

func (r *recorder) request(id string) cfnresource.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[id]
}

type fakeProvisioner struct{ r *recorder }

func (f fakeProvisioner) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	f.r.log = append(f.r.log, "create "+req.LogicalID)
	if err := f.r.fail[req.LogicalID]; err != nil {
		return cfnresource.Resource{}, err
	}
	f.r.reqs[req.LogicalID] = req
	f.r.generation++
	physical := fmt.Sprintf("%s-%d", strings.ToLower(req.LogicalID), f.r.generation)
	return cfnresource.Resource{PhysicalID: physical, Attributes: map[string]any{"Arn": "arn:aws:fake:us-east-1:000000000000:" + physical}}, nil
}

func (f fakeProvisioner) Delete(_ context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	f.r.log = append(f.r.log, "delete "+req.LogicalID+" "+res.PhysicalID)
	return nil
}

// invoker is a fake Lambda service: each custom resource request is
// recorded and answered by respond, PUT over real HTTP to the ResponseURL
// as the cfn-response module does; respond returning nil never answers.
type invoker struct {
	t        *testing.T
	respond  func(req customRequest) *customResponse
	requests chan customRequest
}

func newInvoker(t *testing.T, respond func(customRequest) *customResponse) *invoker {
	return &invoker{t: t, respond: respond, requests: make(chan customRequest, 32)}
}

func (i *invoker) InvokeAsync(_ context.Context, functionARN string, payload []byte) error {
	var req customRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return err
	}
	if req.ServiceToken != functionARN {
		return fmt.Errorf("invoked %s with a request for %s", functionARN, req.ServiceToken)
	}
	i.requests <- req
	resp := i.respond(req)
	if resp == nil {
		return nil
	}
	body, _ := json.Marshal(resp)
	go func() {
		put, _ := http.NewRequest(http.MethodPut, req.ResponseURL, bytes.NewReader(body))
		res, err := http.DefaultClient.Do(put)
		if err != nil {
			i.t.Errorf("PUT response: %v", err)
			return
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			i.t.Errorf("PUT response: status %d", res.StatusCode)
		}
	}()
	return nil
}

// next returns the next custom resource request the invoker received.
func (i *invoker) next(t *testing.T) customRequest {
	t.Helper()
	select {
	case r := <-i.requests:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no custom resource request arrived")
		return customRequest{}
	}
}

type harness struct {
	engine *Engine
	clk    *clock.Fake
	rec    *recorder
	cfn    *cloudformation.Client
	url    string
}

var testTypes = []string{"AWS::IAM::Role", "AWS::Lambda::Function", "AWS::S3::Bucket", "AWS::SNS::Topic", "Test::Thing"}

func newHarness(t *testing.T, configure func(*Options)) *harness {
	t.Helper()
	g := gateway.New(identity.NewStore())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	h := &harness{clk: clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)), rec: newRecorder(), url: srv.URL}
	opts := Options{Clock: h.clk, Endpoint: srv.URL, Concurrency: 1, Provisioners: h.rec.registry(testTypes...)}
	if configure != nil {
		configure(&opts)
	}
	h.engine = New(opts)
	g.Register(h.engine.Route())
	h.cfn = cloudformation.NewFromConfig(awstest.Config(t, srv.URL))
	return h
}

// deploy deploys a template body under name.
func (h *harness) deploy(t *testing.T, name, body string) (*StackResult, error) {
	t.Helper()
	return h.engine.DeployTemplate(context.Background(), TemplateInput{StackName: name, Body: []byte(body)})
}

// waitStack waits, through DescribeStacks as the SDK's waiters do, until
// a stack operation the API started in the background has ended, and
// returns the stack.
func (h *harness) waitStack(t *testing.T, name string) types.Stack {
	t.Helper()
	w := cloudformation.NewStackUpdateCompleteWaiter(h.cfn, func(o *cloudformation.StackUpdateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
		o.Retryable = func(_ context.Context, _ *cloudformation.DescribeStacksInput, out *cloudformation.DescribeStacksOutput, err error) (bool, error) {
			if err != nil {
				return false, err
			}
			return strings.HasSuffix(string(out.Stacks[0].StackStatus), "_IN_PROGRESS"), nil
		}
	})
	out, err := w.WaitForOutput(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 10*time.Second)
	if err != nil {
		t.Fatalf("wait for stack %s: %v", name, err)
	}
	return out.Stacks[0]
}

// resourceEvents lists "LogicalId STATUS" of a stack's resource events,
// oldest first.
func (h *harness) resourceEvents(t *testing.T, stack string) []string {
	t.Helper()
	events, err := h.engine.Events(stack)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.LogicalResourceID+" "+e.ResourceStatus)
	}
	return out
}

func newPut(url, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	return res, nil
}
