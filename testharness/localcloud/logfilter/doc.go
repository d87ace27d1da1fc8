// Package logfilter compiles and evaluates CloudWatch Logs filter patterns, the
// language shared by FilterLogEvents, metric filters, subscription filters and
// TestMetricFilter. It is a library of its own so that every Logs operation in the
// local cloud matches events exactly the same way.
//
// The grammar follows the Amazon CloudWatch Logs User Guide, "Filter pattern
// syntax for metric filters, subscription filters, filter log events, and Live
// Tail" (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
// archived as awsdocs/amazon-cloudwatch-logs-user-guide doc_source/FilterAndPatternSyntax.md)
// and its page "Supported regular expressions (regex) syntax" (regex-expressions.html):
//
//   - an empty pattern, or one quoted phrase of only blanks ("" or " "), matches every event;
//   - terms: case-sensitive substrings that must all appear; "quoted phrases"; ?optional
//     terms (at least one must appear); -excluded terms (none may appear);
//   - JSON patterns { $.a.b[0] = value && ( ... || ... ) } with =, !=, <, <=, >, >=,
//     IS NULL, IS TRUE, IS FALSE and NOT EXISTS;
//   - space-delimited patterns [ip, user, ..., status = 4*, bytes > 1000];
//   - regular expressions %...% on their own, or as a value in JSON and space-delimited
//     patterns (at most two there).
//
// JSON messages are read by a purpose-built scanner that validates the whole message
// in one pass and records only the values the pattern's selectors name, so matching
// does not allocate (see BenchmarkMatchJSON).
//
// Where this package differs from CloudWatch Logs (each also listed in the support matrix):
//
//   - Error wording is AWS's where it is known ("Invalid character(s) in term 'x'",
//     "If a filter pattern starts with '{' it must end with '}'", "Invalid filter
//     pattern"); for other syntax errors AWS's exact text is unknown and the generic
//     message is used. The quota of five regex filters per log group is the caller's job.
//   - Mixing required terms with ?terms ("ERROR ?WARN ?INFO") is read as ERROR and (WARN
//     or INFO); AWS does not document this combination.
//   - `*` is a wildcard anywhere in a string value (current documentation); the 2021
//     documentation said only a leading or trailing `*` was one.
//   - Array wildcards in selectors ($.a[*]) are not documented and are rejected.
//   - Keywords (IS, NULL, TRUE, FALSE, NOT, EXISTS) are accepted in any letter case.
//   - Relational operators (<, <=, >, >=) on a JSON string value compare it as a number
//     when it parses as one; = and != with a number compare numerically when the value
//     parses as a number and as text otherwise.
//   - A JSON pattern only matches a message that is a single JSON object (surrounding
//     blanks allowed); JSON nested deeper than 512 levels is treated as not JSON.
//   - Regular expressions run on Go's RE2 engine after AWS's character whitelist is
//     checked; constructs RE2 lacks (backreferences) are rejected as invalid.
package logfilter
