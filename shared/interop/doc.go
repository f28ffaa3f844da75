// Package interop cross-checks the town's TCP against a TCP stack nobody
// here wrote: gVisor's netstack. It has only tests and benchmarks, so the
// gVisor dependency never reaches a binary.
package interop
