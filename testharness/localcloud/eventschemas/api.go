package eventschemas

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

const contentType = "application/json"

// routes lists every operation of the local schemas API (restJson, paths
// and statuses from the EventBridge Schemas API reference). Discoverers,
// code bindings, search, export, resource policies and tags are not
// served: they answer as an unknown operation.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	op := func(fn awsproto.RESTOperation) http.Handler { return awsproto.RESTJSONHandler(contentType, fn) }
	const reg = "/v1/registries/name/{registry}"
	const sch = reg + "/schemas/name/{schema}"
	mux.Handle("GET /v1/registries", op(s.listRegistriesHTTP))
	mux.Handle("POST "+reg, op(s.createRegistryHTTP))
	mux.Handle("GET "+reg, op(s.describeRegistryHTTP))
	mux.Handle("PUT "+reg, op(s.updateRegistryHTTP))
	mux.Handle("DELETE "+reg, op(s.deleteRegistryHTTP))
	mux.Handle("GET "+reg+"/schemas", op(s.listSchemasHTTP))
	mux.Handle("POST "+sch, op(s.createSchemaHTTP))
	mux.Handle("GET "+sch, op(s.describeSchemaHTTP))
	mux.Handle("PUT "+sch, op(s.updateSchemaHTTP))
	mux.Handle("DELETE "+sch, op(s.deleteSchemaHTTP))
	mux.Handle("GET "+sch+"/versions", op(s.listSchemaVersionsHTTP))
	mux.Handle("/", awsproto.UnknownRESTOperation(contentType))
	return mux
}

// notJSON answers a request body that does not parse.
func notJSON(err error) error { return badRequest("Could not parse the request body as JSON: %v", err) }

// timestamp renders a time as the API's ISO 8601 timestamps.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// page cuts one page out of a listing: limit is the Limit query
// parameter ("" for all), token the NextToken of the previous page, an
// opaque encoding of the offset the page starts at.
func page[T any](items []T, limit, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		decoded, err := base64.RawURLEncoding.DecodeString(token)
		if err == nil {
			start, err = strconv.Atoi(string(decoded))
		}
		if err != nil || start < 0 || start > len(items) {
			return nil, "", badRequest("Invalid NextToken.")
		}
	}
	items = items[start:]
	if limit == "" {
		return items, "", nil
	}
	n, err := strconv.Atoi(limit)
	if err != nil || n < 1 {
		return nil, "", badRequest("Invalid Limit %q: it must be a positive integer.", limit)
	}
	if len(items) <= n {
		return items, "", nil
	}
	return items[:n], base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(start + n))), nil
}

type registryOutput struct {
	Description  string `json:",omitempty"`
	RegistryArn  string
	RegistryName string
	Tags         map[string]string `json:"tags,omitempty"`
}

func registryOut(r Registry) registryOutput {
	return registryOutput{Description: r.Description, RegistryArn: r.ARN, RegistryName: r.Name, Tags: r.Tags}
}

type registryBody struct {
	Description string
	Tags        map[string]string `json:"tags"`
}

func (s *Service) createRegistryHTTP(r *http.Request) (any, int, error) {
	var in registryBody
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	reg, err := s.CreateRegistry(r.Context(), RegistryInput{Name: r.PathValue("registry"), Description: in.Description, Tags: in.Tags})
	if err != nil {
		return nil, 0, err
	}
	return registryOut(reg), http.StatusCreated, nil
}

func (s *Service) describeRegistryHTTP(r *http.Request) (any, int, error) {
	reg, err := s.DescribeRegistry(r.Context(), r.PathValue("registry"))
	if err != nil {
		return nil, 0, err
	}
	return registryOut(reg), http.StatusOK, nil
}

func (s *Service) updateRegistryHTTP(r *http.Request) (any, int, error) {
	var in registryBody
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	reg, err := s.UpdateRegistry(r.Context(), r.PathValue("registry"), in.Description)
	if err != nil {
		return nil, 0, err
	}
	return registryOut(reg), http.StatusOK, nil
}

func (s *Service) deleteRegistryHTTP(r *http.Request) (any, int, error) {
	return nil, http.StatusNoContent, s.DeleteRegistry(r.Context(), r.PathValue("registry"))
}

type registrySummary struct {
	RegistryArn  string
	RegistryName string
	Tags         map[string]string `json:"tags,omitempty"`
}

type listRegistriesOutput struct {
	NextToken  string `json:",omitempty"`
	Registries []registrySummary
}

func (s *Service) listRegistriesHTTP(r *http.Request) (any, int, error) {
	q := r.URL.Query()
	all, err := s.ListRegistries(r.Context(), q.Get("registryNamePrefix"), q.Get("scope"))
	if err != nil {
		return nil, 0, err
	}
	regs, next, err := page(all, q.Get("limit"), q.Get("nextToken"))
	if err != nil {
		return nil, 0, err
	}
	out := listRegistriesOutput{NextToken: next, Registries: []registrySummary{}}
	for _, reg := range regs {
		out.Registries = append(out.Registries, registrySummary{RegistryArn: reg.ARN, RegistryName: reg.Name, Tags: reg.Tags})
	}
	return out, http.StatusOK, nil
}
