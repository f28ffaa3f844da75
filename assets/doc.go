// Package assets is where embedded sprites would go (go:embed). It is
// empty: the town draws its plots, houses, doors and letters as vector
// shapes, and its text with the Go fonts that golang.org/x/image embeds.
package assets
