# One LAN: three hosts on a switch, ARP and a switch that learns.
# Three hosts share one street: each is linked to the switch sw, which passes
# frames between them by their MAC addresses. Before a's first letter to b, a
# must learn b's MAC address: it asks everyone (an ARP request to the
# broadcast address ff:ff:ff:ff:ff:ff) and only b answers, to a alone. The
# switch learns which address is behind which port from the frames it sees.
# At the start nobody knows anybody: a's ARP cache (arp a) is empty.
switch sw
host a 10.0.0.1/24
host b 10.0.0.2/24
host c 10.0.0.3/24
link a sw delay=1ms
link b sw delay=1ms
link c sw delay=1ms
process a app
process c echo
arp a

# a pings b. The switch learns that a is behind port 1 (fdb) and floods the
# broadcast to every other port: c sees the request is not for it, b answers
# a alone (unicast), and the switch, which now knows b is behind port 2,
# passes the answer to port 1 only. The echo request waited in a's queue for
# that answer, so the first round trip takes 8 ms and the second 4.
a/app: ping 10.0.0.2 2

# a writes to c: one more ARP request, flooded to b and c; the switch learns
# c (port 3) from c's answer. c's reply needs no ARP: c learned a's address
# from a's request.
c/echo: socket udp
c/echo: bind 3 0.0.0.0:7007
a/app: socket udp
a/app: sendto 3 10.0.0.3:7007 "hello, c"
c/echo: recvfrom 3 100 => 8 from 10.0.0.1:49152 "hello, c"
c/echo: sendto 3 10.0.0.1:49152 "hello, a"
a/app: recvfrom 3 100 => 8 from 10.0.0.3:7007 "hello, a"

# Six quiet minutes. b and c used their entries for a without a sign that a
# is still there, so each asks a directly (PROBE: an ARP request to a's own
# address, which the switch passes to port 1 alone). And the switch forgets
# an address it has not heard from for 300 s: when a pings b again (a still
# has b's address, STALE, and sends at once), the switch no longer knows
# where b is and floods the frame to every port; b's reply teaches it again.
run 6m
a/app: ping 10.0.0.2

# a's cache: what a learned, and how fresh it is.
arp a
