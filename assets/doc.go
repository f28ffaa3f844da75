// Package assets will hold the town's embedded sprites and fonts (go:embed).
// It is empty until the town (issue 4) draws something.
package assets
