// Package e2e tests the real binary with real parts: the town served to
// headless Chromium and driven with real mouse and key events, and the
// desktop build under Xvfb, both checked by their pixels and by the
// town's read-only state. It has no code of its own besides its tests.
package e2e
