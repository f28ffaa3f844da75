// Package ossock runs the socket shell on the operating system's sockets:
// it is the OS kernel for the socket shell, where a scenario's town is built
// from real Linux network namespaces, veth pairs and netem qdiscs instead of
// the simulator. Linux only.
package ossock
