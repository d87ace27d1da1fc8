package stepfunctions

import (
	"context"
	"errors"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
)

// SendTaskSuccessInput is SendTaskSuccess's request.
type SendTaskSuccessInput struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"`
}

// SendTaskFailureInput is SendTaskFailure's request.
type SendTaskFailureInput struct {
	TaskToken string `json:"taskToken"`
	Error     string `json:"error,omitempty"`
	Cause     string `json:"cause,omitempty"`
}

// TaskTokenInput is SendTaskHeartbeat's request.
type TaskTokenInput struct {
	TaskToken string `json:"taskToken"`
}

// maxTokenLength is the API's limit on task tokens.
const maxTokenLength = 2048

func checkToken(token string) error {
	switch {
	case token == "":
		return missing("taskToken")
	case len(token) > maxTokenLength:
		return invalidToken("Invalid token")
	}
	return nil
}

// SendTaskSuccess completes the callback task waiting on a token.
func (s *Service) SendTaskSuccess(_ context.Context, in *SendTaskSuccessInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if in.Output == "" {
		return nil, missing("output")
	}
	return &struct{}{}, s.tokenError(in.TaskToken, s.executor.SendTaskSuccess(in.TaskToken, []byte(in.Output)))
}

// SendTaskFailure fails the callback task waiting on a token.
func (s *Service) SendTaskFailure(_ context.Context, in *SendTaskFailureInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	return &struct{}{}, s.tokenError(in.TaskToken, s.executor.SendTaskFailure(in.TaskToken, in.Error, in.Cause))
}

// SendTaskHeartbeat tells a callback task its worker is alive.
func (s *Service) SendTaskHeartbeat(_ context.Context, in *TaskTokenInput) (*struct{}, error) {
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	return &struct{}{}, s.tokenError(in.TaskToken, s.executor.SendTaskHeartbeat(in.TaskToken))
}

// tokenError turns the executor's answer into the API's: a token this
// service handed out whose task is over is TaskTimedOut, as AWS answers a
// late callback; one it never handed out is TaskDoesNotExist.
func (s *Service) tokenError(token string, err error) error {
	var te *asl.TokenError
	if err == nil || !errors.As(err, &te) {
		return err
	}
	switch te.Code {
	case "InvalidOutput":
		return invalidOutput(te.Message)
	case "InvalidToken":
		return invalidToken("Invalid token")
	}
	s.mu.Lock()
	_, issued := s.tokens[token]
	s.mu.Unlock()
	if issued {
		return taskTimedOut()
	}
	return taskDoesNotExist()
}
