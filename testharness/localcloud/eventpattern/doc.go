// Package eventpattern compiles and evaluates Amazon EventBridge event
// patterns, the filters of EventBridge rules and of Pipes.
//
// Compile validates a pattern and returns AWS's InvalidEventPatternException
// message for one EventBridge would reject. ParseEvent parses an event once;
// Pattern.MatchesEvent then evaluates it without allocating, so one event
// can be tested against every rule of a bus cheaply. Matcher keeps a named
// set of patterns for that.
//
// Supported: exact strings, numbers (compared as EventBridge compares
// them, see numbers.go), true/false/null, prefix and suffix (each also with
// equals-ignore-case), equals-ignore-case, wildcard, anything-but (a value,
// a list, prefix, suffix, wildcard, equals-ignore-case), numeric ranges,
// exists, cidr (IPv4 and IPv6), $or, nested objects and event arrays.
//
// Where this package may differ from EventBridge:
//   - Messages for malformed JSON (not a pattern problem, a JSON syntax
//     error) come from Go's decoder, not Jackson's.
//   - "Rule is too complex" for wildcards uses an approximation of
//     EventBridge's unpublished limit (see maxWildcardStates).
//   - {"exists": false} matches a field holding an empty array, as event-ruler
//     and quamina do; EventBridge's behaviour there is undocumented.
//   - Limits on pattern size, nesting and the number of values are not
//     enforced; events nested deeper than 1000 levels are refused.
//   - An event that is not a JSON object, or not valid JSON, is a plain Go
//     error from ParseEvent/Matches; the caller picks the AWS error shape.
//   - Dotted keys ({"a.b": …}) are the same field as nested objects on both
//     sides (AWS-validated); where an event holds both a value and an object
//     under one path, both are kept and either can match.
package eventpattern
