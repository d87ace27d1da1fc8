package authz

import "net/http"

// mapFunc turns a request into the IAM questions its operation asks; no
// targets means the operation is unknown (or its request unreadable) and
// the service answers it in its own words.
type mapFunc func(r *http.Request, body []byte) ([]target, error)

// mappers lists the mapping of every service behind the gateway, by the
// gateway route's service name. Each table is in the file of its service.
func (a *Authorizer) mappers() map[string]mapFunc {
	return map[string]mapFunc{
		"s3":              a.s3Targets,
		"dynamodb":        dynamodbService.targets,
		"dynamodbstreams": streamsService.targets,
		"events":          eventsService.targets,
		"logs":            logsService.targets,
		"sqs":             sqsTargets,
		"states":          statesService.targets,
		"lambda":          restTargets(lambdaRules),
		"xray":            restTargets(xrayRules),
		"pipes":           restTargets(pipesRules),
		"schemas":         restTargets(schemasRules),
		"iam":             iamService.targets,
		"sts":             stsService.targets,
		"cloudformation":  cloudformationService.targets,
	}
}
