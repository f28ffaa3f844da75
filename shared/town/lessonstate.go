package town

// LessonState is the lessons as the town shows them, for tests: the
// lesson open (Number 0 for none) with its goal's checks, the hints shown
// and whether the goal is met; the lessons met so far; and, while the
// list is on show, its rows where they are drawn.
type LessonState struct {
	Number int `json:"number"`
	// Key and Class are the open lesson's, as LessonView has them.
	Key    string        `json:"key,omitempty"`
	Class  string        `json:"class,omitempty"`
	Title  string        `json:"title"`
	Checks []LessonCheck `json:"checks"`
	Hints  int           `json:"hints"`      // shown so far
	Total  int           `json:"hint_total"` // the lesson has
	Met    bool          `json:"met"`
	// Showing says show me is still typing its lines.
	Showing bool `json:"showing"`
	// Note is a shared lesson's word on the friend (LessonView.Note);
	// You and Friend the hosts its YOU and FRIEND are, once bound.
	Note   string `json:"note,omitempty"`
	You    string `json:"you,omitempty"`
	Friend string `json:"friend,omitempty"`
	// MetLessons are the lessons whose goal the learner met, kept by the
	// progress store.
	MetLessons []int `json:"met_lessons"`
	// MetClass are the class folders' lessons met, as FOLDER/FILE.
	MetClass []string      `json:"met_class,omitempty"`
	List     []LessonEntry `json:"list,omitempty"`
}

// LessonCheck is one check of a goal as it stands: its sentence, whether
// it holds, and what is missing when it does not.
type LessonCheck struct {
	Name    string `json:"name"`
	Met     bool   `json:"met"`
	Missing string `json:"missing,omitempty"`
}

// LessonEntry is a lesson's button in the list, where it is drawn.
type LessonEntry struct {
	Number int    `json:"number"`
	Class  string `json:"class,omitempty"` // the class folder's name, "" for built-in
	Title  string `json:"title"`
	Met    bool   `json:"met"`
	Label  string `json:"label"` // its button's
	Box    Box    `json:"box"`
}

// lessonState is the lessons' row of State: nil until the learner first
// opens the list or a lesson.
func (g *Game) lessonState() *LessonState {
	b := g.book
	if !b.loaded {
		return nil
	}
	s := &LessonState{MetLessons: append([]int{}, b.progress.Met...), MetClass: append([]string(nil), b.progress.Class...)}
	if r := b.run; r != nil {
		v := g.lessonView()
		s.Number, s.Key, s.Class, s.Title, s.Checks, s.Hints, s.Total = v.Number, v.Key, v.Class, v.Title, v.Checks, r.hints, len(r.lesson.Hints)
		s.Met, s.Showing = v.Met, len(r.show) > 0
		s.Note, s.You, s.Friend = v.Note, r.lesson.Bound.You, r.lesson.Bound.Friend
	}
	if _, ok := g.shown().(lessonListPanel); ok && len(b.listButtons) == len(b.all) {
		for i, btn := range b.listButtons {
			l := b.all[i]
			s.List = append(s.List, LessonEntry{Number: l.Number, Class: l.folder, Title: l.Title, Met: b.progress.hasMetLesson(l),
				Label: g.listLabel(l), Box: g.listBox(btn)})
		}
	}
	return s
}
