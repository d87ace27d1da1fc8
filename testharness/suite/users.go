package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
)

// profileSK is the sort key of every item these tests write.
const profileSK = "PROFILE"

// putItem writes an item with the table's keys and a correlation id.
func putItem(ctx context.Context, env *testharness.Env, pk, correlationID string, extra map[string]string) error {
	table, err := env.Output(schemas.OutputTableName)
	if err != nil {
		return err
	}
	item := map[string]types.AttributeValue{
		schemas.TablePartitionKey:              &types.AttributeValueMemberS{Value: pk},
		schemas.TableSortKey:                   &types.AttributeValueMemberS{Value: profileSK},
		schemas.DynamoDBCorrelationIDAttribute: &types.AttributeValueMemberS{Value: correlationID},
	}
	for k, v := range extra {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	if _, err := env.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		return fmt.Errorf("PutItem %s/%s: %w", pk, profileSK, err)
	}
	return nil
}

// itemTrigger is the trigger of a user test: the item with partition key
// pk that it is about to write, or nil when the stack names no table (the
// write fails then).
func itemTrigger(env *testharness.Env, pk string) *testharness.Trigger {
	table, err := env.Output(schemas.OutputTableName)
	if err != nil {
		return nil
	}
	return &testharness.Trigger{At: time.Now(), DynamoDBItem: &testharness.DynamoDBItemTrigger{
		Table: table, Key: map[string]string{schemas.TablePartitionKey: pk, schemas.TableSortKey: profileSK},
	}}
}

// deleteItems removes the items whose partition keys are in the run's
// state under keys; missing items are no error.
func deleteItems(keys ...string) func(context.Context, *testharness.Env, testharness.Run) error {
	return func(ctx context.Context, env *testharness.Env, run testharness.Run) error {
		table, err := env.Output(schemas.OutputTableName)
		if err != nil {
			return err
		}
		var errs []error
		for _, k := range keys {
			pk := run.State[k]
			if pk == "" {
				continue
			}
			_, err := env.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
				schemas.TablePartitionKey: &types.AttributeValueMemberS{Value: pk},
				schemas.TableSortKey:      &types.AttributeValueMemberS{Value: profileSK},
			}})
			if err != nil {
				errs = append(errs, fmt.Errorf("DeleteItem %s/%s: %w", pk, profileSK, err))
			}
		}
		return errors.Join(errs...)
	}
}

// auditMessage is the exact audit entry for a new user.
func auditMessage(pk string) string {
	return schemas.NewUserCreatedAuditEntry(pk, profileSK).Message()
}

// auditPattern matches the audit log events about one partition key,
// whatever their event type.
func auditPattern(pk string) string {
	return fmt.Sprintf(`{ $.PK.S = "%s" }`, pk)
}

// expectAudited checks that the audit log group holds exactly the one
// entry of a new user pk.
func expectAudited(ctx context.Context, env *testharness.Env, pk string) error {
	group, err := env.Output(schemas.OutputAuditLogGroupName)
	if err != nil {
		return err
	}
	return env.ExpectLogMessages(ctx, group, auditPattern(pk), auditMessage(pk))
}

// ddbUserAuditLog: a new USER#… item → exactly one audit entry with the
// exact message, and a UserAuditLogged event naming it.
func ddbUserAuditLog() testharness.Test {
	return testharness.Test{
		Name:     "ddb_user_audit_log",
		Deadline: Deadline,
		Act: func(ctx context.Context, env *testharness.Env) (testharness.Run, error) {
			id, err := newCorrelationID("user")
			if err != nil {
				return testharness.Run{}, err
			}
			pk := schemas.UserPKPrefix + id
			run := testharness.Run{CorrelationID: id, State: map[string]string{"user": pk}, Trigger: itemTrigger(env, pk)}
			return run, putItem(ctx, env, pk, id, map[string]string{"name": "Ada"})
		},
		Await: testharness.Await{
			Success: []string{schemas.DetailTypeUserAuditLogged},
			Failure: []string{schemas.DetailTypeUserAuditFailed},
		},
		Assert: func(ctx context.Context, env *testharness.Env, run testharness.Run, done testharness.Completion) error {
			var logged schemas.UserAuditLogged
			if err := json.Unmarshal(done.Detail, &logged); err != nil {
				return fmt.Errorf("decode %s: %w", done.DetailType, err)
			}
			if logged.PK != run.State["user"] || logged.SK != profileSK {
				return fmt.Errorf("%s names %s/%s, want %s/%s", done.DetailType, logged.PK, logged.SK, run.State["user"], profileSK)
			}
			return expectAudited(ctx, env, run.State["user"])
		},
		Cleanup: deleteItems("user"),
	}
}

// pipeFilterIgnoresNonUsers: an ORDER#… insert and a modification of an
// existing USER item produce no audit entry. Proven by a canary (see
// testharness.ProveAbsence): a new user inserted after them, on the same
// stream, whose audit the test awaits. Only the canary carries the run's
// correlation id, so nothing else can end the wait.
func pipeFilterIgnoresNonUsers() testharness.Test {
	return testharness.Test{
		Name:     "pipe_filter_ignores_non_users",
		Deadline: Deadline,
		Act: func(ctx context.Context, env *testharness.Env) (testharness.Run, error) {
			id, err := newCorrelationID("filter")
			if err != nil {
				return testharness.Run{}, err
			}
			run := testharness.Run{CorrelationID: id, State: map[string]string{
				"existing": schemas.UserPKPrefix + id + "-existing",
				"order":    "ORDER#" + id,
				"canary":   schemas.UserPKPrefix + id + "-canary",
			}}
			// Arrange: a user that exists before the writes under test (its
			// insert is audited, once).
			if err := putItem(ctx, env, run.State["existing"], id+"-existing", map[string]string{"name": "Bob"}); err != nil {
				return run, err
			}
			err = testharness.ProveAbsence(ctx, []testharness.Step{
				{Name: "insert an order", Do: func(ctx context.Context) error {
					return putItem(ctx, env, run.State["order"], id+"-order", nil)
				}},
				{Name: "modify the existing user", Do: func(ctx context.Context) error {
					return putItem(ctx, env, run.State["existing"], id+"-existing", map[string]string{"name": "Robert"})
				}},
			}, testharness.Step{Name: "insert the canary user", Do: func(ctx context.Context) error {
				// The canary is the write whose flow the test awaits.
				run.Trigger = itemTrigger(env, run.State["canary"])
				return putItem(ctx, env, run.State["canary"], id, nil)
			}})
			return run, err
		},
		Await: testharness.Await{
			Success: []string{schemas.DetailTypeUserAuditLogged},
			Failure: []string{schemas.DetailTypeUserAuditFailed},
		},
		Assert: func(ctx context.Context, env *testharness.Env, run testharness.Run, done testharness.Completion) error {
			group, err := env.Output(schemas.OutputAuditLogGroupName)
			if err != nil {
				return err
			}
			if err := expectAudited(ctx, env, run.State["canary"]); err != nil {
				return fmt.Errorf("the canary: %w", err)
			}
			// The canary is audited, so the stream has delivered the two
			// writes before it: they must have been filtered out.
			if err := env.ExpectLogMessages(ctx, group, auditPattern(run.State["order"])); err != nil {
				return fmt.Errorf("the pipe let an ORDER insert through: %w", err)
			}
			if err := expectAudited(ctx, env, run.State["existing"]); err != nil {
				return fmt.Errorf("the existing user must be audited once, for its insert only: %w", err)
			}
			return nil
		},
		Cleanup: deleteItems("existing", "order", "canary"),
	}
}
