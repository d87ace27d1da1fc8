package authz

import (
	"net"
	"net/http"
	"strconv"
)

// requestContext returns the global condition keys of an HTTP request
// (IAM User Guide, "AWS global condition context keys").
//
// aws:SecureTransport is true for TLS and for loopback: the local cloud
// listens on loopback, where a request never leaves the machine, which is
// what a policy that denies "aws:SecureTransport": "false" protects. CDK's
// enforceSSL bucket and queue policies therefore allow the app's own
// requests, as they do on AWS over HTTPS. A plain-HTTP request from another
// host (a cloud started on a non-loopback address) is not secure.
func requestContext(r *http.Request) map[string][]string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	secure := r.TLS != nil || (ip != nil && ip.IsLoopback())
	keys := map[string][]string{"aws:SecureTransport": {strconv.FormatBool(secure)}}
	if ip != nil {
		keys["aws:SourceIp"] = []string{ip.String()}
	}
	if ua := r.UserAgent(); ua != "" {
		keys["aws:UserAgent"] = []string{ua}
	}
	return keys
}
