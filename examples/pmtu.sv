# Path MTU: a big letter meets a narrow road.
# Two LANs of 1500-byte frames joined by a road that takes packets of at
# most 1400 bytes. TCP marks every segment "don't fragment" (DF), so the
# first router answers a segment that is too big with "fragmentation
# needed, mtu 1400"; the client learns the path's MTU, and its segments
# shrink to fit (path-MTU discovery, RFC 1191). A datagram without DF is
# cut into fragments on the way and put back together by the receiver.
host a 10.0.1.10/24
host r1 10.0.1.1/24 10.0.9.1/24 forward
host r2 10.0.9.2/24 10.0.2.1/24 forward
host b 10.0.2.10/24
switch lan1
switch lan2
link a lan1 delay=1ms
link r1 lan1 delay=1ms
link r1 r2 delay=5ms mtu=1400
link r2 lan2 delay=1ms
link b lan2 delay=1ms
route a default via 10.0.1.1
route b default via 10.0.2.1
route r1 10.0.2.0/24 via 10.0.9.2
route r2 10.0.1.0/24 via 10.0.9.1
process a client
process b server root

# The usual start. The handshake's segments are small, so nothing is too
# big yet: a still believes the path takes 1500 bytes, as its own LAN does.
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 5
a/client: socket tcp
a/client: connect 3 10.0.2.10:80
b/server: accept 3 => 4 from 10.0.1.10:49152
a/client: getsockopt 3 IP_MTU => 1500

# 4000 bytes: the first segments carry 1460 bytes (1500 with headers) and
# die at r1, which writes back "fragmentation needed, mtu 1400". a sends
# them again at once in segments of 1360 bytes; they pass.
b/server: recv 4 all &
a/client: send 3 size=4000
run 100ms
a/client: getsockopt 3 IP_MTU => 1400
a/client: close 3
run 100ms
b/server: close 4
b/server: close 3
run 1s

# A UDP datagram of 3000 bytes without DF (IP_MTU_DISCOVER dont) leaves a
# in fragments of 1500 bytes; r1 cuts them again for the 1400-byte road,
# and b reassembles the pieces: recvfrom gets all 3000 bytes.
b/server: socket udp
b/server: bind 3 0.0.0.0:7007
a/client: socket udp
a/client: setsockopt 3 IP_MTU_DISCOVER dont
a/client: sendto 3 10.0.2.10:7007 size=3000
b/server: recvfrom 3 4000
run 2m
