package logs_test

import (
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

func TestTestMetricFilterExtractsValues(t *testing.T) {
	e := newEnv(t, logs.Options{})
	out, err := e.client.TestMetricFilter(e.ctx, &cwl.TestMetricFilterInput{
		FilterPattern: aws.String("[ip, user, ..., status = 4*, bytes]"),
		LogEventMessages: []string{
			"127.0.0.1 frank GET 200 1534",
			"10.0.0.9 alice GET /x 404 77",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Matches) != 1 {
		t.Fatalf("matches %+v, want one", out.Matches)
	}
	m := out.Matches[0]
	want := map[string]string{"$ip": "10.0.0.9", "$user": "alice", "$3": "GET", "$4": "/x", "$status": "404", "$bytes": "77"}
	if m.EventNumber != 2 || aws.ToString(m.EventMessage) != "10.0.0.9 alice GET /x 404 77" || !maps.Equal(m.ExtractedValues, want) {
		t.Errorf("match #%d %q %v; want #2 with %v", m.EventNumber, aws.ToString(m.EventMessage), m.ExtractedValues, want)
	}

	json, err := e.client.TestMetricFilter(e.ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(`{ $.level = "ERROR" }`),
		LogEventMessages: []string{`{"level":"INFO"}`, `{"level":"ERROR"}`}})
	if err != nil {
		t.Fatal(err)
	}
	if len(json.Matches) != 1 || json.Matches[0].EventNumber != 2 || len(json.Matches[0].ExtractedValues) != 0 {
		t.Errorf("JSON matches %+v", json.Matches)
	}

	_, err = e.client.TestMetricFilter(e.ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(`{ $.a = }`), LogEventMessages: []string{"x"}})
	wantAPIError(t, err, "InvalidParameterException", "Invalid metric filter pattern")
}

func TestMetricFilterLifecycle(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g")
	tr := []types.MetricTransformation{{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"), MetricValue: aws.String("1")}}
	if _, err := e.client.PutMetricFilter(e.ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("errors"),
		FilterPattern: aws.String("ERROR"), MetricTransformations: tr}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.PutMetricFilter(e.ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("bad"),
		FilterPattern: aws.String("{ $.a = }"), MetricTransformations: tr})
	wantAPIError(t, err, "InvalidParameterException", "Invalid metric filter pattern")

	out, err := e.client.DescribeMetricFilters(e.ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 1 || aws.ToString(out.MetricFilters[0].FilterPattern) != "ERROR" ||
		aws.ToString(out.MetricFilters[0].MetricTransformations[0].MetricName) != "Errors" {
		t.Fatalf("filters %+v", out.MetricFilters)
	}
	groups, _ := e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{})
	if aws.ToInt32(groups.LogGroups[0].MetricFilterCount) != 1 {
		t.Errorf("metricFilterCount %d, want 1", aws.ToInt32(groups.LogGroups[0].MetricFilterCount))
	}
	if _, err := e.client.DeleteMetricFilter(e.ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("errors")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteMetricFilter(e.ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("errors")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified metric filter does not exist.")
}
