package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"socketville/shared/lessons"
	"socketville/shared/script"
)

// Limits on a teacher's folder: what a class needs, and no more, so that a
// folder with a stray video or a million files does not take the server
// or the page down.
const (
	// MaxFolderFile is the largest scenario or lesson file served.
	MaxFolderFile = 256 << 10
	// MaxFolderFiles is how many scenarios and lessons the list holds.
	MaxFolderFiles = 500
)

// folderName is a file the folder serves: a plain name at its top, with
// no path and nothing a URL or a shell would read twice.
var folderName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.(sv|lesson)$`)

// Folder serves a teacher's folder of scenarios (.sv) and lessons
// (NN-name.lesson, as shared/lessons reads them) under /scenarios/:
// /scenarios/index.json lists them, /scenarios/NAME gives one. Only files
// at the folder's top with plain names are served, each at most
// MaxFolderFile bytes, read through an os.Root so that no name (.., a
// symbolic link) leads out of the folder.
type Folder struct {
	root *os.Root
	dir  string
}

// OpenFolder opens dir for serving; it says plainly when dir is not a
// folder that can be read.
func OpenFolder(dir string) (*Folder, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("the scenarios folder %s: %w", dir, err)
	}
	f := &Folder{root: root, dir: dir}
	if _, err := f.List(); err != nil {
		root.Close()
		return nil, err
	}
	return f, nil
}

// Close lets go of the folder.
func (f *Folder) Close() error { return f.root.Close() }

// FolderList is what /scenarios/index.json holds.
type FolderList struct {
	// Name is the folder's own name (class for serve --scenarios
	// ~/class/): the page keys the progress of its lessons by it.
	Name      string           `json:"name,omitempty"`
	Scenarios []FolderScenario `json:"scenarios"`
	Lessons   []FolderLesson   `json:"lessons"`
	// Problems are files left out, each with why ("big.sv: 300000 bytes
	// is more than a file of the folder may be"), so the teacher hears
	// of them in the page and not only in the server's terminal.
	Problems []string `json:"problems,omitempty"`
}

// FolderScenario is a scenario of the folder.
type FolderScenario struct {
	Name string `json:"name"` // the file name without .sv: what the picker says
	File string `json:"file"` // fetch /scenarios/FILE
}

// FolderLesson is a lesson of the folder, read and checked as the
// built-in ones are.
type FolderLesson struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	File   string `json:"file"`
}

// List reads the folder afresh (a teacher may add a file while the class
// runs).
func (f *Folder) List() (FolderList, error) {
	entries, err := fs.ReadDir(f.root.FS(), ".")
	if err != nil {
		return FolderList{}, fmt.Errorf("the scenarios folder %s: %w", f.dir, err)
	}
	l := FolderList{Name: folderLabel(f.dir), Scenarios: []FolderScenario{}, Lessons: []FolderLesson{}}
	byNumber := map[int]string{}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".sv") || strings.HasSuffix(name, ".lesson")) {
			continue
		}
		if !folderName.MatchString(name) {
			l.Problems = append(l.Problems, fmt.Sprintf("%q: left out, a file of the folder is named with letters, digits, '.', '-' and '_' only", name))
			continue
		}
		if n++; n > MaxFolderFiles {
			l.Problems = append(l.Problems, fmt.Sprintf("%s and the rest: left out, the list holds %d files at most", name, MaxFolderFiles))
			break
		}
		b, err := f.read(name)
		if err != nil {
			l.Problems = append(l.Problems, err.Error())
			continue
		}
		if strings.HasSuffix(name, ".sv") {
			// Checked as the page will: a scenario that would not
			// start is said here, by its line.
			s, err := script.Parse(name, bytes.NewReader(b))
			if err == nil {
				err = script.Check(s)
			}
			if err != nil {
				l.Problems = append(l.Problems, fmt.Sprintf("%s: left out: %v", name, err))
				continue
			}
			l.Scenarios = append(l.Scenarios, FolderScenario{Name: strings.TrimSuffix(name, ".sv"), File: name})
			continue
		}
		// Read and checked as the built-in lessons are: a broken
		// lesson is a problem said, not served.
		x, err := lessons.Parse(name, b)
		if err != nil {
			l.Problems = append(l.Problems, strings.Split(err.Error(), "\n")...)
			continue
		}
		if other, dup := byNumber[x.Number]; dup {
			l.Problems = append(l.Problems, fmt.Sprintf("%s: left out, lesson %d is %s already", name, x.Number, other))
			continue
		}
		byNumber[x.Number] = name
		l.Lessons = append(l.Lessons, FolderLesson{Number: x.Number, Title: x.Title, File: name})
	}
	sort.Slice(l.Scenarios, func(i, j int) bool { return l.Scenarios[i].Name < l.Scenarios[j].Name })
	sort.Slice(l.Lessons, func(i, j int) bool { return l.Lessons[i].Number < l.Lessons[j].Number })
	return l, nil
}

// folderLabel is the last element of dir, made absolute first so that
// "." is named too; "class" when it has none (the root).
func folderLabel(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if name := filepath.Base(dir); name != "/" && name != "." && name != string(filepath.Separator) {
		return name
	}
	return "class"
}

// read reads one file of the folder, refusing what is not a plain file
// or is too big.
func (f *Folder) read(name string) ([]byte, error) {
	// Looked at before it is opened: opening a named pipe would wait
	// for a writer that never comes.
	info, err := f.root.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: left out, it is not a plain file", name)
	}
	file, err := f.root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, MaxFolderFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxFolderFile {
		return nil, fmt.Errorf("%s: left out, it is more than the %d KiB a file of the folder may be", name, MaxFolderFile>>10)
	}
	return b, nil
}

// ServeHTTP serves /scenarios/index.json and /scenarios/NAME.
func (f *Folder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, "/scenarios/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	if name == "index.json" {
		l, err := f.List()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(l)
		return
	}
	if !folderName.MatchString(name) {
		http.Error(w, fmt.Sprintf("%q is not a file of the scenarios folder: its files are NAME.sv and NN-name.lesson at its top", name), http.StatusNotFound)
		return
	}
	b, err := f.read(name)
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, fmt.Sprintf("the scenarios folder has no %s", name), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// NoFolder answers /scenarios/ on a server started without --scenarios:
// an empty list, so the page has nothing to show and says nothing.
func NoFolder(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/scenarios/index.json" {
		http.Error(w, "this server has no scenarios folder (serve --scenarios DIR gives it one)", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(FolderList{Scenarios: []FolderScenario{}, Lessons: []FolderLesson{}})
}
