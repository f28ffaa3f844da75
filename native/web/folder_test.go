package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"socketville/native/web"
)

const okScenario = "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\nprocess a p\na/p: socket udp\n"

// teacherFolder makes a folder as a teacher might leave it: two good
// scenarios, a good lesson, and the things a server must not serve.
func teacherFolder(t *testing.T) (dir, outside string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "class")
	outside = filepath.Join(base, "secret.sv")
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	lesson, err := os.ReadFile("../../shared/lessons/files/05-bind-listen.lesson")
	if err != nil {
		t.Fatal(err)
	}
	write(outside, okScenario)
	write(filepath.Join(dir, "week1.sv"), okScenario)
	write(filepath.Join(dir, "a-first.sv"), "# first\n"+okScenario)
	write(filepath.Join(dir, "05-bind-listen.lesson"), string(lesson))
	write(filepath.Join(dir, "06-broken.lesson"), "no front matter at all\n")
	write(filepath.Join(dir, "typo.sv"), "host a 10.0.0.1/24\nfrobnicate a\n")
	write(filepath.Join(dir, "big.sv"), strings.Repeat("# padding\n", web.MaxFolderFile/10+1))
	write(filepath.Join(dir, "sub", "hidden.sv"), okScenario)
	write(filepath.Join(dir, "notes.txt"), "not a scenario")
	write(filepath.Join(dir, "we ird.sv"), okScenario)
	if err := os.Symlink(outside, filepath.Join(dir, "escape.sv")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.sv"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, outside
}

// TestTeacherFolder: the list holds the folder's good scenarios and
// lessons and says why each other file is left out; no request reaches
// a file outside the folder, in a subfolder, too big or not a file.
func TestTeacherFolder(t *testing.T) {
	dir, _ := teacherFolder(t)
	f, err := web.OpenFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	srv := httptest.NewServer(f)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/scenarios/index.json")
	if err != nil {
		t.Fatal(err)
	}
	var list web.FolderList
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if list.Name != filepath.Base(dir) {
		t.Errorf("the folder's name %q, want %q", list.Name, filepath.Base(dir))
	}
	var names []string
	for _, s := range list.Scenarios {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, " "); got != "a-first week1" {
		t.Errorf("scenarios %q, want a-first week1", got)
	}
	if len(list.Lessons) != 1 || list.Lessons[0].Number != 5 || list.Lessons[0].Title != "A server's socket: bind and listen" {
		t.Errorf("lessons %+v, want lesson 5 only", list.Lessons)
	}
	problems := strings.Join(list.Problems, "\n")
	for _, want := range []string{"06-broken.lesson", "typo.sv", "frobnicate", "big.sv: left out, it is more than the 256 KiB", `"we ird.sv"`, "pipe.sv: left out, it is not a plain file", "escape.sv"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the problems do not mention %q:\n%s", want, problems)
		}
	}

	for _, c := range []struct {
		path   string
		status int
		body   string
	}{
		{path: "/scenarios/week1.sv", status: 200, body: okScenario},
		{path: "/scenarios/05-bind-listen.lesson", status: 200, body: "title: A server's socket"},
		{path: "/scenarios/escape.sv", status: 403},
		{path: "/scenarios/..%2fsecret.sv", status: 404},
		{path: "/scenarios/sub/hidden.sv", status: 404},
		{path: "/scenarios/notes.txt", status: 404},
		{path: "/scenarios/big.sv", status: 403, body: "256 KiB"},
		{path: "/scenarios/pipe.sv", status: 403, body: "not a plain file"},
		{path: "/scenarios/missing.sv", status: 404, body: "has no missing.sv"},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.body) {
			t.Errorf("%s: %d %q, want %d with %q", c.path, resp.StatusCode, b, c.status, c.body)
		}
	}
}

func TestFolderThatIsNotThere(t *testing.T) {
	_, err := web.OpenFolder(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "scenarios folder") {
		t.Errorf("OpenFolder of a missing folder: %v", err)
	}
}

func TestNoFolderListsNothing(t *testing.T) {
	rec := httptest.NewRecorder()
	web.NoFolder(rec, httptest.NewRequest("GET", "/scenarios/index.json", nil))
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"scenarios":[],"lessons":[]}` {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
