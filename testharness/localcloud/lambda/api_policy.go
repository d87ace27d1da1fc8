package lambda

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

type addPermissionInput struct {
	StatementId   string
	Action        string
	Principal     string
	SourceArn     string
	SourceAccount string
}

func (s *Service) addPermissionHTTP(r *http.Request) (any, int, error) {
	var in addPermissionInput
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	if in.StatementId == "" || in.Action == "" || in.Principal == "" {
		return nil, 0, invalidParameter("StatementId, Action and Principal are required")
	}
	doc, err := s.addPermission(r.PathValue("name"), r.URL.Query().Get("Qualifier"), statement{
		Sid: in.StatementId, Action: in.Action, Principal: in.Principal,
		SourceARN: in.SourceArn, SourceAccount: in.SourceAccount,
	})
	if err != nil {
		return nil, 0, err
	}
	return map[string]string{"Statement": doc}, http.StatusCreated, nil
}

// addPermission adds a statement to a function's policy and returns it as
// JSON.
func (s *Service) addPermission(ref, qualifier string, st statement) (string, error) {
	fn, err := s.lookup(ref, qualifier)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, existing := range fn.policy {
		if existing.Sid == st.Sid {
			return "", userError("ResourceConflictException", http.StatusConflict,
				"The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", st.Sid)
		}
	}
	fn.policy = append(fn.policy, st)
	return policyStatementJSON(fn.cfg.ARN, st), nil
}

// policyStatementJSON is one statement, as AddPermission returns it.
func policyStatementJSON(functionARN string, st statement) string {
	b, _ := json.Marshal(statementDocument(functionARN, st))
	return string(b)
}

func (s *Service) removePermissionHTTP(r *http.Request) (any, int, error) {
	return nil, http.StatusNoContent, s.removePermission(r.PathValue("name"), r.URL.Query().Get("Qualifier"), r.PathValue("sid"))
}

func (s *Service) removePermission(ref, qualifier, sid string) error {
	fn, err := s.lookup(ref, qualifier)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, st := range fn.policy {
		if st.Sid == sid {
			fn.policy = append(fn.policy[:i], fn.policy[i+1:]...)
			return nil
		}
	}
	return userError("ResourceNotFoundException", http.StatusNotFound, "Statement %s is not found in resource policy.", sid)
}

func (s *Service) getPolicy(r *http.Request) (any, int, error) {
	fn, err := s.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(fn.policy) == 0 {
		return nil, 0, userError("ResourceNotFoundException", http.StatusNotFound, "The resource you requested does not exist.")
	}
	return map[string]string{"Policy": policyDocument(fn.cfg.ARN, fn.policy)}, http.StatusOK, nil
}

// ignoreNotFound lets a delete succeed when its target is already gone.
func ignoreNotFound(err error) error {
	var e *awsproto.Error
	if errors.As(err, &e) && e.Code == "ResourceNotFoundException" {
		return nil
	}
	return err
}
