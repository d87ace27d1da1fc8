// Package logs is the local cloud's CloudWatch Logs: log groups and
// streams, PutLogEvents with AWS's validations and limits, GetLogEvents
// with forward and backward tokens, FilterLogEvents and TestMetricFilter on
// the shared filter pattern library (package logfilter), metric filters,
// retention, tags, and the CloudFormation types AWS::Logs::LogGroup,
// LogStream, MetricFilter and SubscriptionFilter.
//
// Each stream keeps its events in one slice sorted by (timestamp, ingestion
// sequence), the order GetLogEvents returns; FilterLogEvents scans the
// streams of a group and merges matches in that order across streams. The
// sequence number is per group, so a position between events is a
// (timestamp, sequence) pair: tokens encode one, and stay valid when events
// arrive out of order.
//
// Other services write through PutEvents (Lambda's function output) and
// the harness awaits entries through Subscribe, with no polling.
//
// Where it differs from AWS (also in testharness/localcloud/SUPPORT.md): metric filters publish no
// metrics and subscription filters deliver nothing; DataProtectionPolicy is
// ignored; storedBytes counts uncompressed message bytes; Logs Insights,
// Live Tail, export tasks, destinations, resource policies and account
// policies are not implemented (UnknownOperationException).
package logs
