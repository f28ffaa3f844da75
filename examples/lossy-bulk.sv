# TCP on a bad road: 1 MiB arrives whole and in order.
# 1 MiB over a bad road: 10% of the letters are lost, 10% arrive twice and
# 10% are held back so later ones overtake them. TCP gets every byte through,
# once and in order: recv all prints the same sha256 as the send. Look for
# "(retransmission)" in the trace: timeouts, fast retransmits after
# duplicate ACKs, and the receiver's out-of-order queue at work.
seed 7
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=10ms rate=10Mbit loss=10% dup=10% reorder=10%
process a client
process b server root
# The usual start: the server listens on port 80, the client connects (even
# the handshake's letters may be lost and sent again), the server accepts.
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 8
a/client: socket tcp
a/client: connect 3 10.0.0.2:80
b/server: accept 3
# The server reads everything until end of file, in the background; the
# client writes 1 MiB in segments of 1460 bytes: lost ones are sent again,
# duplicates are dropped, overtaken ones wait in the out-of-order queue.
b/server: recv 4 all &
a/client: send 3 size=1048576
# The client closes; within 30 s the server's read completes with the same
# sha256, and the server closes too.
a/client: close 3
run 30s
b/server: close 4
run 2m
