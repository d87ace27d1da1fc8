package diagnose

import (
	"encoding/json"
	"strings"
)

// ARN parts: arn:partition:service:region:account:resource.

func arnPart(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[i]
}

func arnService(arn string) string { return arnPart(arn, 2) }

func arnAccount(arn string) string { return arnPart(arn, 4) }

// arnResourceName is the last segment of the resource: a function's,
// queue's, rule's or table's name.
func arnResourceName(arn string) string {
	res := arnPart(arn, 5)
	if i := strings.LastIndexAny(res, ":/"); i >= 0 {
		return res[i+1:]
	}
	return res
}

// deliveryAction is the IAM action a service needs to deliver to a target
// of this ARN on a role's behalf ("Amazon EventBridge targets", "Amazon
// EventBridge Pipes permissions"); "" for a service not known here.
func deliveryAction(target string) string {
	switch arnService(target) {
	case "lambda":
		return "lambda:InvokeFunction"
	case "states":
		return "states:StartExecution"
	case "events":
		return "events:PutEvents"
	case "sqs":
		return "sqs:SendMessage"
	case "sns":
		return "sns:Publish"
	case "kinesis":
		return "kinesis:PutRecord"
	case "firehose":
		return "firehose:PutRecord"
	}
	return ""
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// leafStrings are the string values anywhere in a JSON document.
func leafStrings(doc []byte) []string {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// sharesValue tells whether a pattern names any of the event's string
// values: a rule meant for this kind of event, as opposed to one for other
// events altogether.
func sharesValue(pattern string, values []string) bool {
	for _, v := range values {
		quoted, _ := json.Marshal(v)
		if len(v) > 1 && strings.Contains(pattern, string(quoted)) {
			return true
		}
	}
	return false
}
