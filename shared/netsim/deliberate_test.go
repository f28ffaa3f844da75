package netsim_test

import (
	"os"
	"strings"
	"testing"

	"socketville/shared/netsim"
)

// TestDeliberateMatchesTCPComment keeps Deliberate() in step with the list
// at the top of tcp.go and then the list below IP in deliberate.go: one
// bullet an entry, in the same order, each bullet naming its entry.
func TestDeliberateMatchesTCPComment(t *testing.T) {
	var bullets []string
	for _, file := range []string{"tcp.go", "deliberate.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		b := deliberateBullets(string(src))
		if len(b) == 0 {
			t.Errorf("%s has no list of deliberate differences", file)
		}
		bullets = append(bullets, b...)
	}
	list := netsim.Deliberate()
	if len(bullets) != len(list) {
		t.Errorf("tcp.go and deliberate.go list %d deliberate differences, Deliberate() %d", len(bullets), len(list))
	}
	seen := map[string]bool{}
	for i, d := range list {
		if d.Name == "" || d.Text == "" {
			t.Errorf("entry %d has an empty name or text: %+v", i, d)
		}
		if seen[d.Name] {
			t.Errorf("%q is listed twice", d.Name)
		}
		seen[d.Name] = true
		if strings.HasSuffix(d.Text, ".") {
			t.Errorf("%q: the text should have no final period: %q", d.Name, d.Text)
		}
		if i < len(bullets) && !strings.Contains(strings.ToLower(bullets[i]), strings.ToLower(d.Name)) {
			t.Errorf("bullet %d of tcp.go's list does not name %q:\n%s", i+1, d.Name, bullets[i])
		}
	}
}

// deliberateBullets returns the bullets of the comment that starts with
// "Deliberate differences", each joined into one line.
func deliberateBullets(src string) []string {
	var bullets []string
	in := false
	for _, l := range strings.Split(src, "\n") {
		text, ok := strings.CutPrefix(l, "//")
		switch {
		case !ok:
			if in {
				return bullets
			}
			continue
		case strings.HasPrefix(strings.TrimSpace(text), "Deliberate differences"):
			in = true
			continue
		case !in:
			continue
		}
		text = strings.TrimSpace(text)
		if b, ok := strings.CutPrefix(text, "- "); ok {
			bullets = append(bullets, b)
		} else if len(bullets) > 0 {
			bullets[len(bullets)-1] += " " + text
		}
	}
	return bullets
}
