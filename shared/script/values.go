package script

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads "5ms", "2s", "1m30s"; a bare number is milliseconds,
// as poll(2)'s timeout is.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > math.MaxInt64/int64(time.Millisecond) {
			return 0, fmt.Errorf("duration %q: want 0 or more", s)
		}
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("duration %q: write it like 5ms, 2s or 1m30s", s)
	}
	return d, nil
}

// parseRate reads a bit rate as tc writes it: "10Mbit", "500kbit", "1Gbit",
// "9600bit", or a bare number of bits per second.
func parseRate(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"gbit", 1e9}, {"mbit", 1e6}, {"kbit", 1e3}, {"bit", 1}}
	lower := strings.ToLower(s)
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			lower, mult = strings.TrimSuffix(lower, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(lower, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v*mult > 1e15 {
		return 0, fmt.Errorf("rate %q: write it like 10Mbit, 500kbit or 1Gbit", s)
	}
	return int64(v * mult), nil
}

// parseProbability reads "1%", "0.5%" or a fraction such as "0.01".
func parseProbability(s string) (float64, error) {
	num, pct := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(num, 64)
	if err == nil && pct {
		v /= 100
	}
	if err != nil || !(v >= 0 && v <= 1) {
		return 0, fmt.Errorf("probability %q: write it like 1%% or 0.01, from 0 to 100%%", s)
	}
	return v, nil
}

// parseAddrPort reads "10.0.0.2:7007".
func parseAddrPort(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || !ap.Addr().Is4() {
		return netip.AddrPort{}, fmt.Errorf("address %q: write an IPv4 address and port like 10.0.0.2:80", s)
	}
	return ap, nil
}

// parseAddr reads "10.0.0.2".
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("address %q: write an IPv4 address like 10.0.0.2", s)
	}
	return a, nil
}

// parsePrefix reads "10.0.0.1/24" (a host address with its prefix length).
func parsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("address %q: write an IPv4 address with its prefix length like 10.0.0.1/24", s)
	}
	return p, nil
}

// parseCount reads a non-negative integer no larger than limit.
func parseCount(what, s string, limit int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > limit {
		return 0, fmt.Errorf("%s %q: want a whole number from 0 to %d", what, s, limit)
	}
	return n, nil
}

// parseFD reads a file descriptor number.
func parseFD(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1<<20 {
		return 0, fmt.Errorf("fd %q: want a file descriptor number such as 3", s)
	}
	return n, nil
}
