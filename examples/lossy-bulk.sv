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
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 8
a/client: socket tcp
a/client: connect 3 10.0.0.2:80
b/server: accept 3
b/server: recv 4 all &
a/client: send 3 size=1048576
a/client: close 3
run 30s
b/server: close 4
run 2m
