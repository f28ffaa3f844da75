package town

import "fmt"

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

// portWords says what kind of port a door is bound to, for its panel: a
// well-known port with its service, a privileged one, or one of the
// ephemeral ports the kernel hands out; "" for a socket with no port yet.
func portWords(port uint16) string {
	switch service, known := wellKnown(port); {
	case port == 0:
		return ""
	case known:
		return fmt.Sprintf("port %d: the well-known port of %s; below 1024, only root may bind", port, service)
	case port < 1024:
		return fmt.Sprintf("port %d: a well-known (privileged) port; only root may bind it", port)
	case port >= 49152:
		return fmt.Sprintf("port %d: an ephemeral port (49152-65535, where the kernel picks a client's port)", port)
	}
	return fmt.Sprintf("port %d: a registered port; any process may bind it", port)
}
