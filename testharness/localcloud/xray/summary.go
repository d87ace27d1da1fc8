package xray

import (
	"sort"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// The shapes of GetTraceSummaries' TraceSummary (X-Ray API reference).

type traceSummary struct {
	Id           string
	StartTime    float64
	Duration     float64
	ResponseTime float64
	HasFault     bool
	HasError     bool
	HasThrottle  bool
	IsPartial    bool
	Http         *httpOut `json:",omitempty"`
	Annotations  map[string][]valueWithServiceIDs
	ServiceIds   []serviceID
	EntryPoint   *serviceID `json:",omitempty"`
	ResourceARNs []resourceARN
	Users        []traceUser
	Revision     int
}

type httpOut struct {
	HttpURL    string `json:",omitempty"`
	HttpStatus int    `json:",omitempty"`
	HttpMethod string `json:",omitempty"`
	UserAgent  string `json:",omitempty"`
	ClientIp   string `json:",omitempty"`
}

type serviceID struct {
	Name      string
	Names     []string
	AccountId string `json:",omitempty"`
	Type      string `json:",omitempty"`
}

// annotationValue is the AnnotationValue union: one member is set.
type annotationValue struct {
	StringValue  *string  `json:",omitempty"`
	NumberValue  *float64 `json:",omitempty"`
	BooleanValue *bool    `json:",omitempty"`
}

type valueWithServiceIDs struct {
	AnnotationValue annotationValue
	ServiceIds      []serviceID
}

type resourceARN struct{ ARN string }

type traceUser struct {
	UserName   string
	ServiceIds []serviceID
}

func (v *traceView) serviceIDOf(i int) serviceID {
	n := v.nodes[i]
	return serviceID{Name: n.key.name, Names: []string{n.key.name}, AccountId: n.accountID, Type: n.key.typ}
}

func (v *traceView) serviceIDs(idx []int) []serviceID {
	out := []serviceID{}
	for _, i := range idx {
		out = append(out, v.serviceIDOf(i))
	}
	return out
}

// summary renders the trace as a TraceSummary.
func (v *traceView) summary() traceSummary {
	f := &v.facts
	ts := traceSummary{
		Id: v.id, StartTime: v.start, Duration: round3(f.Duration), ResponseTime: round3(f.ResponseTime),
		HasFault: f.Fault, HasError: f.Error, HasThrottle: f.Throttle, IsPartial: f.Partial,
		Annotations: map[string][]valueWithServiceIDs{}, ServiceIds: []serviceID{},
		ResourceARNs: []resourceARN{}, Users: []traceUser{}, Revision: 1,
	}
	if f.HTTPStatus != 0 || f.HTTPURL != "" {
		ts.Http = &httpOut{HttpURL: f.HTTPURL, HttpStatus: f.HTTPStatus, HttpMethod: f.HTTPMethod,
			UserAgent: f.HTTPUserAgent, ClientIp: f.HTTPClientIP}
	}
	for key, list := range v.annots {
		for _, a := range list {
			ts.Annotations[key] = append(ts.Annotations[key],
				valueWithServiceIDs{AnnotationValue: toAnnotationValue(a.value), ServiceIds: v.serviceIDs(a.nodes)})
		}
	}
	for i := range v.nodes {
		ts.ServiceIds = append(ts.ServiceIds, v.serviceIDOf(i))
	}
	if v.root != nil {
		for i, n := range v.nodes {
			if n.key == (serviceKey{v.root.Name, v.root.Origin}) {
				id := v.serviceIDOf(i)
				ts.EntryPoint = &id
			}
		}
	}
	for _, a := range f.ResourceARNs {
		ts.ResourceARNs = append(ts.ResourceARNs, resourceARN{a})
	}
	users := make([]string, 0, len(v.users))
	for u := range v.users {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		ts.Users = append(ts.Users, traceUser{UserName: u, ServiceIds: v.serviceIDs(v.users[u])})
	}
	return ts
}

func toAnnotationValue(x any) annotationValue {
	switch val := x.(type) {
	case string:
		return annotationValue{StringValue: &val}
	case float64:
		return annotationValue{NumberValue: &val}
	case bool:
		return annotationValue{BooleanValue: &val}
	}
	return annotationValue{}
}

func traceIDEpoch(id string) (float64, error) {
	t, err := traceheader.TraceIDTime(id)
	if err != nil {
		return 0, err
	}
	return float64(t.Unix()), nil
}
