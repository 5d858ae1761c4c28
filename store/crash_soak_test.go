//go:build soak

package store_test

// defaultCrashKills under the soak tag (go test -tags soak ./store/).
const defaultCrashKills = 1000
