package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/tracebridge/tracebridge/testharness"
)

// awsConfig is the SDK configuration every command's API calls use. With
// an endpoint it targets a local cloud: that base endpoint, its region and
// its default credentials (test/test). Without one it is the SDK's default
// chain, which also honours $AWS_ENDPOINT_URL, so the same calls reach AWS
// or whatever the environment points at.
func awsConfig(ctx context.Context, endpoint string) (aws.Config, error) {
	if endpoint != "" {
		return testharness.LocalConfig(ctx, endpoint)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// follow calls poll until it reports done, waiting between calls with a
// backoff from 50 ms to 2 s. AWS offers no push for the state of an
// execution or a replay, so a client has to ask.
func follow(ctx context.Context, poll func(context.Context) (done bool, err error)) error {
	wait := 50 * time.Millisecond
	for {
		done, err := poll(ctx)
		if err != nil || done {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// parseInterspersed parses flags that may come before, between or after
// positional arguments ("trace 1-abc --html x.html") and returns the
// positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		// Parse stopped at a positional argument: keep it, go on after it.
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseFlags parses a command's flags; a mistake is a usage error (exit
// 2), after flag has printed it with the command's usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
