package xray

import (
	"bytes"
	"encoding/json"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// segment is one parsed segment or subsegment document. Only the fields
// the store indexes are decoded; raw keeps the document as sent, which is
// what BatchGetTraces returns.
type segment struct {
	ID          string          `json:"id"`
	TraceID     string          `json:"trace_id"`
	ParentID    string          `json:"parent_id"`
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Origin      string          `json:"origin"`
	Namespace   string          `json:"namespace"`
	User        string          `json:"user"`
	ResourceARN string          `json:"resource_arn"`
	StartTime   float64         `json:"start_time"`
	EndTime     float64         `json:"end_time"`
	InProgress  bool            `json:"in_progress"`
	Fault       bool            `json:"fault"`
	Error       bool            `json:"error"`
	Throttle    bool            `json:"throttle"`
	HTTP        *httpInfo       `json:"http"`
	AWS         *awsInfo        `json:"aws"`
	Annotations map[string]any  `json:"annotations"`
	Cause       json.RawMessage `json:"cause"`
	Subsegments []*segment      `json:"subsegments"`

	raw []byte
}

type httpInfo struct {
	Request *struct {
		Method    string `json:"method"`
		URL       string `json:"url"`
		UserAgent string `json:"user_agent"`
		ClientIP  string `json:"client_ip"`
	} `json:"request"`
	Response *struct {
		Status int `json:"status"`
	} `json:"response"`
}

type awsInfo struct {
	AccountID string `json:"account_id"`
	EC2       *struct {
		InstanceID       string `json:"instance_id"`
		AvailabilityZone string `json:"availability_zone"`
	} `json:"ec2"`
}

func (s *segment) isSubsegment() bool { return s.Type == "subsegment" }

func (s *segment) status() int {
	if s.HTTP != nil && s.HTTP.Response != nil {
		return s.HTTP.Response.Status
	}
	return 0
}

// faulted, errored and throttled read the flags and, as X-Ray does, the
// HTTP status class.
func (s *segment) faulted() bool { st := s.status(); return s.Fault || st >= 500 && st < 600 }
func (s *segment) errored() bool {
	st := s.status()
	return s.Error || s.Throttle || st >= 400 && st < 500
}
func (s *segment) throttled() bool { return s.Throttle || s.status() == 429 }

// end is the end time, or the start time while in progress.
func (s *segment) end() float64 {
	if s.EndTime > 0 {
		return s.EndTime
	}
	return s.StartTime
}

// exceptionMessages lists the messages of the cause's exceptions. A cause
// may also be a bare exception id string, which has none.
func (s *segment) exceptionMessages() []string {
	if len(s.Cause) == 0 || s.Cause[0] != '{' {
		return nil
	}
	var c struct {
		Exceptions []struct {
			Message string `json:"message"`
		} `json:"exceptions"`
	}
	if json.Unmarshal(s.Cause, &c) != nil {
		return nil
	}
	var out []string
	for _, e := range c.Exceptions {
		out = append(out, e.Message)
	}
	return out
}

// invalidSegment is a document X-Ray refuses, with the code it reports in
// UnprocessedTraceSegments. The message follows the form AWS returns,
// "Invalid segment. ErrorCode: MissingId" (seen in humanmade/aws-xray#29).
type invalidSegment struct {
	ID   string
	Code string
}

func (e *invalidSegment) Error() string { return "Invalid segment. ErrorCode: " + e.Code }

// parseSegment decodes and validates one document as sent to the daemon
// or to PutTraceSegments. The rules are the segment document reference's
// required fields.
func parseSegment(doc []byte) (*segment, error) {
	doc = bytes.TrimSpace(doc)
	var s segment
	if err := json.Unmarshal(doc, &s); err != nil {
		return nil, &invalidSegment{Code: "ParseError"}
	}
	s.raw = doc
	code := ""
	switch {
	case s.ID == "":
		code = "MissingId"
	case !traceheader.ValidSegmentID(s.ID):
		code = "InvalidId"
	case s.TraceID == "":
		code = "MissingTraceId"
	case !traceheader.ValidTraceID(s.TraceID):
		code = "InvalidTraceId"
	case s.Name == "":
		code = "MissingName"
	case s.StartTime <= 0:
		code = "MissingStartTime"
	case s.EndTime <= 0 && !s.InProgress:
		code = "MissingEndTime"
	case s.isSubsegment() && s.ParentID == "":
		code = "MissingParentId"
	}
	if code != "" {
		return nil, &invalidSegment{ID: s.ID, Code: code}
	}
	return &s, nil
}

// walk calls fn for s and every subsegment nested in it, depth first.
func (s *segment) walk(fn func(*segment)) {
	fn(s)
	for _, sub := range s.Subsegments {
		if sub != nil {
			sub.walk(fn)
		}
	}
}
