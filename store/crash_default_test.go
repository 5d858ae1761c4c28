//go:build !soak

package store_test

// defaultCrashKills keeps the default test run short; the soak tag raises it.
const defaultCrashKills = 50
