//go:build js && wasm

package main

import (
	"syscall/js"

	"socketville/shared/town"
)

// page is the town as the page runs it: the town's game, and the work the
// page's own buttons (outside the canvas) hand it. A button's callback
// never touches the town itself, which may be in the middle of a frame:
// it queues a job, and the next Update carries it out before the town's
// own, then settles the Promise the page is waiting on.
type page struct {
	*town.Game
	jobs chan func()
	// room is the page's shared town, if it has one (peers.go).
	room room
}

// maxJobs is how many clicks may wait for the next frame; more is a page
// gone wrong, told so rather than kept.
const maxJobs = 32

func newPage(g *town.Game) *page {
	pg := &page{Game: g, jobs: make(chan func(), maxJobs)}
	pg.room.pg = pg
	return pg
}

// Update carries out the queued jobs, then the town's frame.
func (p *page) Update() error {
	for {
		select {
		case job := <-p.jobs:
			job()
		default:
			p.room.drive()
			return p.Game.Update()
		}
	}
}

// promise returns a JavaScript Promise settled by work, run at the next
// frame: its value resolves it, its error rejects it with the error's
// words. It never blocks the callback that calls it.
func (p *page) promise(work func() (any, error)) js.Value {
	var resolve, reject js.Value
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	pr := js.Global().Get("Promise").New(executor)
	executor.Release()
	job := func() {
		v, err := work()
		if err != nil {
			reject.Invoke(js.Global().Get("Error").New(err.Error()))
			return
		}
		resolve.Invoke(v)
	}
	select {
	case p.jobs <- job:
	default:
		reject.Invoke(js.Global().Get("Error").New("the town is busy: try again in a moment"))
	}
	return pr
}

// later runs work at the next frame, from a goroutine that waited for
// something off the frame loop (the hub); it waits for room in the queue
// rather than drop what that goroutine learned.
func (p *page) later(work func()) { p.jobs <- work }

// asyncPromise is a Promise that start settles, by calling done, when
// what it began is over: start runs at the next frame and may hand the
// rest to a goroutine (see room.join).
func (p *page) asyncPromise(start func(done func(any, error))) js.Value {
	var resolve, reject js.Value
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	pr := js.Global().Get("Promise").New(executor)
	executor.Release()
	done := func(v any, err error) {
		if err != nil {
			reject.Invoke(js.Global().Get("Error").New(err.Error()))
			return
		}
		resolve.Invoke(v)
	}
	select {
	case p.jobs <- func() { start(done) }:
	default:
		reject.Invoke(js.Global().Get("Error").New("the town is busy: try again in a moment"))
	}
	return pr
}

// expose sets window[name] to an object of Promise-returning functions.
func (p *page) expose(name string, fns map[string]func(args []js.Value) (any, error)) {
	obj := js.Global().Get("Object").New()
	for k, fn := range fns {
		obj.Set(k, js.FuncOf(func(_ js.Value, args []js.Value) any {
			args = append([]js.Value(nil), args...) // the callback's args are not ours past it
			return p.promise(func() (any, error) { return fn(args) })
		}))
	}
	js.Global().Set(name, obj)
}
