// Package capture reads the packets of one network device through an
// AF_PACKET socket with a classic BPF filter (golang.org/x/net/bpf), as
// they leave and as they arrive: the loopback captures of an OS run on
// loopback and of a watch of the machine. The socket is SOCK_DGRAM, so a
// packet starts at its network header, and it takes every protocol
// (ETH_P_ALL), since only such sockets see outgoing packets too. It needs
// CAP_NET_RAW. Linux only.
package capture
