package xray

import (
	"context"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// Sampling: the local X-Ray has one rule, AWS's "Default" rule (priority
// 10000, reservoir 1 per second, every service, host, method and path)
// with FixedRate from Options.SamplingRate. The SDKs reach these two
// operations through the daemon's TCP port when centralized sampling is
// on; answering them keeps the SDKs from logging errors.

const defaultRuleName = "Default"

type getSamplingRulesInput struct {
	NextToken string
}

type samplingRule struct {
	RuleName      string
	RuleARN       string
	ResourceARN   string
	Priority      int
	FixedRate     float64
	ReservoirSize int
	ServiceName   string
	ServiceType   string
	Host          string
	HTTPMethod    string
	URLPath       string
	Version       int
	Attributes    map[string]string
}

type samplingRuleRecord struct {
	SamplingRule samplingRule
	CreatedAt    float64
	ModifiedAt   float64
}

type getSamplingRulesOutput struct {
	SamplingRuleRecords []samplingRuleRecord
}

func (s *Service) getSamplingRules(_ context.Context, _ *getSamplingRulesInput) (*getSamplingRulesOutput, error) {
	rule := samplingRule{
		RuleName: defaultRuleName, RuleARN: arn.New("xray", "sampling-rule/"+defaultRuleName), ResourceARN: "*",
		Priority: 10000, FixedRate: s.samplingRate, ReservoirSize: 1, ServiceName: "*", ServiceType: "*",
		Host: "*", HTTPMethod: "*", URLPath: "*", Version: 1, Attributes: map[string]string{},
	}
	return &getSamplingRulesOutput{SamplingRuleRecords: []samplingRuleRecord{{SamplingRule: rule}}}, nil
}

type samplingStatisticsDocument struct {
	RuleName     string
	ClientID     string
	Timestamp    float64
	RequestCount int64
	SampledCount int64
	BorrowCount  int64
}

type getSamplingTargetsInput struct {
	SamplingStatisticsDocuments []samplingStatisticsDocument
}

type samplingTargetDocument struct {
	RuleName          string
	FixedRate         float64
	ReservoirQuota    int
	ReservoirQuotaTTL float64
	Interval          int
}

type unprocessedStatistics struct {
	RuleName  string
	ErrorCode string
	Message   string
}

type getSamplingTargetsOutput struct {
	SamplingTargetDocuments []samplingTargetDocument
	LastRuleModification    float64
	UnprocessedStatistics   []unprocessedStatistics
}

// samplingInterval is how often (seconds) SDKs should report statistics.
const samplingInterval = 10

func (s *Service) getSamplingTargets(_ context.Context, in *getSamplingTargetsInput) (*getSamplingTargetsOutput, error) {
	out := &getSamplingTargetsOutput{SamplingTargetDocuments: []samplingTargetDocument{},
		UnprocessedStatistics: []unprocessedStatistics{}}
	now := epoch(s.clock.Now())
	seen := map[string]bool{}
	for _, d := range in.SamplingStatisticsDocuments {
		if seen[d.RuleName] {
			continue
		}
		seen[d.RuleName] = true
		if d.RuleName != defaultRuleName {
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, unprocessedStatistics{
				RuleName: d.RuleName, ErrorCode: "400", Message: "Unknown rule " + d.RuleName})
			continue
		}
		out.SamplingTargetDocuments = append(out.SamplingTargetDocuments, samplingTargetDocument{
			RuleName: defaultRuleName, FixedRate: s.samplingRate, ReservoirQuota: 1,
			ReservoirQuotaTTL: now + samplingInterval, Interval: samplingInterval})
	}
	return out, nil
}

type putTelemetryRecordsInput struct {
	TelemetryRecords []map[string]any
	EC2InstanceId    string
	Hostname         string
	ResourceARN      string
}

type putTelemetryRecordsOutput struct{}

// putTelemetryRecords accepts the daemon's own telemetry and keeps none.
func (s *Service) putTelemetryRecords(_ context.Context, _ *putTelemetryRecordsInput) (*putTelemetryRecordsOutput, error) {
	return &putTelemetryRecordsOutput{}, nil
}
