package awsproto

import "context"

type traceHeaderKey struct{}

// WithTraceHeader returns a context that carries the X-Amzn-Trace-Id of the
// request it belongs to; the gateway puts every request's header there, so
// an operation that continues the caller's trace (PutEvents,
// StartExecution) finds it without reading HTTP headers.
func WithTraceHeader(ctx context.Context, header string) context.Context {
	return context.WithValue(ctx, traceHeaderKey{}, header)
}

// TraceHeader returns the X-Amzn-Trace-Id of the request ctx belongs to, or
// "" when it had none.
func TraceHeader(ctx context.Context) string {
	h, _ := ctx.Value(traceHeaderKey{}).(string)
	return h
}
