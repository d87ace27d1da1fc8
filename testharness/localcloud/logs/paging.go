package logs

import (
	"encoding/base64"
	"strconv"
)

// pageLimit reads an optional limit member: def when absent, otherwise it
// must be within 1..max.
func pageLimit(limit *int, max int) (int, error) {
	if limit == nil {
		return max, nil
	}
	switch {
	case *limit < 1:
		return 0, constraint(itoa(int64(*limit)), "limit", "Member must have value greater than or equal to 1")
	case *limit > max:
		return 0, constraint(itoa(int64(*limit)), "limit", "Member must have value less than or equal to "+itoa(int64(max)))
	}
	return *limit, nil
}

// Name-ordered listings (groups, streams, filters) page with a token that
// is the last name returned; the next page starts after it.

func encodeNameToken(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + name))
}

func decodeNameToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < len("after:") || string(b[:6]) != "after:" {
		return "", invalidToken()
	}
	return string(b[6:]), nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Listings whose order is not a name (streams by last event time) page
// with an offset token.

func encodeOffsetToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func decodeOffsetToken(token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < len("offset:") || string(b[:7]) != "offset:" {
		return 0, invalidToken()
	}
	n, err := strconv.Atoi(string(b[7:]))
	if err != nil || n < 0 {
		return 0, invalidToken()
	}
	return n, nil
}
