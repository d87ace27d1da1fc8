// Package sqs is the local cloud's Amazon SQS, as far as dead-letter queues
// and EventBridge targets need it and applications use it: standard queues
// with visibility timeouts, delays, long polling on the clock (never a busy
// loop), redrive to a dead-letter queue, message attributes with the MD5s
// the SDKs validate, and both wire protocols — awsJson1.0 (X-Amz-Target
// AmazonSQS.*, errors with x-amzn-query-error) and the query protocol of
// older clients.
//
// Queue URLs are http://<host>/000000000000/<name>; an API answer takes
// the host from the request, provisioners from Options.Endpoint.
//
// Where it differs from SQS is listed in testharness/localcloud/SUPPORT.md: FIFO queues keep
// their attributes but neither order per group nor deduplicate; queue
// policies and encryption settings are stored, not applied.
package sqs
