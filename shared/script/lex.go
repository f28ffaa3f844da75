package script

import (
	"fmt"
	"strconv"
	"strings"
)

// token is one word of a line; quoted strings keep their quotes off and are
// marked so "&" inside quotes is data, not the background marker.
type token struct {
	text   string
	quoted bool
}

// lexLine splits a line into tokens, dropping a trailing comment, and splits
// off the expectation after "=>". Quoted strings use Go's escapes.
func lexLine(line string) (toks []token, expect string, hasExpect bool, err error) {
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '#':
			return toks, expect, hasExpect, nil
		case c == '=' && strings.HasPrefix(line[i:], "=>"):
			rest := line[i+2:]
			if j := commentStart(rest); j >= 0 {
				rest = rest[:j]
			}
			return toks, strings.TrimSpace(rest), true, nil
		case c == '"':
			end, ok := closingQuote(line, i)
			if !ok {
				return nil, "", false, fmt.Errorf("unterminated string starting at column %d", i+1)
			}
			s, uerr := strconv.Unquote(line[i : end+1])
			if uerr != nil {
				return nil, "", false, fmt.Errorf("bad string %s: use Go escapes such as \\n, \\\" and \\x41", strconv.Quote(line[i:end+1]))
			}
			toks = append(toks, token{text: s, quoted: true})
			i = end + 1
		default:
			j := i
			for j < len(line) && !strings.ContainsRune(" \t\r\n#\"", rune(line[j])) && !strings.HasPrefix(line[j:], "=>") {
				j++
			}
			toks = append(toks, token{text: line[i:j]})
			i = j
		}
	}
	return toks, expect, hasExpect, nil
}

// closingQuote finds the quote that ends the string starting at line[start].
func closingQuote(line string, start int) (int, bool) {
	for j := start + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			return j, true
		}
	}
	return 0, false
}

// commentStart finds a '#' outside quotes, or -1.
func commentStart(s string) int {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch {
		case inQuote && s[i] == '\\':
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == '#' && !inQuote:
			return i
		}
	}
	return -1
}
