package sigv4

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Family is the protocol family of the service a request is for. AWS's
// front doors answer the same authentication failure with different codes
// and statuses per family, so the verifier needs to know it.
type Family int

// The protocol families.
const (
	// S3 is Amazon S3 (REST-XML): the payload hash travels in
	// x-amz-content-sha256 and the canonical path is encoded once.
	S3 Family = iota + 1
	// Query is the query protocol (IAM, STS, SQS's query mode).
	Query
	// JSON is awsJson 1.0/1.1 (DynamoDB, EventBridge, Logs, SQS, Step
	// Functions): failures are 400s.
	JSON
	// RESTJSON is restJson (Lambda, X-Ray, Pipes): the JSON codes, as 403s.
	RESTJSON
)

// Messages AWS sends (S3 API Reference, "Error responses"; STS and DynamoDB
// responses quoted in aws-sdk-js#254 and aws-cli#6676).
const (
	msgS3Mismatch    = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgMismatch      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgS3UnknownKey  = "The AWS Access Key Id you provided does not exist in our records."
	msgInvalidToken  = "The security token included in the request is invalid."
	msgS3BadToken    = "The provided token is malformed or otherwise invalid."
	msgS3Skewed      = "The difference between the request time and the current time is too large."
	msgContentSHA256 = "The provided 'x-amz-content-sha256' header does not match what was computed."
	// maxSkew is how far a signature's time may be from the server's.
	maxSkew = 15 * time.Minute
	// maxPresignExpires is S3's limit on X-Amz-Expires: seven days.
	maxPresignExpires = 604800
)

// status picks the family's HTTP status: 400 for awsJson, 403 otherwise.
func (f Family) status() int {
	if f == JSON {
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

// signatureMismatch is the answer to a signature that does not verify. S3
// adds what it signed so a client can compare.
func (f Family) signatureMismatch(accessKey string, sig *signing, provided string) error {
	switch f {
	case S3:
		e := awsproto.NewError("SignatureDoesNotMatch", http.StatusForbidden, msgS3Mismatch)
		e.Fields = map[string]any{"AWSAccessKeyId": accessKey, "StringToSign": string(sig.stringToSign),
			"SignatureProvided": provided, "CanonicalRequest": string(sig.canonical)}
		return e
	case Query:
		return awsproto.NewError("SignatureDoesNotMatch", http.StatusForbidden, msgMismatch)
	}
	return awsproto.NewError("InvalidSignatureException", f.status(), msgMismatch)
}

// unknownKey answers an access key id the local cloud never issued.
func (f Family) unknownKey(accessKey string) error {
	switch f {
	case S3:
		e := awsproto.NewError("InvalidAccessKeyId", http.StatusForbidden, msgS3UnknownKey)
		e.Fields = map[string]any{"AWSAccessKeyId": accessKey}
		return e
	case Query:
		return awsproto.NewError("InvalidClientTokenId", http.StatusForbidden, msgInvalidToken)
	}
	return awsproto.NewError("UnrecognizedClientException", f.status(), msgInvalidToken)
}

// badToken answers a session token that does not belong to the access key.
func (f Family) badToken() error {
	switch f {
	case S3:
		return awsproto.NewError("InvalidToken", http.StatusBadRequest, msgS3BadToken)
	case Query:
		return awsproto.NewError("InvalidClientTokenId", http.StatusForbidden, msgInvalidToken)
	}
	return awsproto.NewError("UnrecognizedClientException", f.status(), msgInvalidToken)
}

// skewed answers a header-signed request whose time is more than 15 minutes
// from now: S3's RequestTimeTooSkewed, elsewhere "Signature expired" or
// "Signature not yet current" in the wording STS and DynamoDB use.
func (f Family) skewed(signedAt, now time.Time) error {
	if f == S3 {
		e := awsproto.NewError("RequestTimeTooSkewed", http.StatusForbidden, msgS3Skewed)
		e.Fields = map[string]any{"RequestTime": signedAt.Format(timeFormat),
			"ServerTime": now.UTC().Format(time.RFC3339), "MaxAllowedSkewMilliseconds": "900000"}
		return e
	}
	var msg string
	if signedAt.Before(now) {
		msg = fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signedAt.Format(timeFormat), now.Add(-maxSkew).UTC().Format(timeFormat), now.UTC().Format(timeFormat))
	} else {
		msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signedAt.Format(timeFormat), now.Add(maxSkew).UTC().Format(timeFormat), now.UTC().Format(timeFormat))
	}
	return f.signatureError(msg)
}

// signatureError carries a message with the family's signature error code.
func (f Family) signatureError(msg string) error {
	switch f {
	case S3:
		return awsproto.NewError("AccessDenied", http.StatusForbidden, msg)
	case Query:
		return awsproto.NewError("SignatureDoesNotMatch", http.StatusForbidden, msg)
	}
	return awsproto.NewError("InvalidSignatureException", f.status(), msg)
}

// expired answers a presigned URL used after its X-Amz-Expires.
func (f Family) expired(signedAt time.Time, expires int, now time.Time) error {
	if f == S3 {
		e := awsproto.NewError("AccessDenied", http.StatusForbidden, "Request has expired")
		e.Fields = map[string]any{"X-Amz-Expires": strconv.Itoa(expires),
			"Expires":    signedAt.Add(time.Duration(expires) * time.Second).UTC().Format(time.RFC3339),
			"ServerTime": now.UTC().Format(time.RFC3339)}
		return e
	}
	return f.signatureError(fmt.Sprintf("Signature expired: %s is now earlier than %s",
		signedAt.Add(time.Duration(expires)*time.Second).UTC().Format(timeFormat), now.UTC().Format(timeFormat)))
}

// malformed answers an Authorization header or presigned query that lacks
// a part or has one AWS cannot read.
func (f Family) malformed(msg string) error {
	switch f {
	case S3:
		return awsproto.NewError("AuthorizationHeaderMalformed", http.StatusBadRequest,
			"The authorization header is malformed; "+msg)
	case Query:
		return awsproto.NewError("IncompleteSignature", http.StatusBadRequest, msg)
	}
	return awsproto.NewError("IncompleteSignatureException", http.StatusBadRequest, msg)
}

// malformedQuery answers a presigned URL whose parameters are wrong.
func (f Family) malformedQuery(msg string) error {
	if f == S3 {
		return awsproto.NewError("AuthorizationQueryParametersError", http.StatusBadRequest, msg)
	}
	return f.malformed(msg)
}

// missingAuth answers a request that carries no signature at all.
func (f Family) missingAuth() error {
	switch f {
	case S3:
		return awsproto.NewError("AccessDenied", http.StatusForbidden, "Access Denied")
	case Query:
		return awsproto.NewError("MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token")
	}
	return awsproto.NewError("MissingAuthenticationTokenException", f.status(), "Missing Authentication Token")
}

// contentSHA256Mismatch answers an S3 body whose hash is not the one signed.
func contentSHA256Mismatch(claimed, computed string) error {
	e := awsproto.NewError("XAmzContentSHA256Mismatch", http.StatusBadRequest, msgContentSHA256)
	e.Fields = map[string]any{"ClientComputedContentSHA256": claimed, "S3ComputedContentSHA256": computed}
	return e
}

// malformedChunk answers an aws-chunked body that does not parse.
func malformedChunk(what string) error {
	return awsproto.Errorf("IncompleteBody", http.StatusBadRequest, "The aws-chunked request body is malformed: %s", what)
}

// invalidRequest is S3's 400 InvalidRequest.
func invalidRequest(msg string) error {
	return awsproto.NewError("InvalidRequest", http.StatusBadRequest, msg)
}

// invalidArgument is S3's 400 InvalidArgument.
func invalidArgument(msg string) error {
	return awsproto.NewError("InvalidArgument", http.StatusBadRequest, msg)
}

// checkScopeNames refuses a credential scoped to another region or service
// than the endpoint's. The awsJson, query and restJson services answer
// with every mismatch in one message (as dynalite records DynamoDB's
// answer: "Credential should be scoped to a valid region, not 'c'.
// Credential should be scoped to correct service: 'dynamodb'. "); S3 says
// which region it expected, in its AuthorizationHeaderMalformed (or, for a
// presigned URL, AuthorizationQueryParametersError) with a Region element,
// and names the service the endpoint belongs to.
func (v Verifier) checkScopeNames(c credential, presigned bool) error {
	badRegion := v.Region != "" && c.region != v.Region
	badService := len(v.Services) > 0 && !slices.Contains(v.Services, c.service)
	if !badRegion && !badService {
		return nil
	}
	if v.Family == S3 {
		code, prefix := "AuthorizationHeaderMalformed", "The authorization header is malformed; "
		if presigned {
			code, prefix = "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; "
		}
		if badRegion {
			e := awsproto.NewError(code, http.StatusBadRequest, prefix+"the region '"+c.region+"' is wrong; expecting '"+v.Region+"'")
			e.Fields = map[string]any{"Region": v.Region}
			return e
		}
		return awsproto.NewError(code, http.StatusBadRequest,
			prefix+"incorrect service \""+c.service+"\". This endpoint belongs to \""+v.Services[0]+"\".")
	}
	var msg string
	if badRegion {
		msg += "Credential should be scoped to a valid region, not '" + c.region + "'. "
	}
	if badService {
		msg += "Credential should be scoped to correct service: '" + v.Services[0] + "'. "
	}
	return v.Family.signatureError(msg)
}
