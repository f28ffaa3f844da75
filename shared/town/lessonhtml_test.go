package town

import (
	"slices"
	"strings"
	"testing"

	"socketville/shared/lessons"
)

func TestLessonHTML(t *testing.T) {
	for _, tc := range []struct {
		name, md, want string
	}{
		{name: "paragraphs", md: "One line\nand its next.\n\nTwo.", want: "<p>One line and its next.</p>\n<p>Two.</p>\n"},
		{name: "code", md: "Type `b/web: listen 3 16` now.", want: "<p>Type <code>b/web: listen 3 16</code> now.</p>\n"},
		{name: "an unmatched backtick", md: "a ` b", want: "<p>a ` b</p>\n"},
		{name: "escaped", md: "<script>alert(1)</script> & `<b>`", want: "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <code>&lt;b&gt;</code></p>\n"},
		{name: "a list", md: "Try:\n\n- one\n- two `x`\n  carried on\n\nAfter.", want: "<p>Try:</p>\n<ul>\n<li>one</li>\n<li>two <code>x</code> carried on</li>\n</ul>\n<p>After.</p>\n"},
		{name: "numbered", md: "1. first\n2. second", want: "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"},
		{name: "a code block", md: "See:\n```\na/app: socket tcp\n<x>\n```\nDone.", want: "<p>See:</p>\n<pre><code>a/app: socket tcp\n&lt;x&gt;</code></pre>\n<p>Done.</p>\n"},
		{name: "an unclosed code block", md: "```\nx", want: "<pre><code>x</code></pre>\n"},
		{name: "nothing", md: "", want: ""},
	} {
		if got := LessonHTML(tc.md); got != tc.want {
			t.Errorf("%s: LessonHTML(%q) =\n%q\nwant\n%q", tc.name, tc.md, got, tc.want)
		}
	}
}

// TestEveryLessonTextRenders: each built-in lesson's text is paragraphs
// of escaped text in the page, and the panel's lines keep every word.
func TestEveryLessonTextRenders(t *testing.T) {
	for _, l := range lessons.All() {
		h := LessonHTML(l.Text)
		if !strings.HasPrefix(h, "<p>") || strings.Contains(h, "<script") {
			t.Errorf("lesson %d: %q", l.Number, h[:min(len(h), 80)])
		}
		want := strings.Fields(strings.ReplaceAll(l.Text, "`", ""))
		var got []string
		for _, p := range plainText(l.Text) {
			got = append(got, strings.Fields(p)...)
		}
		got = slices.DeleteFunc(got, func(s string) bool { return s == "-" })
		want = slices.DeleteFunc(want, func(s string) bool { return s == "-" || s == "*" })
		if !slices.Equal(got, want) {
			t.Errorf("lesson %d: the panel's words differ from the text's", l.Number)
		}
	}
}
