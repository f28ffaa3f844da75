package town

import (
	"html"
	"strings"
)

// LessonHTML renders a lesson's Markdown text as the simple HTML a page
// shows beside the canvas, for a screen reader: paragraphs, bulleted and
// numbered lists, `code` and fenced code blocks. Everything else is text,
// escaped, so a teacher's lesson can put no markup of its own in the page.
func LessonHTML(md string) string {
	var b strings.Builder
	var para []string
	list := "" // "ul" or "ol" while a list is open
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inlineHTML(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "```"):
			flush()
			closeList()
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				code = append(code, lines[i])
			}
			b.WriteString("<pre><code>" + html.EscapeString(strings.Join(code, "\n")) + "</code></pre>\n")
		case l == "":
			flush()
			closeList()
		case listItem(l, "ul") != "" || listItem(l, "ol") != "":
			flush()
			kind := "ul"
			if listItem(l, "ul") == "" {
				kind = "ol"
			}
			if list != kind {
				closeList()
				b.WriteString("<" + kind + ">\n")
				list = kind
			}
			b.WriteString("<li>" + inlineHTML(listItem(l, kind)) + "</li>\n")
		case list != "":
			// A line carried on from a list item: append it to the item.
			s := strings.TrimSuffix(b.String(), "</li>\n")
			b.Reset()
			b.WriteString(s + " " + inlineHTML(l) + "</li>\n")
		default:
			para = append(para, l)
		}
	}
	flush()
	closeList()
	return b.String()
}

// listItem is the text of a list item line of the kind ("ul": "- x" or
// "* x"; "ol": "1. x"), or "" when l is no such line.
func listItem(l, kind string) string {
	if kind == "ul" {
		for _, mark := range []string{"- ", "* "} {
			if strings.HasPrefix(l, mark) {
				return strings.TrimSpace(l[len(mark):])
			}
		}
		return ""
	}
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	if i == 0 || i+1 >= len(l) || l[i] != '.' || l[i+1] != ' ' {
		return ""
	}
	return strings.TrimSpace(l[i+2:])
}

// inlineHTML escapes s and marks `code` spans; an unmatched backtick is
// text.
func inlineHTML(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '`')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], '`')
		if end < 0 {
			break
		}
		b.WriteString(html.EscapeString(s[:open]))
		b.WriteString("<code>" + html.EscapeString(s[open+1:open+1+end]) + "</code>")
		s = s[open+1+end+1:]
	}
	b.WriteString(html.EscapeString(s))
	return b.String()
}

// plainText is a lesson's Markdown as the panel draws it: the paragraphs
// each one line (the panel wraps them), list items with a bullet, the
// backticks of code spans gone.
func plainText(md string) []string {
	var out, para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, strings.Join(para, " "))
			para = nil
		}
	}
	for _, l := range strings.Split(md, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			flush()
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
		case listItem(l, "ul") != "":
			flush()
			out = append(out, "- "+listItem(l, "ul"))
		case listItem(l, "ol") != "":
			flush()
			out = append(out, l)
		default:
			para = append(para, l)
		}
	}
	flush()
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], "`", "")
	}
	return out
}
