package authz

import (
	"sort"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

func busARN(name string) string {
	if name == "" {
		name = "default"
	}
	return orARN(name, func(n string) string { return arn.New("events", "event-bus/"+n) })
}

// ruleARN is arn:…:rule/NAME on the default bus, rule/BUS/NAME elsewhere.
func ruleARN(bus, name string) string {
	if bus != "" && bus != "default" && bus != busARN("default") {
		b, err := arn.Parse(busARN(bus))
		if err == nil {
			return arn.New("events", "rule/"+b.ResourceName()+"/"+name)
		}
	}
	return arn.New("events", "rule/"+name)
}

func rule(f *fields) []string {
	name := f.Name
	if name == "" {
		name = f.Rule
	}
	return []string{ruleARN(f.EventBusName, name)}
}

// entryBuses are the buses a PutEvents call puts on, each asked once.
func entryBuses(f *fields) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range f.Entries {
		if b := busARN(e.EventBusName); !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	sort.Strings(out)
	return out
}

// eventsService maps EventBridge (Service Authorization Reference,
// "Actions defined by Amazon EventBridge"): PutEvents acts on each entry's
// bus, rule operations on the rule ARN.
var eventsService = jsonService{prefix: "events", ops: map[string]jsonRule{
	"PutEvents":         {resources: entryBuses},
	"PutRule":           {resources: rule},
	"DeleteRule":        {resources: rule},
	"DescribeRule":      {resources: rule},
	"EnableRule":        {resources: rule},
	"DisableRule":       {resources: rule},
	"PutTargets":        {resources: rule},
	"RemoveTargets":     {resources: rule},
	"ListTargetsByRule": {resources: rule},
	"CreateEventBus":    {resources: one(func(f *fields) string { return busARN(f.Name) })},
	"DeleteEventBus":    {resources: one(func(f *fields) string { return busARN(f.Name) })},
	"DescribeEventBus":  {resources: one(func(f *fields) string { return busARN(f.Name) })},
	"CreateArchive":     {resources: one(func(f *fields) string { return arn.New("events", "archive/"+f.ArchiveName) })},
	"DeleteArchive":     {resources: one(func(f *fields) string { return arn.New("events", "archive/"+f.ArchiveName) })},
	"DescribeArchive":   {resources: one(func(f *fields) string { return arn.New("events", "archive/"+f.ArchiveName) })},
	"UpdateArchive":     {resources: one(func(f *fields) string { return arn.New("events", "archive/"+f.ArchiveName) })},
	"StartReplay":       {resources: one(func(f *fields) string { return arn.New("events", "replay/"+f.ReplayName) })},
	"DescribeReplay":    {resources: one(func(f *fields) string { return arn.New("events", "replay/"+f.ReplayName) })},
	"CancelReplay":      {resources: one(func(f *fields) string { return arn.New("events", "replay/"+f.ReplayName) })},
}}
