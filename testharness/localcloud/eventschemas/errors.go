package eventschemas

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// The schemas API's errors carry their code twice: in X-Amzn-ErrorType
// (which awsproto writes) and as the body's "Code" member next to
// "Message" (ErrorOutput in the EventBridge Schemas API reference).
func schemasError(code string, status int, format string, args ...any) *awsproto.Error {
	e := awsproto.Errorf(code, status, format, args...)
	e.Fields = map[string]any{"Code": code, "Message": e.Message}
	return e
}

func errRegistryNotFound(name string) error {
	return schemasError("NotFoundException", http.StatusNotFound, "Registry with name %s does not exist.", name)
}

func errSchemaNotFound(name string) error {
	return schemasError("NotFoundException", http.StatusNotFound, "Schema with name %s does not exist.", name)
}

func errVersionNotFound(name, version string) error {
	return schemasError("NotFoundException", http.StatusNotFound, "Schema with name %s and version %s does not exist.", name, version)
}

func errRegistryExists(name string) error {
	return schemasError("ConflictException", http.StatusConflict, "Registry with name %s already exists.", name)
}

func errSchemaExists(name string) error {
	return schemasError("ConflictException", http.StatusConflict, "Schema with name %s already exists.", name)
}

func badRequest(format string, args ...any) error {
	return schemasError("BadRequestException", http.StatusBadRequest, format, args...)
}
