// Package ossock runs the socket shell on the operating system's sockets:
// it is the OS kernel for the socket shell, where a scenario's town is built
// from real Linux network namespaces instead of the simulator: each host
// and each switch (a Linux bridge) is a namespace, and each link is two TAP
// devices with a userspace wire between them that carries Ethernet frames
// and applies the link's delay, rate and faults with the simulator's own
// dice. Linux itself ARPs and bridges. Linux only.
package ossock
