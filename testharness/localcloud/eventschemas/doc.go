// Package eventschemas is the local EventBridge schema registry (the
// "schemas" API): custom registries and the versioned OpenAPI 3 and JSON
// Schema draft 4 documents in them. The app publishes its event contracts
// here (schemas.JSONSchemas), so a test can read back exactly what a
// deployment registered.
//
// It speaks restJson under /v1/registries (signing name "schemas"), owns
// AWS::EventSchemas::Registry and AWS::EventSchemas::Schema, and offers the
// same operations as a Go API for the provisioners and the wiring.
//
// Where it differs from AWS (no discoverers, code bindings, search,
// resource policies or AWS-provided registries; content checked by a light
// structural validation rather than the full meta-schemas) is listed in
// testharness/localcloud/SUPPORT.md.
package eventschemas
