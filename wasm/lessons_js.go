//go:build js && wasm

package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"syscall/js"

	"socketville/shared/town"
)

// The lessons in the page: ?lesson=N opens lesson N, the learner's
// progress is kept in the browser's local storage, and the lesson on show
// is page text too, in an aside beside the canvas that a screen reader
// reads (the canvas is pictures to it): the lesson's text, its goal's
// checks with their state, the hints asked for, and "Goal met" said
// aloud when it comes.

// progressKey is where local storage keeps the lessons' progress.
const progressKey = "socketville.lessons"

// lessonOptions sets the town's lessons from the page's query.
func lessonOptions(opts *town.Options, q url.Values) {
	if n, err := strconv.Atoi(q.Get("lesson")); err == nil && n > 0 {
		opts.Lesson = n
	}
	opts.Progress = localProgress{}
	opts.OnLesson = newLessonAside().show
}

// localProgress is a town.ProgressStore in the page's local storage.
type localProgress struct{}

// Load reads the progress; none kept yet is no progress. A value that
// does not read is an error the town says and then writes over.
func (localProgress) Load() (town.Progress, error) {
	v, err := storageCall("getItem", progressKey)
	if err != nil || v.Type() != js.TypeString {
		return town.Progress{}, err
	}
	return town.DecodeProgress([]byte(v.String()))
}

// Save writes the progress.
func (localProgress) Save(p town.Progress) error {
	_, err := storageCall("setItem", progressKey, string(town.EncodeProgress(p)))
	return err
}

// storageCall calls a method of window.localStorage, which throws where
// storage is off (a private window, a sandboxed frame, a full quota):
// that is an error here, never a crash.
func storageCall(method string, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("local storage: %v", r)
		}
	}()
	s := js.Global().Get("localStorage")
	if s.IsUndefined() || s.IsNull() {
		return js.Null(), fmt.Errorf("local storage: not offered by this browser")
	}
	return s.Call(method, args...), nil
}

// lessonAside is the page's text of the lesson on show.
type lessonAside struct {
	el, title, text, note, goal, checks, hints js.Value
	key                                        string // the lesson shown's LessonView.Key; "" for none
	shown                                      string // the text shown: a shared lesson's changes once its friend is named
}

// newLessonAside makes the aside, hidden until a lesson opens. It is for
// a screen reader: on screen the town's panel shows the same, so the
// aside is kept off the layout (clipped to nothing, the usual way to keep
// text for assistive technology alone) and overlaps nothing.
func newLessonAside() *lessonAside {
	doc := js.Global().Get("document")
	a := &lessonAside{}
	a.el = doc.Call("createElement", "aside")
	a.el.Set("id", "sv-lesson")
	a.el.Call("setAttribute", "role", "region")
	a.el.Call("setAttribute", "aria-label", "Lesson")
	a.el.Set("hidden", true)
	a.el.Set("style", "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:normal;border:0")
	a.title = add(doc, a.el, "h2", "")
	a.text = add(doc, a.el, "div", "")
	a.text.Set("className", "sv-lesson-text")
	a.note = add(doc, a.el, "p", "")
	a.note.Set("className", "sv-lesson-note")
	a.note.Call("setAttribute", "aria-live", "polite")
	add(doc, a.el, "h3", "Goal")
	a.goal = add(doc, a.el, "p", "")
	a.goal.Set("className", "sv-lesson-goal")
	a.goal.Call("setAttribute", "aria-live", "polite")
	a.checks = add(doc, a.el, "ul", "")
	a.checks.Set("className", "sv-lesson-checks")
	a.checks.Call("setAttribute", "aria-live", "polite")
	a.hints = add(doc, a.el, "ol", "")
	a.hints.Set("className", "sv-lesson-hints")
	doc.Get("body").Call("appendChild", a.el)
	return a
}

// add appends a new element of tag, with text, to parent.
func add(doc, parent js.Value, tag, text string) js.Value {
	e := doc.Call("createElement", tag)
	e.Set("textContent", text)
	parent.Call("appendChild", e)
	return e
}

// show puts what the lesson panel shows into the aside. The lesson's
// text is written again only when another lesson opens (or a shared
// lesson's names its friend), so a screen reader reading it is not sent
// back to its start by each check.
func (a *lessonAside) show(v town.LessonView) {
	a.el.Set("hidden", !v.Open)
	if !v.Open {
		a.key = ""
		return
	}
	// By key, not number: the class folder's lesson 3 is not lesson 3.
	if v.Key != a.key || v.Text != a.shown {
		a.key, a.shown = v.Key, v.Text
		title := fmt.Sprintf("Lesson %d: %s", v.Number, v.Title)
		if v.Class != "" {
			title = fmt.Sprintf("Class lesson %d (%s): %s", v.Number, v.Class, v.Title)
		}
		a.title.Set("textContent", title)
		a.text.Set("innerHTML", town.LessonHTML(v.Text)) // every byte of the lesson's text escaped
	}
	a.note.Set("textContent", v.Note)
	if v.Met {
		a.goal.Set("textContent", "Goal met.")
	} else {
		a.goal.Set("textContent", "Goal not met yet.")
	}
	doc := js.Global().Get("document")
	a.checks.Set("textContent", "")
	for _, c := range v.Checks {
		mark := "✗ not yet: "
		if c.Met {
			mark = "✓ met: "
		}
		li := add(doc, a.checks, "li", mark+c.Name)
		li.Call("setAttribute", "data-met", strconv.FormatBool(c.Met))
	}
	a.hints.Set("textContent", "")
	for _, h := range v.Hints {
		add(doc, a.hints, "li", strings.TrimSpace(h))
	}
}
