package script

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{a: "", b: "", want: 0},
		{a: "host", b: "", want: 4},
		{a: "host", b: "host", want: 0},
		{a: "hots", b: "host", want: 1}, // a transposition is one edit
		{a: "sockt", b: "socket", want: 1},
		{a: "forwrd", b: "forward", want: 1},
		{a: "dealy", b: "delay", want: 1},
		{a: "kitten", b: "sitting", want: 3},
		{a: "ca", b: "abc", want: 3},    // optimal string alignment, not full Damerau
		{a: "héte", b: "hôte", want: 1}, // runes, not bytes
	} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := editDistance(c.b, c.a); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (it is symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name, word string
		names      []string
		want       []string
	}{
		{name: "one typo", word: "hots", names: worldNames(), want: []string{"host"}},
		{name: "case only", word: "so_reuseaddr", names: sockOptNames(), want: []string{"SO_REUSEADDR"}},
		{name: "ties keep the table's order", word: "bat", names: []string{"cat", "bit", "bar"}, want: []string{"cat", "bit", "bar"}},
		{name: "the nearest win", word: "sendt", names: CallNames(), want: []string{"send", "sendto"}},
		{name: "nothing close", word: "bogus", names: worldNames(), want: nil},
		{name: "short words need an exact match", word: "rd", names: []string{"wr"}, want: nil},
		{name: "empty word", word: "", names: worldNames(), want: nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := closest(c.word, c.names)
			if !slices.Equal(got, c.want) {
				t.Fatalf("closest(%q) = %q, want %q", c.word, got, c.want)
			}
			if again := closest(c.word, c.names); !slices.Equal(again, got) {
				t.Fatalf("closest(%q) changed: %q then %q", c.word, got, again)
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	for _, c := range []struct {
		word  string
		names []string
		want  string
	}{
		{word: "hots", names: worldNames(), want: "did you mean host?"},
		{word: "bat", names: []string{"cat", "bit", "bar"}, want: "did you mean cat, bit or bar?"},
		{word: "zzz", names: worldNames(), want: ""},
	} {
		if got := didYouMean(c.word, c.names); got != c.want {
			t.Errorf("didYouMean(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}
