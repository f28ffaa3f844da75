package town

import (
	"testing"

	"socketville/examples"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// TestRolesInTheSeedsWords plays examples to where their connections
// stand and reads the roofs: the side that connects is the client, the
// side that listens (or is bound to its own port and answers) the server.
func TestRolesInTheSeedsWords(t *testing.T) {
	for _, c := range []struct {
		example string
		want    map[[2]string]string
	}{
		{"hello-tcp", map[[2]string]string{{"a", "browser"}: "client", {"b", "web"}: "server"}},
		{"two-clients", map[[2]string]string{{"c1", "app"}: "client", {"c2", "app"}: "client", {"s", "server"}: "server"}},
		{"poll-udp", map[[2]string]string{{"client1", "echo"}: "client", {"client2", "daytime"}: "client", {"server", "inetd"}: "server"}},
	} {
		ex, ok := examples.Find(c.example)
		if !ok {
			t.Fatalf("no example %s", c.example)
		}
		p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
		if err != nil {
			t.Fatal(err)
		}
		var got map[[2]string]string
		for range 400 {
			p.Step()
			got = rolesOf(layout.Of(p.Snapshot()))
			if len(got) == len(c.want) {
				break
			}
		}
		for who, role := range c.want {
			if got[who] != role {
				t.Errorf("%s: %s/%s's roof says %q, want %q (all: %v)", c.example, who[0], who[1], got[who], role, got)
			}
		}
	}
}
