package pipes

import (
	"net/http"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

const contentType = "application/json"

// routes lists every operation of the local Pipes API (restJson, paths
// from the Pipes API Reference).
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	// Every Pipes operation answers 200 with a body.
	op := func(fn func(r *http.Request) (any, error)) http.Handler {
		return awsproto.RESTJSONHandler(contentType, func(r *http.Request) (any, int, error) {
			v, err := fn(r)
			return v, http.StatusOK, err
		})
	}
	mux.Handle("GET /v1/pipes", op(s.listPipesHTTP))
	mux.Handle("POST /v1/pipes/{name}", op(s.createPipeHTTP))
	mux.Handle("GET /v1/pipes/{name}", op(func(r *http.Request) (any, error) { return s.DescribePipe(r.PathValue("name")) }))
	mux.Handle("DELETE /v1/pipes/{name}", op(func(r *http.Request) (any, error) { return s.DeletePipe(r.PathValue("name")) }))
	mux.Handle("POST /v1/pipes/{name}/start", op(func(r *http.Request) (any, error) { return s.StartPipe(r.PathValue("name")) }))
	mux.Handle("POST /v1/pipes/{name}/stop", op(func(r *http.Request) (any, error) { return s.StopPipe(r.PathValue("name")) }))
	mux.Handle("/", awsproto.UnknownRESTOperation(contentType))
	return mux
}

// stateOutput is the answer of CreatePipe, DeletePipe, StartPipe and
// StopPipe.
type stateOutput struct {
	Arn              string
	Name             string
	DesiredState     string
	CurrentState     string
	CreationTime     float64
	LastModifiedTime float64
}

func stateOf(d Description) stateOutput {
	return stateOutput{Arn: d.Arn, Name: d.Name, DesiredState: d.DesiredState, CurrentState: d.CurrentState,
		CreationTime: d.CreationTime, LastModifiedTime: d.LastModifiedTime}
}

func (s *Service) createPipeHTTP(r *http.Request) (any, error) {
	var spec Spec
	if err := awsproto.DecodeJSONBody(r, &spec, nil); err != nil {
		return nil, err
	}
	spec.Name = r.PathValue("name")
	d, err := s.CreatePipe(r.Context(), spec)
	if err != nil {
		return nil, err
	}
	return stateOf(d), nil
}

type pipeSummary struct {
	Arn              string
	Name             string
	DesiredState     string
	CurrentState     string
	Source           string
	Target           string
	Enrichment       string `json:",omitempty"`
	CreationTime     float64
	LastModifiedTime float64
}

type listPipesOutput struct {
	Pipes     []pipeSummary
	NextToken string `json:",omitempty"`
}

func (s *Service) listPipesHTTP(r *http.Request) (any, error) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("Limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return nil, awsproto.ValidationError("1 validation error detected: Value '%s' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", l)
		}
		limit = n
	}
	all := s.ListPipes(ListFilter{NamePrefix: q.Get("NamePrefix"), SourcePrefix: q.Get("SourcePrefix"),
		TargetPrefix: q.Get("TargetPrefix"), CurrentState: q.Get("CurrentState"), DesiredState: q.Get("DesiredState")})
	start := 0
	if tok := q.Get("NextToken"); tok != "" {
		start = -1
		for i, d := range all {
			if d.Name == tok {
				start = i
			}
		}
		if start < 0 {
			return nil, awsproto.ValidationError("Invalid NextToken")
		}
	}
	out := &listPipesOutput{Pipes: []pipeSummary{}}
	for _, d := range all[start:] {
		if len(out.Pipes) == limit {
			out.NextToken = d.Name
			break
		}
		out.Pipes = append(out.Pipes, pipeSummary{Arn: d.Arn, Name: d.Name, DesiredState: d.DesiredState,
			CurrentState: d.CurrentState, Source: d.Source, Target: d.Target, Enrichment: d.Enrichment,
			CreationTime: d.CreationTime, LastModifiedTime: d.LastModifiedTime})
	}
	return out, nil
}
