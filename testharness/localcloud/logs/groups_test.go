package logs_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

func TestDescribeLogGroupsReportsARNsRetentionAndBytes(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "/aws/lambda/audit", "s")
	e.put(t, "/aws/lambda/audit", "s", ev(0, "hello"), ev(time.Second, "world!"))
	if _, err := e.client.PutRetentionPolicy(e.ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/audit"), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 {
		t.Fatalf("got %d groups", len(out.LogGroups))
	}
	g := out.LogGroups[0]
	if got, want := aws.ToString(g.Arn), "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/audit:*"; got != want {
		t.Errorf("arn %q, want %q", got, want)
	}
	if got, want := aws.ToString(g.LogGroupArn), "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/audit"; got != want {
		t.Errorf("logGroupArn %q, want %q", got, want)
	}
	if aws.ToInt32(g.RetentionInDays) != 7 || aws.ToInt64(g.StoredBytes) != 11 || aws.ToInt64(g.CreationTime) != start.UnixMilli() ||
		g.LogGroupClass != types.LogGroupClassStandard {
		t.Errorf("group = retention %d, storedBytes %d, creationTime %d, class %q", aws.ToInt32(g.RetentionInDays),
			aws.ToInt64(g.StoredBytes), aws.ToInt64(g.CreationTime), g.LogGroupClass)
	}

	if _, err := e.client.DeleteRetentionPolicy(e.ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/audit")}); err != nil {
		t.Fatal(err)
	}
	out, _ = e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{})
	if out.LogGroups[0].RetentionInDays != nil {
		t.Errorf("retention after DeleteRetentionPolicy = %d, want absent", *out.LogGroups[0].RetentionInDays)
	}
}

func TestDescribeLogGroupsPrefixPatternAndPaging(t *testing.T) {
	e := newEnv(t, logs.Options{})
	for _, name := range []string{"/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c", "/app/Audit-Log", "other"} {
		e.mustGroupStream(t, name)
	}
	names := func(in *cwl.DescribeLogGroupsInput) []string {
		t.Helper()
		var got []string
		p := cwl.NewDescribeLogGroupsPaginator(e.client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range page.LogGroups {
				got = append(got, aws.ToString(g.LogGroupName))
			}
		}
		return got
	}
	if got := strings.Join(names(&cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/"), Limit: aws.Int32(2)}), ","); got != "/aws/lambda/a,/aws/lambda/b,/aws/lambda/c" {
		t.Errorf("prefix, paged by 2: %s", got)
	}
	if got := strings.Join(names(&cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("audit")}), ","); got != "/app/Audit-Log" {
		t.Errorf("pattern (case-insensitive substring): %s", got)
	}
	_, err := e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/a"), LogGroupNamePattern: aws.String("a")})
	wantAPIError(t, err, "InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
}

func TestLogGroupLifecycleErrors(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")
	_, err := e.client.CreateLogGroup(e.ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = e.client.CreateLogStream(e.ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	wantAPIError(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = e.client.CreateLogGroup(e.ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	wantAPIError(t, err, "InvalidParameterException", `1 validation error detected: Value 'bad name!' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	_, err = e.client.CreateLogStream(e.ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
	wantAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*")
	_, err = e.client.PutRetentionPolicy(e.ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(10)})
	wantAPIError(t, err, "InvalidParameterException", "Invalid retention value. Valid values are: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	_, err = e.client.PutRetentionPolicy(e.ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("missing"), RetentionInDays: aws.Int32(1)})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")

	if _, err := e.client.DeleteLogStream(e.ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteLogStream(e.ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	if _, err := e.client.DeleteLogGroup(e.ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteLogGroup(e.ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestTags(t *testing.T) {
	e := newEnv(t, logs.Options{})
	if _, err := e.client.CreateLogGroup(e.ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:g"
	if _, err := e.client.TagResource(e.ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UntagResource(e.ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.ListTagsForResource(e.ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn + ":*")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 1 || out.Tags["env"] != "test" {
		t.Errorf("tags = %v, want env=test only", out.Tags)
	}
	_, err = e.client.ListTagsForResource(e.ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestUnknownOperation(t *testing.T) {
	e := newEnv(t, logs.Options{})
	_, err := e.client.StartQuery(e.ctx, &cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	wantAPIError(t, err, "UnknownOperationException", "")
	var status interface{ HTTPStatusCode() int }
	if !asStatus(err, &status) || status.HTTPStatusCode() != http.StatusBadRequest {
		t.Errorf("want HTTP 400, got %v", err)
	}
}
