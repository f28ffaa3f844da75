package wire

import "strconv"

// Protocol is an IPv4 protocol number (the "Protocol" field).
type Protocol uint8

// Protocol numbers Socketville speaks.
const (
	ProtocolICMP Protocol = 1
	ProtocolTCP  Protocol = 6
	ProtocolUDP  Protocol = 17
)

// String returns the protocol's name, or its number if it has none here.
func (p Protocol) String() string {
	switch p {
	case ProtocolICMP:
		return "ICMP"
	case ProtocolTCP:
		return "TCP"
	case ProtocolUDP:
		return "UDP"
	}
	return "proto-" + strconv.Itoa(int(p))
}
