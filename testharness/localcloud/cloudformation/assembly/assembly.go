// Package assembly reads a synthesized CDK cloud assembly (cdk.out): the
// stacks of its manifest.json and the file assets of each stack's
// <Stack>.assets.json, so the local cloud can deploy the template and hand
// the Lambda provisioner the asset directory a function's Code points at,
// without publishing anything to S3.
//
// Shapes follow the cloud-assembly-schema of aws-cdk-lib v2
// (AwsCloudFormationStackProperties, AssetManifest FileAsset/FileSource/
// FileDestination).
package assembly

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// Artifact types of the cloud-assembly-schema this package reads.
const (
	typeStack         = "aws:cloudformation:stack"
	typeAssetManifest = "cdk:asset-manifest"
)

// Stack is one "aws:cloudformation:stack" artifact.
type Stack struct {
	// ArtifactID is the artifact's key in the manifest.
	ArtifactID string
	// Name is the CloudFormation stack name: properties.stackName, else the
	// artifact id (as the CDK CLI names it).
	Name string
	// DisplayName is the construct path CDK shows ("Stage/Stack").
	DisplayName string
	// TemplateFile is the template's absolute path.
	TemplateFile string
	// Template is the template file's content.
	Template []byte
	// Parameters are the values the manifest passes to the stack.
	Parameters map[string]string
}

// Assembly is a loaded cloud assembly.
type Assembly struct {
	// Dir is the assembly directory, absolute.
	Dir    string
	Stacks []Stack
	// Assets maps an asset's S3 location, "bucket/objectKey" with the
	// bootstrap placeholders resolved for the local account and region
	// ("cdk-hnb659fds-assets-000000000000-us-east-1/<hash>.zip"), to the
	// asset's local path: the directory of a "zip" asset staged from a
	// directory, or the file.
	Assets map[string]string
}

type manifest struct {
	Version   string                      `json:"version"`
	Artifacts map[string]manifestArtifact `json:"artifacts"`
}

type manifestArtifact struct {
	Type        string          `json:"type"`
	DisplayName string          `json:"displayName"`
	Properties  json.RawMessage `json:"properties"`
}

type stackProperties struct {
	TemplateFile string            `json:"templateFile"`
	StackName    string            `json:"stackName"`
	Parameters   map[string]string `json:"parameters"`
}

type assetManifestProperties struct {
	File string `json:"file"`
}

type assetManifest struct {
	Files map[string]struct {
		Source struct {
			Path      string `json:"path"`
			Packaging string `json:"packaging"`
		} `json:"source"`
		Destinations map[string]struct {
			BucketName string `json:"bucketName"`
			ObjectKey  string `json:"objectKey"`
		} `json:"destinations"`
	} `json:"files"`
}

// Load reads the assembly in dir.
func Load(dir string) (*Assembly, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cloud assembly %s: %w", dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(abs, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("cloud assembly %s: %w", dir, err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("cloud assembly %s: manifest.json: %w", dir, err)
	}
	a := &Assembly{Dir: abs, Assets: map[string]string{}}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		art := m.Artifacts[id]
		switch art.Type {
		case typeStack:
			s, err := loadStack(abs, id, art)
			if err != nil {
				return nil, err
			}
			a.Stacks = append(a.Stacks, s)
		case typeAssetManifest:
			if err := a.loadAssets(id, art); err != nil {
				return nil, err
			}
		}
	}
	if len(a.Stacks) == 0 {
		return nil, fmt.Errorf("cloud assembly %s: no %s artifact in manifest.json", dir, typeStack)
	}
	return a, nil
}

func loadStack(dir, id string, art manifestArtifact) (Stack, error) {
	var p stackProperties
	if err := json.Unmarshal(art.Properties, &p); err != nil {
		return Stack{}, fmt.Errorf("cloud assembly: artifact %s properties: %w", id, err)
	}
	if p.TemplateFile == "" {
		return Stack{}, fmt.Errorf("cloud assembly: artifact %s has no properties.templateFile", id)
	}
	s := Stack{ArtifactID: id, Name: p.StackName, DisplayName: art.DisplayName,
		TemplateFile: filepath.Join(dir, p.TemplateFile), Parameters: p.Parameters}
	if s.Name == "" {
		s.Name = id
	}
	body, err := os.ReadFile(s.TemplateFile)
	if err != nil {
		return Stack{}, fmt.Errorf("cloud assembly: stack %s: %w", s.Name, err)
	}
	s.Template = body
	return s, nil
}

func (a *Assembly) loadAssets(id string, art manifestArtifact) error {
	var p assetManifestProperties
	if err := json.Unmarshal(art.Properties, &p); err != nil {
		return fmt.Errorf("cloud assembly: artifact %s properties: %w", id, err)
	}
	raw, err := os.ReadFile(filepath.Join(a.Dir, p.File))
	if err != nil {
		return fmt.Errorf("cloud assembly: asset manifest of %s: %w", id, err)
	}
	var m assetManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("cloud assembly: %s: %w", p.File, err)
	}
	for hash, f := range m.Files {
		local := f.Source.Path
		if !filepath.IsAbs(local) {
			local = filepath.Join(a.Dir, local)
		}
		for _, d := range f.Destinations {
			a.Assets[ResolvePlaceholders(d.BucketName)+"/"+ResolvePlaceholders(d.ObjectKey)] = local
		}
		if len(f.Destinations) == 0 {
			return fmt.Errorf("cloud assembly: %s: asset %s has no destination", p.File, hash)
		}
	}
	return nil
}

// Stack returns the stack named name, or the only stack when name is "".
func (a *Assembly) Stack(name string) (Stack, error) {
	if name == "" {
		if len(a.Stacks) == 1 {
			return a.Stacks[0], nil
		}
		return Stack{}, fmt.Errorf("cloud assembly %s has %d stacks (%s): name the one to deploy", a.Dir, len(a.Stacks), strings.Join(a.StackNames(), ", "))
	}
	for _, s := range a.Stacks {
		if s.Name == name || s.ArtifactID == name || s.DisplayName == name {
			return s, nil
		}
	}
	return Stack{}, fmt.Errorf("cloud assembly %s has no stack %q (stacks: %s)", a.Dir, name, strings.Join(a.StackNames(), ", "))
}

// StackNames lists the stacks' names.
func (a *Assembly) StackNames() []string {
	names := make([]string, len(a.Stacks))
	for i, s := range a.Stacks {
		names[i] = s.Name
	}
	return names
}

// ResolvePlaceholders replaces the asset manifest's ${AWS::AccountId},
// ${AWS::Region} and ${AWS::Partition} with the local cloud's values.
func ResolvePlaceholders(s string) string {
	return strings.NewReplacer("${AWS::AccountId}", arn.Account, "${AWS::Region}", arn.Region,
		"${AWS::Partition}", arn.Partition).Replace(s)
}
