package lambda

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

type destination struct {
	Destination string `json:",omitempty"`
}

type destinationConfig struct {
	OnSuccess destination
	OnFailure destination
}

// eventInvokeConfigInput is PutFunctionEventInvokeConfig's body.
type eventInvokeConfigInput struct {
	MaximumRetryAttempts     *int
	MaximumEventAgeInSeconds *int
	DestinationConfig        *destinationConfig
}

// eventInvokeConfigOutput is FunctionEventInvokeConfig.
type eventInvokeConfigOutput struct {
	FunctionArn              string
	LastModified             float64
	MaximumRetryAttempts     *int `json:",omitempty"`
	MaximumEventAgeInSeconds *int `json:",omitempty"`
	DestinationConfig        destinationConfig
}

func (s *Service) putEventInvokeConfigHTTP(r *http.Request) (any, int, error) {
	var in eventInvokeConfigInput
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	out, err := s.putEventInvokeConfig(r.PathValue("name"), r.URL.Query().Get("Qualifier"), in)
	if err != nil {
		return nil, 0, err
	}
	return out, http.StatusOK, nil
}

// putEventInvokeConfig replaces a function's asynchronous invocation
// configuration.
func (s *Service) putEventInvokeConfig(ref, qualifier string, in eventInvokeConfigInput) (eventInvokeConfigOutput, error) {
	fn, err := s.lookup(ref, qualifier)
	if err != nil {
		return eventInvokeConfigOutput{}, err
	}
	if n := in.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 2) {
		return eventInvokeConfigOutput{}, invalidParameter("MaximumRetryAttempts must be between 0 and 2")
	}
	if n := in.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 21600) {
		return eventInvokeConfigOutput{}, invalidParameter("MaximumEventAgeInSeconds must be between 60 and 21600")
	}
	c := &eventInvokeConfig{
		MaximumRetryAttempts:     in.MaximumRetryAttempts,
		MaximumEventAgeInSeconds: in.MaximumEventAgeInSeconds,
		LastModified:             s.clock.Now(),
	}
	if in.DestinationConfig != nil {
		c.OnSuccess = in.DestinationConfig.OnSuccess.Destination
		c.OnFailure = in.DestinationConfig.OnFailure.Destination
	}
	s.mu.Lock()
	fn.invokeConfig = c
	s.mu.Unlock()
	return c.api(fn.cfg.ARN), nil
}

func (c *eventInvokeConfig) api(functionARN string) eventInvokeConfigOutput {
	out := eventInvokeConfigOutput{
		FunctionArn:              functionARN + ":" + latest,
		LastModified:             float64(c.LastModified.UnixMilli()) / 1000,
		MaximumRetryAttempts:     c.MaximumRetryAttempts,
		MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds,
	}
	out.DestinationConfig.OnSuccess.Destination = c.OnSuccess
	out.DestinationConfig.OnFailure.Destination = c.OnFailure
	return out
}

func (s *Service) getEventInvokeConfig(r *http.Request) (any, int, error) {
	fn, err := s.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn.invokeConfig == nil {
		return nil, 0, noEventInvokeConfig(fn.cfg.ARN)
	}
	return fn.invokeConfig.api(fn.cfg.ARN), http.StatusOK, nil
}

func (s *Service) deleteEventInvokeConfigHTTP(r *http.Request) (any, int, error) {
	return nil, http.StatusNoContent, s.deleteEventInvokeConfig(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
}

func (s *Service) deleteEventInvokeConfig(ref, qualifier string) error {
	fn, err := s.lookup(ref, qualifier)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn.invokeConfig == nil {
		return noEventInvokeConfig(fn.cfg.ARN)
	}
	fn.invokeConfig = nil
	return nil
}

func noEventInvokeConfig(functionARN string) error {
	return userError("ResourceNotFoundException", http.StatusNotFound,
		"The function %s:%s doesn't have an EventInvokeConfig", functionARN, latest)
}
