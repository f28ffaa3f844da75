package web

import (
	"strconv"
	"strings"
)

// pick chooses the content coding to send from offers (in the server's
// order of preference) for a request's Accept-Encoding, by RFC 9110
// section 12.5.3: the highest q wins, a tie goes to the earlier offer,
// q=0 refuses, "*" stands for any coding not named. It returns "" for
// the identity (no coding), which is always acceptable here: a client
// that refuses it too still gets the bytes rather than a 406.
func pick(accept string, offers []string) string {
	q := map[string]float64{}
	star, hasStar := 0.0, false
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		v := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil && f >= 0 && f <= 1 {
					v = f
				} else {
					v = 0 // a q we cannot read is not a yes
				}
			}
		}
		if name == "*" {
			star, hasStar = v, true
			continue
		}
		q[name] = v
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		v, ok := q[o]
		if !ok && hasStar {
			v, ok = star, true
		}
		if ok && v > bestQ {
			best, bestQ = o, v
		}
	}
	return best
}

// match reports whether an If-None-Match header names etag (or is "*").
func match(ifNoneMatch, etag string) bool {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
