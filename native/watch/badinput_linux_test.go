package watch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestProcessesComeAndGo: programs that open a socket and exit at once,
// hundreds of them while the watch looks again and again, so that some
// exit between the socket dump and the /proc read: every look succeeds,
// and every socket's owner is a program's name or Unknown, never a wrong
// or empty one.
func TestProcessesComeAndGo(t *testing.T) {
	needTools(t, "ip", "python3")
	ns := newNetns(t)
	w, err := New(Options{Netns: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// Listen, connect to itself, and exit without closing.
			cmd := exec.Command("ip", "netns", "exec", ns, "python3", "-c",
				"import socket as s\nl=s.socket(); l.bind(('127.0.0.1',0)); l.listen()\nc=s.create_connection(l.getsockname())")
			_ = cmd.Run()
		}
	}()
	looks, owned, unknown := 0, 0, 0
	end := time.Now().Add(4 * time.Second)
	for time.Now().Before(end) {
		snap, _, err := w.Refresh()
		if err != nil {
			t.Fatalf("look %d: %v", looks, err)
		}
		looks++
		for _, h := range snap.Hosts {
			for _, p := range h.Processes {
				for _, s := range p.Sockets {
					switch {
					case p.Name == Unknown:
						unknown++
					case p.Name == "python3" && p.PID > 0:
						owned++
					default:
						t.Errorf("a socket owned by %q (pid %d, fd %d): want python3 or %q", p.Name, p.PID, s.FD, Unknown)
					}
				}
			}
			for _, s := range h.Orphans {
				if s.FD != 0 {
					t.Errorf("a kernel-held connection with fd %d", s.FD)
				}
			}
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d looks: %d sockets with their owner, %d whose owner had gone", looks, owned, unknown)
	if looks < 10 || owned == 0 {
		t.Errorf("%d looks, %d owned sockets: the test saw too little", looks, owned)
	}
}

// TestOtherUsersSockets: a watch run by a user who may not read another
// user's /proc/PID/fd shows that user's listening socket with its owner
// unknown and the user's name, and goes on.
func TestOtherUsersSockets(t *testing.T) {
	needTools(t, "python3", "setpriv")
	bin := filepath.Join(t.TempDir(), "socketville")
	build := exec.Command("go", "build", "-o", bin, "socketville/native")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building the binary: %v", err)
	}
	if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := exec.Command("python3", "-c", "import socket as s,time\nl=s.socket(); l.bind(('127.0.0.1',0)); l.listen(); print(l.getsockname()[1], flush=True); time.sleep(60)")
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	buf := make([]byte, 16)
	n, _ := out.Read(buf)
	port := strings.TrimSpace(string(buf[:n]))
	table, err := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, "watch", "--once", "--port", port).CombinedOutput()
	if err != nil {
		t.Fatalf("watch --once as nobody: %v\n%s", err, table)
	}
	text := string(table)
	if !strings.Contains(text, "127.0.0.1:"+port) || !strings.Contains(text, "LISTEN") {
		t.Fatalf("nobody's watch does not show root's listener on %s:\n%s", port, text)
	}
	if !strings.Contains(text, Unknown) || !strings.Contains(text, "root") {
		t.Errorf("root's listener should show with owner %q and user root for nobody:\n%s", Unknown, text)
	}
}
