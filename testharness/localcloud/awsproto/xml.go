package awsproto

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
)

// WriteXML renders a REST-XML result (S3) with S3's request id headers.
func WriteXML(ctx context.Context, w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		WriteS3Error(ctx, w, nil, InternalError(fmt.Errorf("encode response: %w", err)))
		return
	}
	setS3RequestHeaders(ctx, w)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

type s3ErrorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Extra     []xmlField
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// WriteS3Error renders an error as S3 does: an <Error> document, or only the
// status and headers when the request was a HEAD, whose response has no body.
func WriteS3Error(ctx context.Context, w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	setS3RequestHeaders(ctx, w)
	if r != nil && r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	body := s3ErrorBody{Code: e.Code, Message: e.Message, RequestID: RequestID(ctx), HostID: hostID(ctx)}
	for k, v := range e.Fields {
		body.Extra = append(body.Extra, xmlField{XMLName: xml.Name{Local: k}, Value: fmt.Sprint(v)})
	}
	encoded, _ := xml.Marshal(body)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(encoded)
}

func setS3RequestHeaders(ctx context.Context, w http.ResponseWriter) {
	w.Header().Set("X-Amz-Request-Id", RequestID(ctx))
	w.Header().Set("X-Amz-Id-2", hostID(ctx))
}

func hostID(ctx context.Context) string { return "localcloud/" + RequestID(ctx) }
