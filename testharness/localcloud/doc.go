// Package localcloud is Tracebridge's embedded AWS: one HTTP endpoint on
// loopback that speaks the AWS wire protocols, deploys a synthesized
// CloudFormation template, and runs the template's handler code, rules,
// pipes and state machines offline.
//
// How it is put together:
//
//   - gateway: the one listener; detects the service of a request (SigV4
//     signing name, X-Amz-Target, path, host), gives it a request id and a
//     principal, and hands it to the service's http.Handler.
//   - awsproto: typed AWS errors and the renderers of each protocol
//     (awsJson, restJson, restXml, query), plus operation tables.
//   - identity: access keys → principals; temporary credentials per role.
//   - sigv4, policy, authz: every request's signature is verified, and
//     authz maps its operation to IAM actions and resources and evaluates
//     the caller's role and resource policies (wiring_iam.go connects it;
//     Options.IAM turns it off).
//   - clock: one injectable clock for every service, so tests move time
//     instead of sleeping.
//   - cfnresource: the contract between the CloudFormation engine and the
//     services that own resource types.
//   - libraries with a tiny API of their own: eventpattern (EventBridge
//     patterns, also Pipe filters), logfilter (CloudWatch Logs filter
//     patterns), asl (the Amazon States Language interpreter),
//     xray/filterexpr and xray/traceheader.
//   - one package per service (s3, sqs, eventbridge, lambda, …). A service
//     exposes New(options), Route() gateway.Route, Provisioners()
//     cfnresource.Registry, and a Go API that the HTTP handlers and the
//     provisioners share. What a service needs from another it declares as
//     a small interface of its own.
//   - wiring.go in this package is the only place services meet: every
//     cross-service edge (S3 → EventBridge → Lambda, DynamoDB → stream →
//     Pipe → Lambda → Logs) is connected there, so it reads as the map of
//     the local cloud.
//
// What the local cloud supports, and where it differs from AWS, is written
// down in one place: SUPPORT.md beside this file.
package localcloud
