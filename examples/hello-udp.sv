# UDP: one letter delivered, one refused with ICMP.
# b/echo waits on UDP port 7007; a/client sends it a letter, then knocks on
# port 9 where nobody listens and gets ICMP port unreachable back.
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a client
process b echo
# The server binds its socket to port 7007 and waits: no listen, no accept.
b/echo: socket udp
b/echo: bind 3 0.0.0.0:7007
# The client just sends: the kernel binds it an ephemeral port (49152) on
# the way, and the letter is read whole on the other side.
a/client: socket udp
a/client: sendto 3 10.0.0.2:7007 "hello, town"
b/echo: recvfrom 3 100
# Port 9 has no socket: b drops the letter and answers with ICMP.
a/client: sendto 3 10.0.0.2:9 "anyone there?"
run 100ms
# An unconnected socket ignores the ICMP error (it could be about any peer).
# A connected one hears it: the next call on it gets ECONNREFUSED, as on Linux.
b/echo: sendto 3 10.0.0.1:49152 "hello, client"
a/client: recvfrom 3 100
a/client: socket udp
a/client: connect 4 10.0.0.2:9
a/client: send 4 "still nobody?"
run 100ms
a/client: recv 4 100 => ECONNREFUSED
