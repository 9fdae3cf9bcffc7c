package types_test

import (
	"testing"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// FuzzGenesisValidate decodes arbitrary JSON as a GenesisState with the
// real codec and validates it: neither step may panic.
func FuzzGenesisValidate(f *testing.F) {
	cdc := newCodec()
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"params":{"threshold_numerator":2,"threshold_denominator":3,"voting_period":"86400s","max_validator_power":"1000","max_proposal_messages":20,"max_expirations_per_block":100},"next_proposal_id":"1"}`))
	f.Add([]byte(`{"validators":[{"name":"v","org_id":"acme","pub_key":{"@type":"/cosmos.crypto.ed25519.PubKey","key":"AQ=="},"power":"1","status":"VALIDATOR_STATUS_ACTIVE"}]}`))
	f.Fuzz(func(t *testing.T, bz []byte) {
		var gs types.GenesisState
		if err := cdc.UnmarshalJSON(bz, &gs); err != nil {
			return
		}
		_ = gs.Validate()
	})
}
