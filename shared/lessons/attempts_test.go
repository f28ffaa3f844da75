package lessons_test

import (
	"strings"
	"testing"

	"socketville/shared/lessons"
)

// TestOtherAttempts: a goal checks the idea, not the show-me's exact lines.
// Another right way meets it, and more wrong ways are told what they miss.
func TestOtherAttempts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lesson int
		lines  string
		met    bool
		says   string // in the missing sentences, when not met
	}{
		{name: "connect and send instead of sendto", lesson: 1, met: true,
			lines: "a/app: socket udp\na/app: connect 3 10.0.0.2:7\na/app: send 3 \"hi\"\nb/echo: recvfrom 3 100\n"},
		{name: "sent and never read", lesson: 1,
			lines: "a/app: socket udp\na/app: sendto 3 10.0.0.2:7 \"hi\"\n", says: "nothing on host b read from a socket"},
		{name: "accept waiting first", lesson: 2, met: true,
			lines: "b/web: accept 3 &\na/browser: socket tcp\na/browser: connect 3 10.0.0.2:80\nrun 20ms\na/browser: send 3 \"GET /\"\nb/web: recv 4 100\nb/web: send 4 \"hello\"\na/browser: recv 3 100\n"},
		{name: "the server never answers", lesson: 2,
			lines: "a/browser: socket tcp\na/browser: connect 3 10.0.0.2:80\nb/web: accept 3\na/browser: send 3 \"GET /\"\nb/web: recv 4 100\n",
			says:  "nothing on host a read from a socket"},
		{name: "no option set", lesson: 3,
			lines: "a/app: socket tcp\na/app: connect 3 10.0.0.2:7\na/app: socket udp\na/app: sendto 4 10.0.0.2:7 \"x\"\n",
			says:  "no socket on host a has TCP_NODELAY set to 1 (its sockets have 0); setsockopt FD TCP_NODELAY 1 sets it"},
		{name: "a root client takes port 80", lesson: 4,
			lines: "process a admin root\na/admin: socket tcp\na/admin: bind 3 0.0.0.0:80\n",
			says:  "no bind on host a failed with EACCES"},
		{name: "bound to the host's own address", lesson: 5, met: true,
			lines: "b/web: bind 3 10.0.0.2:80\nb/web: listen 3 16\na/browser: socket tcp\na/browser: connect 3 10.0.0.2:80\nb/web: accept 3\n"},
		{name: "bound and never listening", lesson: 5,
			lines: "b/web: bind 3 0.0.0.0:80\na/browser: socket tcp\na/browser: connect 3 10.0.0.2:80\n",
			says:  "no socket on host b is listening on port 80 (nothing on host b listens"},
		{name: "two sockets from one client host", lesson: 6, met: true,
			lines: "c1/app: socket tcp\nc1/app: connect 3 10.0.0.1:80\nc1/app: socket tcp\nc1/app: connect 4 10.0.0.1:80\ns/server: accept 3\ns/server: accept 3\n"},
		{name: "connected and never accepted", lesson: 6,
			lines: "c1/app: socket tcp\nc1/app: connect 3 10.0.0.1:80\nc2/app: socket tcp\nc2/app: connect 3 10.0.0.1:80\n",
			says:  "host s accepted no client on port 80"},
		{name: "one fd a poll", lesson: 7,
			lines: "c1/app: send 3 \"a\"\ns/server: poll 4 in\ns/server: recv 4 100\nc2/app: send 3 \"b\"\ns/server: poll 5 in\ns/server: recv 5 100\n",
			says:  "no poll on host s watched 2 or more sockets at once and found one readable (it watched 1 at most)"},
		{name: "only one client writes", lesson: 7,
			lines: "c1/app: send 3 \"a\"\ns/server: poll 4,5 in\ns/server: recv 4 100\n",
			says:  "polls on host s said 1 fd was readable; the goal wants 2 different ones"},
		{name: "the server closes its listening socket too", lesson: 8,
			lines: "a/browser: close 3\nb/web: recv 4 100\nb/web: close 4\nb/web: close 3\nrun 2m\n",
			says:  "the goal wants this not to happen, and it did: a connection on host b went from LISTEN to CLOSED"},
		{name: "TIME-WAIT not waited out", lesson: 8,
			lines: "a/browser: close 3\nb/web: recv 4 100\nb/web: close 4\nrun 1s\n",
			says:  "no connection on host a went from TIME-WAIT to CLOSED (its connections went through SYN-SENT, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT)"},
		{name: "UDP instead of ping", lesson: 9, met: true,
			lines: "a/app: socket udp\na/app: sendto 3 10.0.0.2:9 \"x\"\na/app: sendto 3 192.168.9.10:9 \"y\"\nrun 1s\n"},
		{name: "only the far host", lesson: 9,
			lines: "a/app: ping 192.168.9.10\n",
			says:  "host a has no ARP entry for 10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := lessons.Find(tc.lesson)
			if !ok {
				t.Fatalf("no lesson %d", tc.lesson)
			}
			o := run(t, l, l.Start+tc.lines)
			missing := strings.Join(o.Missing(), "\n")
			if o.Met != tc.met {
				t.Fatalf("lesson %d: met=%v, want %v; missing:\n%s", tc.lesson, o.Met, tc.met, missing)
			}
			if !tc.met && !strings.Contains(missing, tc.says) {
				t.Errorf("missing sentences do not say %q; they are:\n%s", tc.says, missing)
			}
		})
	}
}
