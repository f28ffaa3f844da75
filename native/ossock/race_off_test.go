//go:build !race

package ossock_test

const raceEnabled = false
