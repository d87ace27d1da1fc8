// Package dynamodb is the local cloud's Amazon DynamoDB: tables from the
// API or a CloudFormation template, items in memory, the expression
// language (package expr), exact 38-digit numbers (package attr), queries
// and scans over ordered storage, batches, transactions, TTL, and a Change
// for every write to a table with a stream, which the Streams service turns
// into stream records.
//
// Where it differs from DynamoDB (testharness/localcloud/SUPPORT.md has the full list): tables and
// indexes are ACTIVE at once; nothing is throttled and batches never leave
// unprocessed items; secondary index reads are strongly consistent and
// computed from the table on each read; consumed capacity is estimated from
// item sizes; the legacy parameters other than AttributesToGet are refused.
//
// Locking: one mutex per service guards every table (so transactions over
// several tables are atomic); the ChangeSink runs after it is released, in
// write order (see changes.go).
package dynamodb
