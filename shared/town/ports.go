package town

import (
	"fmt"

	"socketville/shared/sock"
)

// wellKnown names the service of a well-known port (below 1024) a learner
// is likely to meet, in the one word the door's label has room for ("80
// web"); ok is false for the other ports.
func wellKnown(port uint16) (service string, ok bool) {
	w := wellKnownPort(port)
	return w.service, w.service != ""
}

// aboutWellKnown says what the service of a well-known port is in a few
// more words ("the web (HTTP)"), for the door's panel, where the label's
// one word alone would read like the name of the process.
func aboutWellKnown(port uint16) (about string, ok bool) {
	w := wellKnownPort(port)
	return w.about, w.about != ""
}

// portService is a well-known port's service: the label's word and the
// panel's words.
type portService struct{ service, about string }

// wellKnownPort is the service of a well-known port a learner is likely to
// meet, or the zero portService. A switch rather than a table in a package
// variable: nothing can change it, and the label's drawing allocates nothing.
func wellKnownPort(port uint16) portService {
	switch port {
	case 7:
		return portService{"echo", "echo (it sends back what it gets)"}
	case 13:
		return portService{"daytime", "daytime (the time of day, as text)"}
	case 17:
		return portService{"qotd", "the quote of the day"}
	case 21:
		return portService{"FTP", "file transfer (FTP)"}
	case 22:
		return portService{"SSH", "remote logins (SSH)"}
	case 23:
		return portService{"telnet", "remote logins in plain text (telnet)"}
	case 25:
		return portService{"mail", "mail between servers (SMTP)"}
	case 587:
		return portService{"mail", "mail sent by a mail program (SMTP submission)"}
	case 53:
		return portService{"DNS", "names to addresses (DNS)"}
	case 67:
		return portService{"DHCP", "handing out addresses (the DHCP server)"}
	case 68:
		return portService{"DHCP", "asking for an address (the DHCP client)"}
	case 80:
		return portService{"web", "the web (HTTP)"}
	case 110:
		return portService{"POP3", "fetching mail (POP3)"}
	case 123:
		return portService{"NTP", "setting clocks (NTP)"}
	case 143:
		return portService{"IMAP", "reading mail on the server (IMAP)"}
	case 443:
		return portService{"HTTPS", "the web over TLS (HTTPS)"}
	}
	return portService{}
}

// portWords says what kind of port a door is bound to, for its panel: a
// well-known port with its service, a privileged one, or one of the
// ephemeral ports the kernel hands out; "" for a socket with no port yet.
func portWords(port uint16, eph sock.PortRange) string {
	switch about, known := aboutWellKnown(port); {
	case port == 0:
		return ""
	case known:
		return fmt.Sprintf("port %d: the well-known port for %s; below 1024, only root may bind", port, about)
	case port < 1024:
		return fmt.Sprintf("port %d: a well-known (privileged) port; only root may bind it", port)
	case eph.Contains(port):
		return fmt.Sprintf("port %d: an ephemeral port (%s, where the kernel picks a client's port)", port, eph)
	}
	return fmt.Sprintf("port %d: a registered port; any process may bind it", port)
}
