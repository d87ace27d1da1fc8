package awsproto

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
)

// QueryOperation is one operation of a query-protocol service (form-encoded
// Action=…&Version=…). It returns the value that becomes <OpResult>.
type QueryOperation func(ctx context.Context, params url.Values) (any, error)

// QueryService serves a query-protocol service such as CloudFormation, STS,
// IAM, or SQS for older clients.
type QueryService struct {
	// Namespace is the xmlns of responses, such as
	// "http://cloudformation.amazonaws.com/doc/2010-05-15/".
	Namespace  string
	Operations map[string]QueryOperation
}

func (s *QueryService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		WriteQueryError(ctx, w, s.Namespace, Errorf("MalformedQueryString", http.StatusBadRequest, "The request body could not be parsed: %v", err))
		return
	}
	s.Serve(ctx, w, r.Form)
}

// Serve runs the operation named by params' Action; services that also
// speak another protocol (SQS) call it after their own detection.
func (s *QueryService) Serve(ctx context.Context, w http.ResponseWriter, params url.Values) {
	action := params.Get("Action")
	op := s.Operations[action]
	if op == nil {
		WriteQueryError(ctx, w, s.Namespace, Errorf("InvalidAction", http.StatusBadRequest,
			"The action %s is not valid for this web service.", action))
		return
	}
	out, err := op(ctx, params)
	if err != nil {
		WriteQueryError(ctx, w, s.Namespace, err)
		return
	}
	WriteQueryResult(ctx, w, s.Namespace, action, out)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type queryResponse struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

// queryResult is <ActionResult> holding the operation's value: the value's
// fields (or, for an xml.Marshaler, what it writes) become its children.
type queryResult struct {
	name  string
	inner any
}

func (r queryResult) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(r.inner, xml.StartElement{Name: xml.Name{Local: r.name}})
}

// WriteQueryResult renders <ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata/></ActionResponse>. result is marshalled as
// ActionResult itself: its fields become the result's members, whatever
// its own type or XMLName; a nil result leaves ActionResult out.
func WriteQueryResult(ctx context.Context, w http.ResponseWriter, namespace, action string, result any) {
	resp := queryResponse{XMLName: xml.Name{Local: action + "Response"}, Xmlns: namespace,
		Metadata: responseMetadata{RequestID: RequestID(ctx)}}
	if result != nil {
		resp.Result = queryResult{name: action + "Result", inner: result}
	}
	body, err := xml.Marshal(resp)
	if err != nil {
		WriteQueryError(ctx, w, namespace, InternalError(fmt.Errorf("encode response: %w", err)))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", RequestID(ctx))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

type queryErrorResponse struct {
	XMLName   xml.Name       `xml:"ErrorResponse"`
	Xmlns     string         `xml:"xmlns,attr"`
	Error     queryErrorBody `xml:"Error"`
	RequestID string         `xml:"RequestId"`
}

type queryErrorBody struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// WriteQueryError renders the query protocol's <ErrorResponse>.
func WriteQueryError(ctx context.Context, w http.ResponseWriter, namespace string, err error) {
	e := AsError(err)
	fault := "Sender"
	if !e.IsClientError() {
		fault = "Receiver"
	}
	code := e.Code
	if e.QueryCode != "" {
		code = e.QueryCode
	}
	body, _ := xml.Marshal(queryErrorResponse{Xmlns: namespace, RequestID: RequestID(ctx),
		Error: queryErrorBody{Type: fault, Code: code, Message: e.Message}})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", RequestID(ctx))
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
