package cfnresource

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
)

// suffixAlphabet and suffixLength are those of the random tail of a
// generated name: twelve upper-case letters and digits, as in the
// "mystack-mytopic-NZJ5JSMVGFIE" of AWS::SNS::Topic's Ref in the
// CloudFormation template reference.
const (
	suffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	suffixLength   = 12
)

// GeneratedName is the physical name CloudFormation gives a resource whose
// template names none: StackName-LogicalId-SUFFIX (the "Name type" page of
// the CloudFormation user guide), at most max characters. When the whole
// does not fit, the tail and its hyphen keep their 13 characters and the
// rest is shared between the stack name and the logical id, the stack
// name's half rounding up and either part taking what the other leaves
// unused: names real stacks were given show this rule (KensioSoftware/yulin
// issue 1113). An empty StackName leaves the stack part out, for types
// CloudFormation names LogicalId-SUFFIX. Rules of a service (lower case for
// S3, a ".fifo" ending) belong to its caller.
func (r Request) GeneratedName(max int) string {
	tail := make([]byte, suffixLength)
	_, _ = rand.Read(tail) // crypto/rand.Read never fails (Go 1.24+)
	for i := range tail {
		tail[i] = suffixAlphabet[int(tail[i])%len(suffixAlphabet)]
	}
	if r.StackName == "" {
		return truncate(r.LogicalID, max-len(tail)-1) + "-" + string(tail)
	}
	stack, logical := r.StackName, r.LogicalID
	if room := max - len(tail) - 2; len(stack)+len(logical) > room {
		stackRoom := (room + 1) / 2
		if len(logical) < room-stackRoom {
			stackRoom = room - len(logical)
		}
		stack = truncate(stack, stackRoom)
		logical = truncate(logical, room-len(stack))
	}
	return stack + "-" + logical + "-" + string(tail)
}

func truncate(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// DecodeProperties decodes the resolved properties into v, a struct with
// the fields of the resource type's properties, through a JSON round trip.
func (r Request) DecodeProperties(v any) error {
	raw, err := json.Marshal(r.Properties)
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		return fmt.Errorf("%s %s: properties: %w", r.Type, r.LogicalID, err)
	}
	return nil
}
