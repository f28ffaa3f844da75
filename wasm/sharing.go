//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"strings"
	"syscall/js"

	"socketville/shared/town"
	"socketville/shared/town/play"
	"socketville/wasm/share"
)

// The page's Share toolbar (index.html) calls these, as
// window.socketvilleShare.NAME(...), each returning a Promise settled at
// the next frame (see page.promise):
//
//	link()                 the town as a link: the page's address with
//	                       #s= and its session (scenario, seed, typed
//	                       lines and when), which also becomes the
//	                       address bar's
//	transcript()           {name, text}: the town as a .sv a person saves
//	open(name, text)       play a .sv, or a session a link carried
//	                       (Open .sv, the Class folder)
//	folder(name, files)    hand the town the class folder's files, an
//	                       array of {name, text}: its lessons join the
//	                       Lessons list, its scenarios the picker; an
//	                       array of what was left out and why
//	lesson(file, text)     open a class folder's lesson file as a full
//	                       lesson (goal, hints, Show me, progress);
//	                       {title, text}
//	pcap()                 {name, bytes, frames}: what happened up to the
//	                       moment shown, as a pcap
//	openLink(hash)         replay the town of a #s= hash (hashchange);
//	                       false for a hash that holds none
//
// Each failure rejects with a sentence the page shows; none stops the town.

// shareAPI puts window.socketvilleShare on the page.
func shareAPI(pg *page) {
	p := pg.Player()
	// folderName is the class folder's name as folder() last gave it;
	// the lessons' progress is kept by it.
	folderName := "class"
	pg.expose("socketvilleShare", map[string]func([]js.Value) (any, error){
		"link": func([]js.Value) (any, error) {
			if p.Watching() {
				return nil, errWatching
			}
			v, err := linkValue(p)
			if err != nil {
				return nil, err
			}
			loc := js.Global().Get("location")
			url := loc.Get("origin").String() + loc.Get("pathname").String() + "#" + share.LinkKey + v
			// replaceState, not location.hash: a hashchange would
			// replay the town the learner is looking at.
			js.Global().Get("history").Call("replaceState", nil, "", url)
			return url, nil
		},
		"transcript": func([]js.Value) (any, error) {
			if p.Watching() {
				return nil, errWatching
			}
			return obj(map[string]any{"name": fileName(p.Name()) + ".sv", "text": p.Transcript()}), nil
		},
		"open": func(args []js.Value) (any, error) {
			name, text, err := stringArgs(args)
			if err != nil {
				return nil, err
			}
			return nil, openScenario(pg.Game, strings.TrimSuffix(name, ".sv"), text)
		},
		"folder": func(args []js.Value) (any, error) {
			name, files, err := folderArgs(args)
			if err != nil {
				return nil, err
			}
			if name != "" {
				folderName = name
			}
			return leftOut(pg.AddFolder(folderName, files)), nil
		},
		"lesson": func(args []js.Value) (any, error) {
			file, text, err := stringArgs(args)
			if err != nil {
				return nil, err
			}
			l, err := pg.OpenFolderLesson(folderName, file, text)
			if err != nil {
				return nil, err
			}
			return obj(map[string]any{"title": l.Title, "text": l.Text}), nil
		},
		"pcap": func([]js.Value) (any, error) {
			switch {
			case p.Watching():
				return nil, errWatching
			case p.Live():
				// Its letters came from a kernel elsewhere; replaying the
				// scenario here would give the simulator's, not those.
				return nil, errors.New("this town runs on real sockets, whose packets the page does not keep: socketville run --os --pcap FILE SCENARIO records them")
			}
			b, n, err := share.Pcap(p.Session())
			if err != nil {
				return nil, err
			}
			u8 := js.Global().Get("Uint8Array").New(len(b))
			js.CopyBytesToJS(u8, b)
			return obj(map[string]any{"name": fileName(p.Name()) + ".pcap", "bytes": u8, "frames": n}), nil
		},
		"openLink": func(args []js.Value) (any, error) {
			if len(args) != 1 || args[0].Type() != js.TypeString {
				return nil, errors.New("openLink wants a location.hash")
			}
			v, ok := share.FromFragment(args[0].String())
			if !ok {
				return false, nil // a hash that is not a town: nothing to do
			}
			s, err := sessionOf(v)
			if err == nil {
				err = pg.LoadSession(s)
			}
			if err != nil {
				return nil, linkError(p, err)
			}
			return true, nil
		},
	})
	api := js.Global().Get("socketvilleShare")
	api.Set("invite", js.FuncOf(func(js.Value, []js.Value) any {
		return pg.asyncPromise(func(done func(any, error)) { pg.room.join("", pageName(), done) })
	}))
	api.Set("leave", js.FuncOf(func(js.Value, []js.Value) any {
		return pg.asyncPromise(pg.room.leave)
	}))
	api.Set("peers", js.FuncOf(func(js.Value, []js.Value) any {
		return pg.asyncPromise(func(done func(any, error)) { done(pg.room.peers(), nil) })
	}))
	if f := js.Global().Get("socketvilleShareReady"); f.Type() == js.TypeFunction {
		f.Invoke()
	}
}

// errWatching answers Share in a town of the machine's own sockets.
var errWatching = errors.New("this town shows this machine's real sockets, not a scenario: there is nothing to share or save (socketville watch --pcap FILE records its packets)")

// linkValue is the player's session packed for a link.
func linkValue(p *play.Player) (string, error) {
	text, err := p.Session().MarshalText()
	if err != nil {
		return "", fmt.Errorf("the town cannot be put in a link: %w", err)
	}
	return share.EncodeLink(text)
}

// sessionOf unpacks a link's value into a session, checked.
func sessionOf(v string) (play.Session, error) {
	text, err := share.DecodeLink(v)
	if err != nil {
		return play.Session{}, err
	}
	var s play.Session
	if err := s.UnmarshalText(text); err != nil {
		return play.Session{}, fmt.Errorf("the link's town does not read: %w", err)
	}
	return s, nil
}

// linkError says in the console and over the page that a link was not
// opened, and returns the error for the caller.
func linkError(p *play.Player, err error) error {
	msg := "This link's town could not be opened: " + err.Error()
	p.Console().Add(play.LineError, msg)
	pageNote(msg)
	return errors.New(msg)
}

// openScenario plays a .sv the learner opened or the class folder gave,
// or a session's text (a link's, saved as a file), which replays exactly.
func openScenario(g *town.Game, name, text string) error {
	p := g.Player()
	if len(text) > share.MaxText {
		return fmt.Errorf("%s is %d KiB, more than a scenario may be (%d KiB)", name, len(text)>>10, share.MaxText>>10)
	}
	if name == "" {
		name = "opened"
	}
	// A session's text starts so (in any version: UnmarshalText says
	// which it reads).
	if strings.HasPrefix(text, "socketville session ") {
		var s play.Session
		if err := s.UnmarshalText([]byte(text)); err != nil {
			p.Console().Add(play.LineError, name+": "+err.Error())
			return fmt.Errorf("%s: %w", name, err)
		}
		return g.LoadSession(s)
	}
	// Load says what is wrong in the console, by line, and keeps the
	// town that was playing.
	return g.Load(name, text)
}

// fileName is a scenario's name fit for a file to download.
func fileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
	if name == "" {
		return "town"
	}
	return name
}

// folderArgs reads folder()'s arguments: a name and an array of
// {name, text}, at most web.MaxFolderFiles of them.
func folderArgs(args []js.Value) (string, []town.FolderFile, error) {
	if len(args) != 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", args[1]).Bool() {
		return "", nil, errors.New("folder wants a name and an array of {name, text}")
	}
	n := args[1].Length()
	if n > maxFolderFiles {
		return "", nil, fmt.Errorf("a class folder of %d files is more than the page takes (%d)", n, maxFolderFiles)
	}
	files := make([]town.FolderFile, 0, n)
	for i := range n {
		f := args[1].Index(i)
		if f.Type() != js.TypeObject || f.Get("name").Type() != js.TypeString || f.Get("text").Type() != js.TypeString {
			return "", nil, fmt.Errorf("the folder's file %d is not a {name, text}", i)
		}
		text := f.Get("text").String()
		if len(text) > share.MaxText {
			return "", nil, fmt.Errorf("%s is %d KiB, more than a file of the folder may be (%d KiB)", f.Get("name").String(), len(text)>>10, share.MaxText>>10)
		}
		files = append(files, town.FolderFile{Name: f.Get("name").String(), Text: text})
	}
	return args[0].String(), files, nil
}

// maxFolderFiles is how many files folder() takes: the server's list
// holds no more (native/web.MaxFolderFiles, which wasm does not import).
const maxFolderFiles = 500

// leftOut is the mistakes of an errors.Join, one sentence each, as a
// JavaScript array; empty for none.
func leftOut(err error) js.Value {
	arr := js.Global().Get("Array").New()
	if err == nil {
		return arr
	}
	for _, e := range unjoin(err) {
		arr.Call("push", e.Error())
	}
	return arr
}

// unjoin lists the errors an errors.Join holds, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func stringArgs(args []js.Value) (string, string, error) {
	if len(args) != 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString {
		return "", "", errors.New("wants a name and a text")
	}
	return args[0].String(), args[1].String(), nil
}

// obj makes a plain JavaScript object.
func obj(fields map[string]any) js.Value {
	o := js.Global().Get("Object").New()
	for k, v := range fields {
		o.Set(k, v)
	}
	return o
}
