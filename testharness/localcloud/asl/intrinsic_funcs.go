package asl

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"strings"
)

// The intrinsic functions of the developer guide
// (amazon-states-language-intrinsic-functions.md). Each receives its
// evaluated arguments and returns a value or an error describing the bad
// argument; the caller turns that into States.IntrinsicFailure.

type intrinsicFunc func(args []any) (any, error)

var intrinsicFuncs = map[string]intrinsicFunc{
	"States.Format":         fnFormat,
	"States.StringToJson":   fnStringToJSON,
	"States.JsonToString":   fnJSONToString,
	"States.Array":          func(args []any) (any, error) { return append([]any{}, args...), nil },
	"States.ArrayPartition": fnArrayPartition,
	"States.ArrayContains":  fnArrayContains,
	"States.ArrayRange":     fnArrayRange,
	"States.ArrayGetItem":   fnArrayGetItem,
	"States.ArrayLength":    fnArrayLength,
	"States.ArrayUnique":    fnArrayUnique,
	"States.Base64Encode":   fnBase64Encode,
	"States.Base64Decode":   fnBase64Decode,
	"States.Hash":           fnHash,
	"States.JsonMerge":      fnJSONMerge,
	"States.MathRandom":     fnMathRandom,
	"States.MathAdd":        fnMathAdd,
	"States.StringSplit":    fnStringSplit,
	"States.UUID":           fnUUID,
}

// formatTemplate is a States.Format template written as a literal, still
// carrying its \{ \} escapes.
type formatTemplate string

func wantArgs(args []any, n int) error {
	if len(args) != n {
		return fmt.Errorf("expected %d arguments, got %d", n, len(args))
	}
	return nil
}

func argString(args []any, i int) (string, error) {
	switch s := args[i].(type) {
	case string:
		return s, nil
	case formatTemplate:
		return string(s), nil
	}
	return "", fmt.Errorf("argument %d must be a string, got %s", i+1, jsonTypeName(args[i]))
}

func argArray(args []any, i int) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, fmt.Errorf("argument %d must be an array, got %s", i+1, jsonTypeName(args[i]))
	}
	return a, nil
}

func argInt(args []any, i int) (int64, error) {
	n, ok := toInt(args[i])
	if !ok {
		return 0, fmt.Errorf("argument %d must be an integer, got %s", i+1, encodeJSON(args[i]))
	}
	return n, nil
}

func fnFormat(args []any) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("a template string is required")
	}
	_, escaped := args[0].(formatTemplate)
	s, err := argString(args, 0)
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	next := 1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escaped && c == '\\' && i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '}') {
			out.WriteByte(s[i+1])
			i++
			continue
		}
		if c == '{' && i+1 < len(s) && s[i+1] == '}' {
			if next >= len(args) {
				return nil, fmt.Errorf("the template has more placeholders than the %d arguments given", len(args)-1)
			}
			switch v := args[next].(type) {
			case map[string]any, []any:
				return nil, fmt.Errorf("argument %d must be a string, number, boolean or null, got %s", next+1, jsonTypeName(v))
			case string:
				out.WriteString(v)
			default:
				out.WriteString(encodeJSON(v))
			}
			next++
			i++
			continue
		}
		out.WriteByte(c)
	}
	if next != len(args) {
		return nil, fmt.Errorf("the template has %d placeholders but %d arguments were given", next-1, len(args)-1)
	}
	return out.String(), nil
}

func fnStringToJSON(args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args, 0)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return nil, err
	}
	return v, nil
}

func fnJSONToString(args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	return encodeJSON(args[0]), nil
}

func fnArrayPartition(args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args, 0)
	if err != nil {
		return nil, err
	}
	n, err := argInt(args, 1)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("the chunk size must be greater than 0, got %d", n)
	}
	out := []any{}
	for i := 0; i < len(a); i += int(n) {
		end := min(i+int(n), len(a))
		out = append(out, append([]any{}, a[i:end]...))
	}
	return out, nil
}

func fnArrayContains(args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args, 0)
	if err != nil {
		return nil, err
	}
	for _, v := range a {
		if jsonEqual(v, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

// maxArrayRangeItems is AWS's documented limit for States.ArrayRange.
const maxArrayRangeItems = 1000

func fnArrayRange(args []any) (any, error) {
	if err := wantArgs(args, 3); err != nil {
		return nil, err
	}
	var n [3]int64
	for i := range n {
		v, err := argInt(args, i)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return nil, errors.New("the step must not be 0")
	}
	out := []any{}
	for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
		if len(out) == maxArrayRangeItems {
			return nil, fmt.Errorf("the range has more than %d items", maxArrayRangeItems)
		}
		out = append(out, v)
	}
	return out, nil
}

func fnArrayGetItem(args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argArray(args, 0)
	if err != nil {
		return nil, err
	}
	i, err := argInt(args, 1)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, fmt.Errorf("index %d is out of bounds for an array of length %d", i, len(a))
	}
	return a[i], nil
}

func fnArrayLength(args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	a, err := argArray(args, 0)
	if err != nil {
		return nil, err
	}
	return int64(len(a)), nil
}

func fnArrayUnique(args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	a, err := argArray(args, 0)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, v := range a {
		dup := false
		for _, w := range out {
			if jsonEqual(v, w) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out, nil
}

// maxBase64Chars is AWS's documented input limit for Base64Encode/Decode.
const maxBase64Chars = 10000

func fnBase64Encode(args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args, 0)
	if err != nil {
		return nil, err
	}
	if len(s) > maxBase64Chars {
		return nil, fmt.Errorf("the input is longer than %d characters", maxBase64Chars)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(args []any) (any, error) {
	if err := wantArgs(args, 1); err != nil {
		return nil, err
	}
	s, err := argString(args, 0)
	if err != nil {
		return nil, err
	}
	if len(s) > maxBase64Chars {
		return nil, fmt.Errorf("the input is longer than %d characters", maxBase64Chars)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the input is not valid base64: %w", err)
	}
	return string(b), nil
}

func fnHash(args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	data, ok := args[0].(string)
	if !ok {
		data = encodeJSON(args[0])
	}
	algo, err := argString(args, 1)
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch algo {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported hash algorithm %q: use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", algo)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(args []any) (any, error) {
	if err := wantArgs(args, 3); err != nil {
		return nil, err
	}
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	if !ok1 || !ok2 {
		return nil, errors.New("the first two arguments must be JSON objects")
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, errors.New("the third argument must be a boolean")
	}
	if deep {
		// Developer guide: "Step Functions only supports the shallow merging
		// mode; therefore, you must specify the boolean value as false."
		return nil, errors.New("only shallow merging is supported: the third argument must be false")
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

func fnMathRandom(args []any) (any, error) {
	if len(args) != 2 && len(args) != 3 {
		return nil, fmt.Errorf("expected 2 or 3 arguments, got %d", len(args))
	}
	start, err := argInt(args, 0)
	if err != nil {
		return nil, err
	}
	end, err := argInt(args, 1)
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, fmt.Errorf("the end %d must be greater than the start %d", end, start)
	}
	span := uint64(end - start)
	if len(args) == 3 {
		seed, err := argInt(args, 2)
		if err != nil {
			return nil, err
		}
		r := mrand.New(mrand.NewPCG(uint64(seed), 0))
		return start + int64(r.Uint64N(span)), nil
	}
	n, err := rand.Int(rand.Reader, new(big.Int).SetUint64(span))
	if err != nil {
		return nil, fmt.Errorf("reading randomness: %w", err)
	}
	return start + n.Int64(), nil
}

func fnMathAdd(args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	a, err := argInt(args, 0)
	if err != nil {
		return nil, err
	}
	b, err := argInt(args, 1)
	if err != nil {
		return nil, err
	}
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return nil, errors.New("the sum overflows")
	}
	return a + b, nil
}

// fnStringSplit splits on any of the delimiter characters and drops empty
// pieces: the developer guide's example splits "This.is+a,test=string" on
// ".+,=" into five words.
func fnStringSplit(args []any) (any, error) {
	if err := wantArgs(args, 2); err != nil {
		return nil, err
	}
	s, err := argString(args, 0)
	if err != nil {
		return nil, err
	}
	delims, err := argString(args, 1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, f)
	}
	return out, nil
}

func fnUUID(args []any) (any, error) {
	if err := wantArgs(args, 0); err != nil {
		return nil, err
	}
	return newUUID(), nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
