package dynamodb

import (
	"context"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

var tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func checkTableName(name string) error {
	if !tableNamePattern.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255", name)
	}
	return nil
}

// streamLabel is the label DynamoDB gives a stream: its creation time in
// milliseconds, UTC.
func (s *Service) streamLabel() string {
	return s.clock.Now().UTC().Format("2006-01-02T15:04:05.000")
}

func parseKeySchema(elems []KeySchemaElement, what string) (keySchema, error) {
	var k keySchema
	switch {
	case len(elems) == 0 || len(elems) > 2:
		return k, validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must have length less than or equal to 2 and greater than or equal to 1", what)
	case elems[0].KeyType != "HASH":
		return k, invalidParam("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	case len(elems) == 2 && elems[1].KeyType != "RANGE":
		return k, invalidParam("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	case len(elems) == 2 && elems[0].AttributeName == elems[1].AttributeName:
		return k, invalidParam("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	k.pk = elems[0].AttributeName
	if len(elems) == 2 {
		k.sk = elems[1].AttributeName
	}
	return k, nil
}

func parseIndex(in SecondaryIndex, local bool, tableKeys keySchema) (*index, error) {
	keys, err := parseKeySchema(in.KeySchema, "keySchema")
	if err != nil {
		return nil, err
	}
	if local && (keys.pk != tableKeys.pk || keys.sk == "") {
		return nil, invalidParam("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
	}
	p := in.Projection
	switch p.ProjectionType {
	case "":
		p.ProjectionType = "ALL"
	case "ALL", "KEYS_ONLY", "INCLUDE":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]", p.ProjectionType)
	}
	return &index{name: in.IndexName, keys: keys, projection: p, throughput: in.ProvisionedThroughput, local: local}, nil
}

// checkAttributeDefinitions makes sure every key attribute is defined
// with a scalar type and nothing else is.
func checkAttributeDefinitions(types map[string]string, t *table) error {
	used := map[string]bool{}
	for _, k := range t.allKeySchemas() {
		for _, n := range []string{k.pk, k.sk} {
			if n == "" {
				continue
			}
			if types[n] == "" {
				return invalidParam("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", n, strings.Join(sortedKeys(types), ", "))
			}
			used[n] = true
		}
	}
	for n, typ := range types {
		if typ != "S" && typ != "N" && typ != "B" {
			return validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", typ)
		}
		if !used[n] {
			return invalidParam("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (t *table) allKeySchemas() []keySchema {
	out := []keySchema{t.keys}
	for _, ix := range append(append([]*index(nil), t.gsis...), t.lsis...) {
		out = append(out, ix.keys)
	}
	return out
}

func checkBilling(mode string, tp *ProvisionedThroughput) (string, error) {
	switch mode {
	case "", "PROVISIONED":
		if tp == nil {
			return "", invalidParam("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		return "PROVISIONED", nil
	case "PAY_PER_REQUEST":
		if tp != nil && (tp.ReadCapacityUnits != 0 || tp.WriteCapacityUnits != 0) {
			return "", invalidParam("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		return mode, nil
	}
	return "", validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
}

func checkStreamSpec(spec *StreamSpecification) error {
	if spec == nil || !spec.StreamEnabled {
		return nil
	}
	switch spec.StreamViewType {
	case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
		return nil
	case "":
		return invalidParam("StreamSpecification must have StreamViewType set when StreamEnabled is true")
	}
	return validation("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", spec.StreamViewType)
}

// CreateTable creates a table, ACTIVE at once.
func (s *Service) CreateTable(ctx context.Context, in *CreateTableInput) (*TableOutput, error) {
	if err := checkTableName(in.TableName); err != nil {
		return nil, err
	}
	keys, err := parseKeySchema(in.KeySchema, "keySchema")
	if err != nil {
		return nil, err
	}
	billing, err := checkBilling(in.BillingMode, in.ProvisionedThroughput)
	if err != nil {
		return nil, err
	}
	if err := checkStreamSpec(in.StreamSpecification); err != nil {
		return nil, err
	}
	t := &table{name: in.TableName, arn: arn.New("dynamodb", "table/"+in.TableName), id: awsproto.NewRequestID(),
		created: s.clock.Now(), attrTypes: map[string]string{}, keys: keys, billing: billing,
		sse: in.SSESpecification, protection: in.DeletionProtectionEnabled, parts: map[string]*partition{}}
	if in.ProvisionedThroughput != nil {
		t.throughput = *in.ProvisionedThroughput
	}
	for _, d := range in.AttributeDefinitions {
		t.attrTypes[d.AttributeName] = d.AttributeType
	}
	names := map[string]bool{}
	for _, g := range in.GlobalSecondaryIndexes {
		ix, err := parseIndex(g, false, keys)
		if err != nil {
			return nil, err
		}
		t.gsis = append(t.gsis, ix)
		if names[g.IndexName] {
			return nil, invalidParam("Duplicate index name: %s", g.IndexName)
		}
		names[g.IndexName] = true
	}
	for _, l := range in.LocalSecondaryIndexes {
		ix, err := parseIndex(l, true, keys)
		if err != nil {
			return nil, err
		}
		t.lsis = append(t.lsis, ix)
		if names[l.IndexName] {
			return nil, invalidParam("Duplicate index name: %s", l.IndexName)
		}
		names[l.IndexName] = true
	}
	if err := checkAttributeDefinitions(t.attrTypes, t); err != nil {
		return nil, err
	}
	if spec := in.StreamSpecification; spec != nil && spec.StreamEnabled {
		t.stream = &StreamSpecification{StreamEnabled: true, StreamViewType: spec.StreamViewType}
		t.streamLabel = s.streamLabel()
	}
	s.mu.Lock()
	if s.tables[t.name] != nil {
		s.mu.Unlock()
		return nil, errTableInUse(t.name)
	}
	s.tables[t.name] = t
	d := t.describe()
	after := t.activeStreamARN()
	s.mu.Unlock()
	s.announceStream(ctx, "", after, d)
	return &TableOutput{TableDescription: &d}, nil
}

// describe renders the table. Must hold s.mu.
func (t *table) describe() TableDescription {
	d := TableDescription{TableName: t.name, TableArn: t.arn, TableId: t.id, TableStatus: "ACTIVE",
		CreationDateTime: float64(t.created.UnixMilli()) / 1000, KeySchema: t.keys.elements(),
		ItemCount: t.itemCount, TableSizeBytes: t.sizeBytes,
		ProvisionedThroughput: ProvisionedThroughputDescription{ReadCapacityUnits: t.throughput.ReadCapacityUnits,
			WriteCapacityUnits: t.throughput.WriteCapacityUnits},
		BillingModeSummary: &BillingModeSummary{BillingMode: t.billing}, DeletionProtectionEnabled: t.protection}
	for _, n := range sortedKeys(t.attrTypes) {
		d.AttributeDefinitions = append(d.AttributeDefinitions, AttributeDefinition{AttributeName: n, AttributeType: t.attrTypes[n]})
	}
	for _, ix := range t.gsis {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, t.describeIndex(ix))
	}
	for _, ix := range t.lsis {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, t.describeIndex(ix))
	}
	if t.stream != nil {
		d.StreamSpecification = t.stream
	}
	if t.streamLabel != "" {
		d.LatestStreamLabel, d.LatestStreamArn = t.streamLabel, t.streamARN()
	}
	if t.sse != nil {
		d.SSEDescription = map[string]any{"Status": "ENABLED", "SSEType": "KMS"}
	}
	return d
}

func (t *table) describeIndex(ix *index) IndexDescription {
	d := IndexDescription{IndexName: ix.name, KeySchema: ix.keys.elements(), Projection: ix.projection,
		IndexArn: t.arn + "/index/" + ix.name}
	if !ix.local {
		d.IndexStatus = "ACTIVE"
		d.ProvisionedThroughput = &ProvisionedThroughputDescription{}
		if ix.throughput != nil {
			d.ProvisionedThroughput.ReadCapacityUnits = ix.throughput.ReadCapacityUnits
			d.ProvisionedThroughput.WriteCapacityUnits = ix.throughput.WriteCapacityUnits
		}
	}
	t.each(func(it attr.Item) bool {
		if ix.has(it) {
			d.ItemCount++
			d.IndexSizeBytes += int64(it.Size())
		}
		return true
	})
	return d
}

// DescribeTable describes a table.
func (s *Service) DescribeTable(ctx context.Context, in *TableNameInput) (*DescribeTableOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[in.TableName]
	if t == nil {
		return nil, errTableNotFound(in.TableName)
	}
	d := t.describe()
	return &DescribeTableOutput{Table: &d}, nil
}

// ListTables lists table names in order, a page at a time.
func (s *Service) ListTables(ctx context.Context, in *ListTablesInput) (*ListTablesOutput, error) {
	limit := in.Limit
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 100 {
		return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", limit)
	}
	s.mu.Lock()
	names := sortedKeys(s.tables)
	s.mu.Unlock()
	start := sort.SearchStrings(names, in.ExclusiveStartTableName)
	if start < len(names) && names[start] == in.ExclusiveStartTableName {
		start++
	}
	out := &ListTablesOutput{TableNames: []string{}}
	for _, n := range names[start:] {
		if len(out.TableNames) == limit {
			out.LastEvaluatedTableName = out.TableNames[limit-1]
			break
		}
		out.TableNames = append(out.TableNames, n)
	}
	return out, nil
}

// DeleteTable deletes a table and its items at once.
func (s *Service) DeleteTable(ctx context.Context, in *TableNameInput) (*TableOutput, error) {
	out, before, err := s.deleteTable(in)
	if err != nil {
		return nil, err
	}
	s.announceStream(ctx, before, "", *out.TableDescription)
	return out, nil
}

// deleteTable removes a table and returns the stream it had enabled.
func (s *Service) deleteTable(in *TableNameInput) (*TableOutput, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[in.TableName]
	if t == nil {
		return nil, "", errTableNotFound(in.TableName)
	}
	if t.protection {
		return nil, "", validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	d := t.describe()
	d.TableStatus = "DELETING"
	delete(s.tables, in.TableName)
	return &TableOutput{TableDescription: &d}, t.activeStreamARN(), nil
}

// UpdateTable changes billing, throughput, the stream and GSIs.
func (s *Service) UpdateTable(ctx context.Context, in *UpdateTableInput) (*TableOutput, error) {
	s.mu.Lock()
	t := s.tables[in.TableName]
	if t == nil {
		s.mu.Unlock()
		return nil, errTableNotFound(in.TableName)
	}
	before := t.activeStreamARN()
	out, err := s.updateTable(t, in)
	after := t.activeStreamARN()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.announceStream(ctx, before, after, *out.TableDescription)
	return out, nil
}

// updateTable applies an update to t, or nothing when it fails. Must hold
// s.mu.
func (s *Service) updateTable(t *table, in *UpdateTableInput) (*TableOutput, error) {
	// Work on a copy of the definition so a failed update changes nothing.
	next := *t
	next.attrTypes = map[string]string{}
	for k, v := range t.attrTypes {
		next.attrTypes[k] = v
	}
	for _, d := range in.AttributeDefinitions {
		next.attrTypes[d.AttributeName] = d.AttributeType
	}
	if in.BillingMode != "" || in.ProvisionedThroughput != nil {
		mode := in.BillingMode
		if mode == "" {
			mode = t.billing
		}
		billing, err := checkBilling(mode, in.ProvisionedThroughput)
		if err != nil {
			return nil, err
		}
		next.billing = billing
		next.throughput = ProvisionedThroughput{}
		if in.ProvisionedThroughput != nil {
			next.throughput = *in.ProvisionedThroughput
		}
	}
	if spec := in.StreamSpecification; spec != nil {
		if err := checkStreamSpec(spec); err != nil {
			return nil, err
		}
		switch {
		case spec.StreamEnabled && t.stream != nil:
			return nil, awsproto.Errorf("ResourceInUseException", http.StatusBadRequest, "Table already has an enabled stream: %s", t.arn)
		case !spec.StreamEnabled && t.stream == nil:
			return nil, validation("Table already has no stream enabled: %s", t.arn)
		case spec.StreamEnabled:
			next.stream = &StreamSpecification{StreamEnabled: true, StreamViewType: spec.StreamViewType}
			next.streamLabel = s.streamLabel()
		default:
			next.stream = nil
		}
	}
	next.gsis = append([]*index(nil), t.gsis...)
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			if next.index(u.Create.IndexName) != nil {
				return nil, validation("One or more parameter values were invalid: Attempting to create an index which already exists")
			}
			ix, err := parseIndex(*u.Create, false, t.keys)
			if err != nil {
				return nil, err
			}
			next.gsis = append(next.gsis, ix)
		case u.Delete != nil:
			kept := next.gsis[:0:0]
			for _, ix := range next.gsis {
				if ix.name != u.Delete.IndexName {
					kept = append(kept, ix)
				}
			}
			if len(kept) == len(next.gsis) {
				return nil, awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest, "Requested resource not found: Index: %s not found", u.Delete.IndexName)
			}
			next.gsis = kept
		case u.Update != nil:
			ix := next.index(u.Update.IndexName)
			if ix == nil || ix.local {
				return nil, awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest, "Requested resource not found: Index: %s not found", u.Update.IndexName)
			}
			cp := *ix
			cp.throughput = u.Update.ProvisionedThroughput
			for i := range next.gsis {
				if next.gsis[i] == ix {
					next.gsis[i] = &cp
				}
			}
		}
	}
	if len(in.GlobalSecondaryIndexUpdates) > 0 || len(in.AttributeDefinitions) > 0 {
		// Definitions no key uses any more are dropped, as DynamoDB does.
		for n := range next.attrTypes {
			if !next.usesKey(n) {
				delete(next.attrTypes, n)
			}
		}
		if err := checkAttributeDefinitions(next.attrTypes, &next); err != nil {
			return nil, err
		}
	}
	if in.SSESpecification != nil {
		next.sse = in.SSESpecification
	}
	if in.DeletionProtectionEnabled != nil {
		next.protection = *in.DeletionProtectionEnabled
	}
	*t = next
	d := t.describe()
	return &TableOutput{TableDescription: &d}, nil
}

func (t *table) usesKey(name string) bool {
	for _, k := range t.allKeySchemas() {
		if k.pk == name || k.sk == name {
			return true
		}
	}
	return false
}

// UpdateTimeToLive enables or disables TTL on an attribute.
func (s *Service) UpdateTimeToLive(ctx context.Context, in *UpdateTimeToLiveInput) (*UpdateTimeToLiveOutput, error) {
	spec := in.TimeToLiveSpecification
	if spec.AttributeName == "" {
		return nil, validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[in.TableName]
	if t == nil {
		return nil, errTableNotFound(in.TableName)
	}
	switch {
	case spec.Enabled && t.ttlEnabled:
		return nil, validation("TimeToLive is already enabled")
	case !spec.Enabled && !t.ttlEnabled:
		return nil, validation("TimeToLive is already disabled")
	case !spec.Enabled && spec.AttributeName != t.ttlAttr:
		return nil, validation("TimeToLive attribute name %s does not match the enabled attribute %s", spec.AttributeName, t.ttlAttr)
	}
	t.ttlEnabled, t.ttlAttr = spec.Enabled, spec.AttributeName
	if !spec.Enabled {
		t.ttlAttr = ""
	}
	return &UpdateTimeToLiveOutput{TimeToLiveSpecification: spec}, nil
}

// DescribeTimeToLive tells whether TTL is enabled and on which attribute.
func (s *Service) DescribeTimeToLive(ctx context.Context, in *TableNameInput) (*DescribeTimeToLiveOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[in.TableName]
	if t == nil {
		return nil, errTableNotFound(in.TableName)
	}
	out := &DescribeTimeToLiveOutput{}
	out.TimeToLiveDescription.TimeToLiveStatus = "DISABLED"
	if t.ttlEnabled {
		out.TimeToLiveDescription.TimeToLiveStatus = "ENABLED"
		out.TimeToLiveDescription.AttributeName = t.ttlAttr
	}
	return out, nil
}

// Tables returns the names of all tables, for the harness.
func (s *Service) Tables() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.tables)
}
