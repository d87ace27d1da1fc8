package authz

import (
	"errors"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// denial is how a service answers an authorization failure: its error
// code and HTTP status (each service's API reference, "Common Errors" /
// "AccessDeniedException"), and for SQS the query code its JSON protocol
// also sends in x-amzn-query-error.
type denial struct {
	code      string
	status    int
	queryCode string
}

// denials by gateway service name; a service not listed answers as the
// awsJson services do.
var denials = map[string]denial{
	"s3":              {code: "AccessDenied", status: http.StatusForbidden},
	"sqs":             {code: "AccessDeniedException", status: http.StatusForbidden, queryCode: "AccessDenied"},
	"iam":             {code: "AccessDenied", status: http.StatusForbidden},
	"sts":             {code: "AccessDenied", status: http.StatusForbidden},
	"cloudformation":  {code: "AccessDenied", status: http.StatusForbidden},
	"lambda":          {code: "AccessDeniedException", status: http.StatusForbidden},
	"xray":            {code: "AccessDeniedException", status: http.StatusForbidden},
	"pipes":           {code: "AccessDeniedException", status: http.StatusForbidden},
	"schemas":         {code: "ForbiddenException", status: http.StatusForbidden},
	"dynamodb":        {code: "AccessDeniedException", status: http.StatusBadRequest},
	"dynamodbstreams": {code: "AccessDeniedException", status: http.StatusBadRequest},
	"events":          {code: "AccessDeniedException", status: http.StatusBadRequest},
	"logs":            {code: "AccessDeniedException", status: http.StatusBadRequest},
	"states":          {code: "AccessDeniedException", status: http.StatusBadRequest},
}

// denied is the service's AccessDenied error carrying IAM's message.
func denied(service, message string) error {
	d, ok := denials[service]
	if !ok {
		d = denial{code: "AccessDeniedException", status: http.StatusBadRequest}
	}
	e := awsproto.NewError(d.code, d.status, message)
	e.QueryCode = d.queryCode
	return e
}

// IsDenial tells whether err is an authorization failure, as opposed to
// a failure to decide (a resource policy that could not be read).
func IsDenial(err error) bool {
	var e *awsproto.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, d := range denials {
		if e.Code == d.code {
			return true
		}
	}
	return e.Code == "AccessDeniedException"
}
