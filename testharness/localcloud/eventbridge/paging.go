package eventbridge

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// maxLimit is the largest Limit the List operations take.
const maxLimit = 100

// paginate returns the page of items that token starts and the token of
// the next page. The token is an offset: lists are sorted by name.
func paginate[T any](items []T, token string, limit int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", awsproto.ValidationError("The NextToken provided is invalid.")
		}
		start = n
	}
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// namesWithPrefix lists a map's keys that begin with prefix, sorted, as
// the List operations page them.
func namesWithPrefix[V any](m map[string]V, prefix string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
