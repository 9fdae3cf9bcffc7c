package app_test

import "time"

var genesisTime = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// timeAt gives blocks deterministic one-second spacing.
func timeAt(height int64) time.Time { return genesisTime.Add(time.Duration(height) * time.Second) }
