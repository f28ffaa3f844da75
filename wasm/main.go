//go:build js && wasm

// Command wasm is Socketville's browser build. Until the town is drawn it
// offers the core to the page as one function, socketvilleRun(scenario),
// which returns the scenario's text trace, or its errors.
package main

import (
	"strings"
	"syscall/js"

	"socketville/shared/script"
)

func main() {
	js.Global().Set("socketvilleRun", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return "socketvilleRun: want one string, the scenario"
		}
		return runScenario(args[0].String())
	}))
	select {}
}

func runScenario(src string) string {
	s, err := script.Parse("scenario", strings.NewReader(src))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	r := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&b)})
	if err := r.Run(s); err != nil {
		b.WriteString(err.Error())
	}
	return b.String()
}
