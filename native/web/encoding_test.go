package web

import "testing"

func TestPickEncoding(t *testing.T) {
	both := []string{"br", "gzip"}
	for _, c := range []struct {
		name, accept string
		offers       []string
		want         string
	}{
		{name: "Chromium", accept: "gzip, deflate, br, zstd", offers: both, want: "br"},
		{name: "no brotli twin", accept: "gzip, deflate, br", offers: []string{"gzip"}, want: "gzip"},
		{name: "gzip only", accept: "gzip", offers: both, want: "gzip"},
		{name: "nothing said", accept: "", offers: both, want: ""},
		{name: "identity", accept: "identity", offers: both, want: ""},
		{name: "brotli refused", accept: "br;q=0, gzip", offers: both, want: "gzip"},
		{name: "gzip preferred by q", accept: "br;q=0.5, gzip;q=0.9", offers: both, want: "gzip"},
		{name: "a tie goes to the smaller", accept: "gzip;q=0.8, br;q=0.8", offers: both, want: "br"},
		{name: "star", accept: "*", offers: both, want: "br"},
		{name: "star but brotli refused", accept: "*;q=0.5, br;q=0", offers: both, want: "gzip"},
		{name: "case and spaces", accept: " GZIP ; Q=1 ", offers: both, want: "gzip"},
		{name: "a q out of range is no", accept: "br;q=7, gzip", offers: both, want: "gzip"},
		{name: "garbage", accept: ";;,,q=,br;q=x", offers: both, want: ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := pick(c.accept, c.offers); got != c.want {
				t.Errorf("pick(%q, %v) = %q, want %q", c.accept, c.offers, got, c.want)
			}
		})
	}
}

func TestMatchETag(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{header: `"abc"`, want: true},
		{header: `W/"abc"`, want: true},
		{header: `"x", "abc"`, want: true},
		{header: `*`, want: true},
		{header: `"abd"`, want: false},
		{header: ``, want: false},
	} {
		if got := match(c.header, `"abc"`); got != c.want {
			t.Errorf("match(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}
