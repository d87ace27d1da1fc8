package eventschemas

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// schemaOutput is SchemaOutput (CreateSchema, UpdateSchema) and, with
// Content, DescribeSchemaOutput.
type schemaOutput struct {
	Content            string `json:",omitempty"`
	Description        string `json:",omitempty"`
	LastModified       string
	SchemaArn          string
	SchemaName         string
	SchemaVersion      string
	Tags               map[string]string `json:"tags,omitempty"`
	Type               string
	VersionCreatedDate string
}

func schemaOut(v SchemaVersion, withContent bool) schemaOutput {
	out := schemaOutput{Description: v.Description, LastModified: timestamp(v.LastModified), SchemaArn: v.ARN,
		SchemaName: v.Name, SchemaVersion: v.Version, Tags: v.Tags, Type: v.Type, VersionCreatedDate: timestamp(v.VersionCreated)}
	if withContent {
		out.Content = v.Content
	}
	return out
}

type schemaBody struct {
	ClientTokenID *string `json:"ClientTokenId"`
	Content       *string
	Description   *string
	Tags          map[string]string `json:"tags"`
	Type          string
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Service) createSchemaHTTP(r *http.Request) (any, int, error) {
	var in schemaBody
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	v, err := s.CreateSchema(r.Context(), SchemaInput{RegistryName: r.PathValue("registry"), Name: r.PathValue("schema"),
		Type: in.Type, Content: deref(in.Content), Description: deref(in.Description), Tags: in.Tags})
	if err != nil {
		return nil, 0, err
	}
	return schemaOut(v, false), http.StatusCreated, nil
}

func (s *Service) describeSchemaHTTP(r *http.Request) (any, int, error) {
	v, err := s.DescribeSchema(r.Context(), r.PathValue("registry"), r.PathValue("schema"), r.URL.Query().Get("schemaVersion"))
	if err != nil {
		return nil, 0, err
	}
	return schemaOut(v, true), http.StatusOK, nil
}

func (s *Service) updateSchemaHTTP(r *http.Request) (any, int, error) {
	var in schemaBody
	if err := awsproto.DecodeJSONBody(r, &in, notJSON); err != nil {
		return nil, 0, err
	}
	v, err := s.UpdateSchema(r.Context(), SchemaUpdate{RegistryName: r.PathValue("registry"), Name: r.PathValue("schema"),
		Type: in.Type, Content: in.Content, Description: in.Description})
	if err != nil {
		return nil, 0, err
	}
	return schemaOut(v, false), http.StatusOK, nil
}

func (s *Service) deleteSchemaHTTP(r *http.Request) (any, int, error) {
	return nil, http.StatusNoContent, s.DeleteSchema(r.Context(), r.PathValue("registry"), r.PathValue("schema"))
}

type schemaSummary struct {
	LastModified string
	SchemaArn    string
	SchemaName   string
	Tags         map[string]string `json:"tags,omitempty"`
	VersionCount int
}

type listSchemasOutput struct {
	NextToken string `json:",omitempty"`
	Schemas   []schemaSummary
}

func (s *Service) listSchemasHTTP(r *http.Request) (any, int, error) {
	q := r.URL.Query()
	all, err := s.ListSchemas(r.Context(), r.PathValue("registry"), q.Get("schemaNamePrefix"))
	if err != nil {
		return nil, 0, err
	}
	schemas, next, err := page(all, q.Get("limit"), q.Get("nextToken"))
	if err != nil {
		return nil, 0, err
	}
	out := listSchemasOutput{NextToken: next, Schemas: []schemaSummary{}}
	for _, sc := range schemas {
		out.Schemas = append(out.Schemas, schemaSummary{LastModified: timestamp(sc.LastModified), SchemaArn: sc.ARN,
			SchemaName: sc.Name, Tags: sc.Tags, VersionCount: sc.VersionCount})
	}
	return out, http.StatusOK, nil
}

type versionSummary struct {
	SchemaArn     string
	SchemaName    string
	SchemaVersion string
	Type          string
}

type listVersionsOutput struct {
	NextToken      string `json:",omitempty"`
	SchemaVersions []versionSummary
}

func (s *Service) listSchemaVersionsHTTP(r *http.Request) (any, int, error) {
	q := r.URL.Query()
	all, err := s.ListSchemaVersions(r.Context(), r.PathValue("registry"), r.PathValue("schema"))
	if err != nil {
		return nil, 0, err
	}
	versions, next, err := page(all, q.Get("limit"), q.Get("nextToken"))
	if err != nil {
		return nil, 0, err
	}
	out := listVersionsOutput{NextToken: next, SchemaVersions: []versionSummary{}}
	for _, v := range versions {
		out.SchemaVersions = append(out.SchemaVersions, versionSummary{SchemaArn: v.ARN, SchemaName: v.Name, SchemaVersion: v.Version, Type: v.Type})
	}
	return out, http.StatusOK, nil
}
