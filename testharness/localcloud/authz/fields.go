package authz

import (
	"encoding/json"
	"errors"
	"strings"
)

// decodeFields fills f from the top-level members of an awsJson request
// body, as json.Unmarshal into f would (names matched case-insensitively,
// the last of a repeated member wins, a member of another type left
// unset), without decoding the rest: the authorizer reads the names of a
// request's resources on every request, and the body's bulk — a PutItem's
// item, a PutEvents' details — is the service's to decode. A body that is
// not JSON is an error.
func decodeFields(body []byte, f *fields) error {
	if !json.Valid(body) {
		return errors.New("authz: request body is not JSON")
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil // valid JSON of another shape names nothing
	}
	i = skipSpace(body, i+1)
	for body[i] != '}' {
		end := skipValue(body, i)
		name, err := decodeString(body[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(body, end)
		i = skipSpace(body, i+1) // the colon
		end = skipValue(body, i)
		if err := f.set(name, body[i:end]); err != nil {
			return err
		}
		i = skipSpace(body, end)
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return nil
}

// set decodes the member name of f from value, when f has it.
func (f *fields) set(name string, value []byte) error {
	var dst any
	for _, m := range f.members() {
		if strings.EqualFold(m.name, name) {
			dst = m.dst
			break
		}
	}
	if dst == nil {
		return nil
	}
	if s, ok := dst.(*string); ok && value[0] == '"' {
		var err error
		*s, err = decodeString(value)
		return err
	}
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(value, dst); err != nil && !errors.As(err, &typeErr) {
		return err
	}
	return nil
}

// member is one decodable member of fields.
type member struct {
	name string
	dst  any
}

func (f *fields) members() [20]member {
	return [...]member{{"TableName", &f.TableName}, {"IndexName", &f.IndexName}, {"StreamArn", &f.StreamArn},
		{"ShardIterator", &f.ShardIterator}, {"ResourceArn", &f.ResourceArn}, {"RequestItems", &f.RequestItems},
		{"TransactItems", &f.TransactItems}, {"QueueUrl", &f.QueueUrl}, {"QueueName", &f.QueueName},
		{"EventBusName", &f.EventBusName}, {"Name", &f.Name}, {"Rule", &f.Rule}, {"ArchiveName", &f.ArchiveName},
		{"ReplayName", &f.ReplayName}, {"Entries", &f.Entries}, {"LogGroupName", &f.LogGroupName},
		{"LogStreamName", &f.LogStreamName}, {"LogGroupIdentifier", &f.LogGroupIdentifier},
		{"StateMachineArn", &f.StateMachineArn}, {"ExecutionArn", &f.ExecutionArn}}
}

// decodeString decodes a JSON string: at once when it is ASCII without
// escapes (names and ARNs are), else as encoding/json does.
func decodeString(v []byte) (string, error) {
	if plain := len(v) >= 2 && v[0] == '"'; plain {
		for _, c := range v[1 : len(v)-1] {
			if c == '\\' || c >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return string(v[1 : len(v)-1]), nil
		}
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value that starts at b[i], in a
// document known to be valid.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		for i++; b[i] != '"'; i++ {
			if b[i] == '\\' {
				i++
			}
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			case '"':
				i = skipValue(b, i) - 1
			}
		}
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}
