package awsproto_test

import (
	"io"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

func TestReadBodyOfAHeldBodyIsItsBytes(t *testing.T) {
	data := []byte(`{"TableName":"T"}`)
	got, err := awsproto.ReadBody(awsproto.NewHeldBody(data, io.NopCloser(nil)), 1<<20)
	if err != nil || &got[0] != &data[0] || string(got) != string(data) {
		t.Errorf("ReadBody = %q, %v; want the held bytes themselves", got, err)
	}
	held := awsproto.NewHeldBody(data, io.NopCloser(nil))
	if _, err := io.ReadFull(held, make([]byte, 2)); err != nil {
		t.Fatal(err)
	}
	if got, err := awsproto.ReadBody(held, 1<<20); err != nil || string(got) != `TableName":"T"}` {
		t.Errorf("ReadBody after 2 bytes were read = %q, %v", got, err)
	}
	if got, err := awsproto.ReadBody(held, 1<<20); err != nil || len(got) != 0 {
		t.Errorf("ReadBody of a consumed body = %q, %v", got, err)
	}
	if got, err := awsproto.ReadBody(strings.NewReader("abcdef"), 3); err != nil || string(got) != "abc" {
		t.Errorf("ReadBody of a plain body = %q, %v; want the limit's worth", got, err)
	}
}
