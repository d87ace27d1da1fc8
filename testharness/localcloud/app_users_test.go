package localcloud_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
)

// putItem writes an item with the table's PK/SK and a correlation id.
func (a *app) putItem(t *testing.T, pk, sk, correlationID string, extra map[string]string) {
	t.Helper()
	table := a.output(t, schemas.OutputTableName)
	item := map[string]types.AttributeValue{
		schemas.TablePartitionKey:              &types.AttributeValueMemberS{Value: pk},
		schemas.TableSortKey:                   &types.AttributeValueMemberS{Value: sk},
		schemas.DynamoDBCorrelationIDAttribute: &types.AttributeValueMemberS{Value: correlationID},
	}
	for k, v := range extra {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := dynamodb.NewFromConfig(a.cfg).PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatalf("PutItem %s/%s: %v", pk, sk, err)
	}
}

// awaitAudited waits for the UserAuditLogged event of a correlation id.
func awaitAudited(t *testing.T, completions <-chan []byte, correlationID string) schemas.UserAuditLogged {
	t.Helper()
	e := nextEvent(t, completions, "UserAuditLogged for "+correlationID, func(e envelope) bool {
		return e.DetailType == schemas.DetailTypeUserAuditLogged && strings.Contains(string(e.Detail), `"`+correlationID+`"`)
	})
	var d schemas.UserAuditLogged
	if err := json.Unmarshal(e.Detail, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func auditPattern(pk string) string {
	return fmt.Sprintf(`{ ($.EventType = "UserCreated") && ($.PK.S = "%s") }`, pk)
}

func TestUserAuditFlowWritesExactlyOneEntry(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	auditGroup := a.output(t, schemas.OutputAuditLogGroupName)
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))

	a.putItem(t, "USER#ada", "PROFILE", "corr-user-1", nil)
	got := awaitAudited(t, completions, "corr-user-1")
	if got.PK != "USER#ada" || got.SK != "PROFILE" || got.LogGroup != auditGroup {
		t.Errorf("UserAuditLogged = %+v", got)
	}
	entries := a.logMessages(t, auditGroup, auditPattern("USER#ada"))
	want := `{"EventType":"UserCreated","PK":{"S":"USER#ada"},"SK":{"S":"PROFILE"}}`
	if len(entries) != 1 || entries[0] != want {
		t.Fatalf("audit entries for USER#ada = %q, want exactly [%s]", entries, want)
	}

	fnGroup := a.functionLogGroup(t, auditFunctionPackage)
	// The platform writes END and REPORT once the invocation is over,
	// which may be after the completion event the function emitted.
	for _, line := range []string{"START RequestId:", "END RequestId:", "REPORT RequestId:"} {
		a.awaitLogMessages(t, fnGroup, `"`+line+`"`)
	}
}

func TestPipeFilterIgnoresNonUsers(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	auditGroup := a.output(t, schemas.OutputAuditLogGroupName)
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))

	a.putItem(t, "USER#bob", "PROFILE", "corr-existing", nil)
	awaitAudited(t, completions, "corr-existing")

	// Neither an order nor a change to an existing user is a new user.
	a.putItem(t, "ORDER#1", "ITEM#1", "corr-order", nil)
	a.putItem(t, "USER#bob", "PROFILE", "corr-existing", map[string]string{"name": "Bob"})
	// The canary: a later new user. The stream keeps order, so once the
	// canary is audited the pipe has seen, and filtered, the two writes
	// before it.
	a.putItem(t, "USER#canary", "PROFILE", "corr-canary", nil)
	awaitAudited(t, completions, "corr-canary")

	all := a.logMessages(t, auditGroup, "")
	want := []string{
		`{"EventType":"UserCreated","PK":{"S":"USER#bob"},"SK":{"S":"PROFILE"}}`,
		`{"EventType":"UserCreated","PK":{"S":"USER#canary"},"SK":{"S":"PROFILE"}}`,
	}
	if strings.Join(all, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log = %q, want only %q", all, want)
	}
}

func TestPipeWithoutFilterAuditsEverything(t *testing.T) {
	dir := assemblyedit.Copy(t, appAssemblyDir, func(tmpl assemblyedit.Template) {
		for _, pipe := range tmpl.ResourcesOfType(t, "AWS::Pipes::Pipe") {
			props := pipe["Properties"].(map[string]any)
			delete(props["SourceParameters"].(map[string]any), "FilterCriteria")
		}
	})
	a := deployApp(t, dir)
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))

	a.putItem(t, "ORDER#1", "ITEM#1", "corr-order", nil)
	if got := awaitAudited(t, completions, "corr-order"); got.PK != "ORDER#1" {
		t.Fatalf("UserAuditLogged = %+v, want the order audited by the unfiltered pipe", got)
	}
	entries := a.logMessages(t, a.output(t, schemas.OutputAuditLogGroupName), auditPattern("ORDER#1"))
	if len(entries) != 1 {
		t.Fatalf("audit entries for ORDER#1 = %q, want one: without its filter the pipe audits every record", entries)
	}
}
