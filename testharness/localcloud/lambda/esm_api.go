package lambda

import (
	"net/http"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// The event source mapping operations (API_CreateEventSourceMapping and
// its siblings): create, update and delete answer 202, as Lambda does.

func (s *Service) createEventSourceMappingHTTP(r *http.Request) (any, int, error) {
	var in esmInput
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	out, err := s.CreateEventSourceMapping(r.Context(), in)
	if err != nil {
		return nil, 0, err
	}
	return out, http.StatusAccepted, nil
}

func (s *Service) getEventSourceMappingHTTP(r *http.Request) (any, int, error) {
	out, err := s.GetEventSourceMapping(r.PathValue("uuid"))
	if err != nil {
		return nil, 0, err
	}
	return out, http.StatusOK, nil
}

func (s *Service) updateEventSourceMappingHTTP(r *http.Request) (any, int, error) {
	var in esmInput
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	out, err := s.UpdateEventSourceMapping(r.Context(), r.PathValue("uuid"), in)
	if err != nil {
		return nil, 0, err
	}
	return out, http.StatusAccepted, nil
}

func (s *Service) deleteEventSourceMappingHTTP(r *http.Request) (any, int, error) {
	out, err := s.DeleteEventSourceMapping(r.PathValue("uuid"))
	if err != nil {
		return nil, 0, err
	}
	return out, http.StatusAccepted, nil
}

// listEventSourceMappingsHTTP pages with Marker (the index of the next
// mapping) and MaxItems (1 to 10,000, 100 by default).
func (s *Service) listEventSourceMappingsHTTP(r *http.Request) (any, int, error) {
	q := r.URL.Query()
	all, err := s.ListEventSourceMappings(q.Get("EventSourceArn"), q.Get("FunctionName"))
	if err != nil {
		return nil, 0, err
	}
	maxItems := 100
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, 0, validationError("maxItems", "Member must have value between 1 and 10000", v)
		}
		maxItems = n
	}
	start := 0
	if m := q.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(all) {
			return nil, 0, invalidParameter("Invalid marker: %s", m)
		}
		start = n
	}
	end := min(start+maxItems, len(all))
	out := struct {
		EventSourceMappings []esmOutput
		NextMarker          string `json:",omitempty"`
	}{EventSourceMappings: all[start:end]}
	if end < len(all) {
		out.NextMarker = strconv.Itoa(end)
	}
	return out, http.StatusOK, nil
}
