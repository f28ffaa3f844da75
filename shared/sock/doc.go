// Package sock is the socket vocabulary every kernel of the town speaks:
// the errno set, socket types, options, poll bits, shutdown directions, a
// typed TCP state, the events a kernel publishes and the snapshots it
// gives; and the interfaces through which the shell, the net adapters and
// the town talk to a kernel (Proc, Clock, Town), so that the simulator and
// the operating system can stand behind them alike.
//
// It uses the standard library only.
package sock
