package logs

import (
	"context"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logfilter"
)

// MetricTransformation is what a metric filter publishes. The local cloud
// stores it; no CloudWatch metrics are emitted.
type MetricTransformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

// MetricFilter is a stored metric filter.
type MetricFilter struct {
	FilterName            string                 `json:"filterName"`
	FilterPattern         string                 `json:"filterPattern"`
	MetricTransformations []MetricTransformation `json:"metricTransformations"`
	CreationTime          int64                  `json:"creationTime"`
	LogGroupName          string                 `json:"logGroupName"`
}

// SubscriptionFilter is a stored subscription filter. Nothing is delivered
// to its destination.
type SubscriptionFilter struct {
	FilterName     string
	FilterPattern  string
	DestinationArn string
	RoleArn        string
	Distribution   string
}

// PutMetricFilter creates or replaces a metric filter; the pattern must
// compile.
func (s *Service) PutMetricFilter(ctx context.Context, f MetricFilter) error {
	if _, err := logfilter.Compile(f.FilterPattern); err != nil {
		return patternError(err, true)
	}
	if len(f.MetricTransformations) != 1 {
		return constraint("", "metricTransformations", "Member must have length less than or equal to 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.mustGroup(f.LogGroupName)
	if err != nil {
		return err
	}
	if old, ok := g.metricFilters[f.FilterName]; ok {
		f.CreationTime = old.CreationTime
	} else {
		f.CreationTime = s.nowMillis()
	}
	g.metricFilters[f.FilterName] = &f
	return nil
}

// DeleteMetricFilter deletes a metric filter.
func (s *Service) DeleteMetricFilter(ctx context.Context, groupName, filterName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.mustGroup(groupName)
	if err != nil {
		return err
	}
	if _, ok := g.metricFilters[filterName]; !ok {
		return metricFilterNotFound()
	}
	delete(g.metricFilters, filterName)
	return nil
}

// PutSubscriptionFilter stores a subscription filter (for the
// AWS::Logs::SubscriptionFilter provisioner); the pattern must compile.
func (s *Service) PutSubscriptionFilter(ctx context.Context, groupName string, f SubscriptionFilter) error {
	if _, err := logfilter.Compile(f.FilterPattern); err != nil {
		return patternError(err, false)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.mustGroup(groupName)
	if err != nil {
		return err
	}
	g.subscriptions[f.FilterName] = &f
	return nil
}

// DeleteSubscriptionFilter deletes a stored subscription filter.
func (s *Service) DeleteSubscriptionFilter(ctx context.Context, groupName, filterName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.mustGroup(groupName)
	if err != nil {
		return err
	}
	if _, ok := g.subscriptions[filterName]; !ok {
		return subscriptionFilterNotFound()
	}
	delete(g.subscriptions, filterName)
	return nil
}

func (s *Service) putMetricFilter(ctx context.Context, in *MetricFilter) (*empty, error) {
	return &empty{}, s.PutMetricFilter(ctx, *in)
}

type deleteMetricFilterInput struct {
	LogGroupName string `json:"logGroupName"`
	FilterName   string `json:"filterName"`
}

func (s *Service) deleteMetricFilter(ctx context.Context, in *deleteMetricFilterInput) (*empty, error) {
	return &empty{}, s.DeleteMetricFilter(ctx, in.LogGroupName, in.FilterName)
}

type describeMetricFiltersInput struct {
	LogGroupName     string `json:"logGroupName"`
	FilterNamePrefix string `json:"filterNamePrefix"`
	MetricName       string `json:"metricName"`
	MetricNamespace  string `json:"metricNamespace"`
	Limit            *int   `json:"limit"`
	NextToken        string `json:"nextToken"`
}

type describeMetricFiltersOutput struct {
	MetricFilters []MetricFilter `json:"metricFilters"`
	NextToken     string         `json:"nextToken,omitempty"`
}

// describeMetricFilters lists filters by group then name; the token is the
// last "group\x00name" returned.
func (s *Service) describeMetricFilters(ctx context.Context, in *describeMetricFiltersInput) (*describeMetricFiltersOutput, error) {
	if (in.MetricName == "") != (in.MetricNamespace == "") {
		return nil, invalidParameter("If you specify a metric name, you must also specify a metric namespace.")
	}
	if in.FilterNamePrefix != "" && in.LogGroupName == "" {
		return nil, invalidParameter("If you specify a filter name prefix, you must also specify a log group name.")
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if in.LogGroupName != "" {
		if _, err := s.mustGroup(in.LogGroupName); err != nil {
			return nil, err
		}
	}
	var list []MetricFilter
	for _, g := range s.groups {
		if in.LogGroupName != "" && g.name != in.LogGroupName {
			continue
		}
		for _, f := range g.metricFilters {
			if strings.HasPrefix(f.FilterName, in.FilterNamePrefix) && publishes(f, in.MetricName, in.MetricNamespace) &&
				g.name+"\x00"+f.FilterName > after {
				list = append(list, *f)
			}
		}
	}
	slices.SortFunc(list, func(a, b MetricFilter) int {
		return strings.Compare(a.LogGroupName+"\x00"+a.FilterName, b.LogGroupName+"\x00"+b.FilterName)
	})
	out := &describeMetricFiltersOutput{MetricFilters: []MetricFilter{}}
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		out.NextToken = encodeNameToken(last.LogGroupName + "\x00" + last.FilterName)
	}
	if list != nil {
		out.MetricFilters = list
	}
	return out, nil
}

func publishes(f *MetricFilter, name, namespace string) bool {
	if name == "" {
		return true
	}
	for _, t := range f.MetricTransformations {
		if t.MetricName == name && t.MetricNamespace == namespace {
			return true
		}
	}
	return false
}

type testMetricFilterInput struct {
	FilterPattern    string   `json:"filterPattern"`
	LogEventMessages []string `json:"logEventMessages"`
}

type metricFilterMatch struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

type testMetricFilterOutput struct {
	Matches []metricFilterMatch `json:"matches"`
}

// testMetricFilter tries a pattern on up to 50 messages; eventNumber is
// the 1-based position of a matching message, extractedValues the fields a
// space-delimited pattern binds (empty for other patterns).
func (s *Service) testMetricFilter(ctx context.Context, in *testMetricFilterInput) (*testMetricFilterOutput, error) {
	if n := len(in.LogEventMessages); n < 1 || n > 50 {
		rule := "Member must have length greater than or equal to 1"
		if n > 50 {
			rule = "Member must have length less than or equal to 50"
		}
		return nil, constraint("["+strings.Join(in.LogEventMessages, ", ")+"]", "logEventMessages", rule)
	}
	p, err := logfilter.Compile(in.FilterPattern)
	if err != nil {
		return nil, patternError(err, true)
	}
	out := &testMetricFilterOutput{Matches: []metricFilterMatch{}}
	for i, msg := range in.LogEventMessages {
		values, ok := p.Extract(msg)
		if !ok {
			continue
		}
		if values == nil {
			values = map[string]string{}
		}
		out.Matches = append(out.Matches, metricFilterMatch{EventNumber: int64(i + 1), EventMessage: msg, ExtractedValues: values})
	}
	return out, nil
}
