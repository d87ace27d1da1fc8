package diagnose

import "testing"

// Only a mapping that is off or going away is a broken link; one still
// being made or changed may end Enabled, which the API does not show yet
// (the local cloud answers these states only from the call that causes
// them, so they are tested here).
func TestMappingStatesThatDoNotReadAreBroken(t *testing.T) {
	for state, wantReads := range map[string]bool{
		"Enabled": true, "Enabling": true, "Creating": true, "Updating": true,
		"Disabled": false, "Disabling": false, "Deleting": false,
	} {
		if reads, _ := mappingState(state); reads != wantReads {
			t.Errorf("a mapping %s reads its queue: %v, want %v", state, reads, wantReads)
		}
	}
}
