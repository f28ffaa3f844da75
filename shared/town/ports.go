package town

// wellKnown names the service of a well-known port (below 1024) a learner
// is likely to meet, in everyday words; ok is false for the others.
func wellKnown(port uint16) (service string, ok bool) {
	switch port {
	case 7:
		return "echo", true
	case 13:
		return "daytime", true
	case 17:
		return "qotd", true
	case 21:
		return "FTP", true
	case 22:
		return "SSH", true
	case 23:
		return "telnet", true
	case 25, 587:
		return "mail", true
	case 53:
		return "DNS", true
	case 67, 68:
		return "DHCP", true
	case 80:
		return "web", true
	case 110:
		return "POP3", true
	case 123:
		return "NTP", true
	case 143:
		return "IMAP", true
	case 443:
		return "HTTPS", true
	}
	return "", false
}
