package script

import (
	"slices"
	"strings"
)

// editDistance is the optimal string alignment distance between a and b
// (Damerau–Levenshtein without repeated edits of a substring): insertions,
// deletions, substitutions and transpositions of neighbours each count one,
// so "hots" is one edit from "host", as a typist would see it.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: the one before last (for transpositions), last, this.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// maxEdits is how far a word may be from a name for the name to be
// suggested: one edit for short words, more for longer ones, so that a
// suggestion is a likely typo and never a guess ("rd" is not "wr").
func maxEdits(word string) int {
	n := len([]rune(word))
	switch {
	case n <= 2:
		return 0
	case n <= 5:
		return 1
	case n <= 10:
		return 2
	}
	return 3
}

// closest returns the candidates nearest to word, ignoring case, within
// maxEdits of it: all of those at the least distance, in the candidates'
// order, so the answer is the same every time. A word that equals a
// candidate but for case has that candidate for its suggestion.
func closest(word string, candidates []string) []string {
	w := strings.ToLower(word)
	if w == "" {
		return nil
	}
	best, limit := -1, maxEdits(word)
	var out []string
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		if c == word || d > limit || (best >= 0 && d > best) {
			continue
		}
		if d < best || best < 0 {
			best, out = d, out[:0]
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// didYouMean is "did you mean host?" (or "host or hots?") for a word close
// to some candidates, or "" when none is close.
func didYouMean(word string, candidates []string) string {
	return meanOneOf(closest(word, candidates))
}

// meanOneOf is "did you mean a?", "did you mean a or b?", or "" for none.
func meanOneOf(c []string) string {
	switch len(c) {
	case 0:
		return ""
	case 1:
		return "did you mean " + c[0] + "?"
	}
	return "did you mean " + strings.Join(c[:len(c)-1], ", ") + " or " + c[len(c)-1] + "?"
}
