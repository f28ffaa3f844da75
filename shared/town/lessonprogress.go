package town

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Progress is what a learner has done with the lessons: the lessons whose
// goal they met, and the one they opened last, so the list can mark the
// met ones and offer the next.
type Progress struct {
	Met  []int `json:"met"`  // built-in lesson numbers, ascending, each once
	Last int   `json:"last"` // the built-in lesson opened last; 0 for none
	// Class are the class folders' lessons met, each as FOLDER/FILE
	// ("class/03-x.lesson"), sorted, each once: never numbers, so that a
	// teacher's lesson 3 and built-in lesson 3 keep their own marks.
	Class []string `json:"class,omitempty"`
	// LastClass is the class folder's lesson opened last, as FOLDER/FILE.
	LastClass string `json:"last_class,omitempty"`
}

// ProgressStore keeps a learner's Progress between sessions: the
// browser's local storage, a file on the desktop. A store with nothing
// in it yet loads the zero Progress without an error.
type ProgressStore interface {
	Load() (Progress, error)
	Save(Progress) error
}

// HasMet reports whether lesson n's goal was met.
func (p Progress) HasMet(n int) bool { return slices.Contains(p.Met, n) }

// HasMetClass reports whether the class folder's lesson FOLDER/FILE
// (key) was met.
func (p Progress) HasMetClass(key string) bool { return slices.Contains(p.Class, key) }

// hasMetLesson reports whether l was met, by its own kind of mark.
func (p Progress) hasMetLesson(l bookLesson) bool {
	if l.folder == "" {
		return p.HasMet(l.Number)
	}
	return p.HasMetClass(l.key())
}

// withMetLesson is p with l met.
func (p Progress) withMetLesson(l bookLesson) Progress {
	if l.folder == "" {
		return p.withMet(l.Number)
	}
	if p.HasMetClass(l.key()) {
		return p
	}
	p.Class = append(slices.Clone(p.Class), l.key())
	slices.Sort(p.Class)
	return p
}

// withLast is p with l the lesson opened last.
func (p Progress) withLast(l bookLesson) Progress {
	if l.folder == "" {
		p.Last = l.Number
	} else {
		p.LastClass = l.key()
	}
	return p
}

// withMet is p with lesson n met.
func (p Progress) withMet(n int) Progress {
	if p.HasMet(n) {
		return p
	}
	p.Met = append(slices.Clone(p.Met), n)
	slices.Sort(p.Met)
	return p
}

// DecodeProgress reads a Progress kept as JSON, as every store keeps it.
// What is not a lesson number (zero, negative, a repeat) or not a class
// lesson's FOLDER/FILE (no "/", a repeat) is left out, so that a
// hand-edited or damaged store cannot mark a lesson twice.
func DecodeProgress(b []byte) (Progress, error) {
	var p Progress
	if err := json.Unmarshal(b, &p); err != nil {
		return Progress{}, fmt.Errorf("lesson progress: %w", err)
	}
	met := p.Met[:0]
	for _, n := range p.Met {
		if n > 0 && !slices.Contains(met, n) {
			met = append(met, n)
		}
	}
	p.Met = met
	slices.Sort(p.Met)
	p.Last = max(p.Last, 0)
	class := p.Class[:0]
	for _, k := range p.Class {
		if strings.Contains(k, "/") && !slices.Contains(class, k) {
			class = append(class, k)
		}
	}
	p.Class = class
	slices.Sort(p.Class)
	if len(p.Class) == 0 {
		p.Class = nil
	}
	return p, nil
}

// EncodeProgress is p as JSON, for a store.
func EncodeProgress(p Progress) []byte {
	if p.Met == nil {
		p.Met = []int{}
	}
	b, _ := json.Marshal(p) // ints only: it cannot fail
	return b
}

// FileProgress is a ProgressStore in a JSON file, for the desktop: the
// file need not exist yet, nor its folder.
type FileProgress struct{ Path string }

// DefaultProgressFile is where the desktop keeps progress: socketville/
// lessons.json under the user's configuration folder (XDG_CONFIG_HOME,
// ~/.config, ~/Library/Application Support, %AppData%).
func DefaultProgressFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("lesson progress: %w", err)
	}
	return filepath.Join(dir, "socketville", "lessons.json"), nil
}

// Load reads the file; a missing file is no progress yet.
func (f FileProgress) Load() (Progress, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Progress{}, nil
	}
	if err != nil {
		return Progress{}, fmt.Errorf("lesson progress: %w", err)
	}
	p, err := DecodeProgress(b)
	if err != nil {
		return Progress{}, fmt.Errorf("%s: %w", f.Path, err)
	}
	return p, nil
}

// Save writes the file whole (a new file renamed over the old), making
// its folder if need be, so a crash never leaves half a file.
func (f FileProgress) Save(p Progress) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return fmt.Errorf("lesson progress: %w", err)
	}
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, EncodeProgress(p), 0o644); err != nil {
		return fmt.Errorf("lesson progress: %w", err)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		return fmt.Errorf("lesson progress: %w", err)
	}
	return nil
}
