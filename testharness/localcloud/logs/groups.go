package logs

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// retentionValues are the retention periods PutRetentionPolicy and
// AWS::Logs::LogGroup accept (API reference, PutRetentionPolicy).
var retentionValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// logGroupClasses are the values of logGroupClass.
var logGroupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}

var groupNamePattern = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)

// GroupConfig is what a log group is created with.
type GroupConfig struct {
	RetentionInDays int // 0: never expire
	KmsKeyID        string
	LogGroupClass   string // STANDARD when empty
	Tags            map[string]string
}

func validateGroupName(name, member string) error {
	switch {
	case len(name) < 1:
		return constraint(name, member, "Member must have length greater than or equal to 1")
	case len(name) > 512:
		return constraint(name, member, "Member must have length less than or equal to 512")
	case !groupNamePattern.MatchString(name):
		return constraint(name, member, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	}
	return nil
}

// validateRetention answers as AWS does for a period it does not offer
// (message quoted in aws/aws-cdk#1343, with today's list of values).
func validateRetention(days int) error {
	if slices.Contains(retentionValues, days) {
		return nil
	}
	vals := make([]string, len(retentionValues))
	for i, v := range retentionValues {
		vals[i] = itoa(int64(v))
	}
	return invalidParameter("Invalid retention value. Valid values are: [%s]", strings.Join(vals, ", "))
}

// CreateGroup creates a log group.
func (s *Service) CreateGroup(ctx context.Context, name string, cfg GroupConfig) error {
	if err := validateGroupName(name, "logGroupName"); err != nil {
		return err
	}
	if cfg.RetentionInDays != 0 {
		if err := validateRetention(cfg.RetentionInDays); err != nil {
			return err
		}
	}
	if cfg.LogGroupClass == "" {
		cfg.LogGroupClass = "STANDARD"
	}
	if !slices.Contains(logGroupClasses, cfg.LogGroupClass) {
		return constraint(cfg.LogGroupClass, "logGroupClass", "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; ok {
		return groupExists()
	}
	s.groups[name] = newGroup(name, s.nowMillis(), cfg)
	return nil
}

func newGroup(name string, now int64, cfg GroupConfig) *group {
	tags := map[string]string{}
	for k, v := range cfg.Tags {
		tags[k] = v
	}
	return &group{name: name, created: now, retention: cfg.RetentionInDays, kmsKeyID: cfg.KmsKeyID,
		class: cfg.LogGroupClass, tags: tags, streams: map[string]*stream{},
		metricFilters: map[string]*MetricFilter{}, subscriptions: map[string]*SubscriptionFilter{}}
}

// DeleteGroup deletes a log group with its streams, events and filters.
func (s *Service) DeleteGroup(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; !ok {
		return groupNotFound()
	}
	delete(s.groups, name)
	return nil
}

// SetRetention sets a group's retention in days; 0 removes it.
func (s *Service) SetRetention(ctx context.Context, name string, days int) error {
	if days != 0 {
		if err := validateRetention(days); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[name]
	if !ok {
		return groupNotFound()
	}
	g.retention = days
	g.sweep(s.nowMillis())
	return nil
}

// groupName resolves the logGroupName / logGroupIdentifier pair of the
// read operations: exactly one, and an identifier may be a name or an ARN
// (with or without the trailing ":*").
func groupName(name, identifier string) (string, error) {
	switch {
	case name != "" && identifier != "":
		return "", invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != "":
		return name, nil
	case identifier == "":
		return "", invalidParameter("Either logGroupName or logGroupIdentifier must be specified.")
	case !strings.HasPrefix(identifier, "arn:"):
		return identifier, nil
	}
	a, err := arn.Parse(identifier)
	rest, ok := strings.CutPrefix(a.Resource, "log-group:")
	if err != nil || a.Service != "logs" || !ok {
		return "", constraint(identifier, "logGroupIdentifier", `Member must satisfy regular expression pattern: [\w#+=/:,.@-]*`)
	}
	return strings.TrimSuffix(rest, ":*"), nil
}

// mustGroup returns the named group. Must hold s.mu.
func (s *Service) mustGroup(name string) (*group, error) {
	g, ok := s.groups[name]
	if !ok {
		return nil, groupNotFound()
	}
	return g, nil
}

type createLogGroupInput struct {
	LogGroupName  string            `json:"logGroupName"`
	KmsKeyID      string            `json:"kmsKeyId"`
	LogGroupClass string            `json:"logGroupClass"`
	Tags          map[string]string `json:"tags"`
}

type empty struct{}

func (s *Service) createLogGroup(ctx context.Context, in *createLogGroupInput) (*empty, error) {
	return &empty{}, s.CreateGroup(ctx, in.LogGroupName, GroupConfig{KmsKeyID: in.KmsKeyID, LogGroupClass: in.LogGroupClass, Tags: in.Tags})
}

type groupNameInput struct {
	LogGroupName string `json:"logGroupName"`
}

func (s *Service) deleteLogGroup(ctx context.Context, in *groupNameInput) (*empty, error) {
	return &empty{}, s.DeleteGroup(ctx, in.LogGroupName)
}

type putRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays int    `json:"retentionInDays"`
}

func (s *Service) putRetentionPolicy(ctx context.Context, in *putRetentionPolicyInput) (*empty, error) {
	if err := validateRetention(in.RetentionInDays); err != nil {
		return nil, err
	}
	return &empty{}, s.SetRetention(ctx, in.LogGroupName, in.RetentionInDays)
}

func (s *Service) deleteRetentionPolicy(ctx context.Context, in *groupNameInput) (*empty, error) {
	return &empty{}, s.SetRetention(ctx, in.LogGroupName, 0)
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
	Limit               *int   `json:"limit"`
	NextToken           string `json:"nextToken"`
}

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int    `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	StoredBytes       int64  `json:"storedBytes"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	LogGroupClass     string `json:"logGroupClass"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroupOut `json:"logGroups"`
	NextToken string        `json:"nextToken,omitempty"`
}

// describeLogGroups lists groups in name order; the token is the last name
// returned.
func (s *Service) describeLogGroups(ctx context.Context, in *describeLogGroupsInput) (*describeLogGroupsOutput, error) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	pattern := strings.ToLower(in.LogGroupNamePattern)

	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.groups))
	for name := range s.groups {
		if strings.HasPrefix(name, in.LogGroupNamePrefix) && strings.Contains(strings.ToLower(name), pattern) && name > after {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := &describeLogGroupsOutput{LogGroups: []logGroupOut{}}
	if len(names) > limit {
		names = names[:limit]
		out.NextToken = encodeNameToken(names[limit-1])
	}
	for _, name := range names {
		g := s.groups[name]
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: name, CreationTime: g.created, RetentionInDays: g.retention,
			MetricFilterCount: len(g.metricFilters), Arn: groupStarARN(name), LogGroupArn: groupARN(name),
			StoredBytes: g.bytes, KmsKeyID: g.kmsKeyID, LogGroupClass: g.class,
		})
	}
	return out, nil
}
