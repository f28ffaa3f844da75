# Two LANs joined by a router: a TCP connection across.
# Two streets, each with its own switch, and a router r with one door on
# each: 10.0.1.1 on the first LAN, 10.0.2.1 on the second. a, on the first,
# talks to the web server on the second. A host sends a letter for another
# network to its router: the frame carries r's MAC address while the packet
# keeps web's IP address, and r, one hop on, puts it in a new frame for web.
switch sw1
switch sw2
host a 10.0.1.10/24
host b 10.0.1.11/24
host web 10.0.2.80/24
host c 10.0.2.20/24
host r 10.0.1.1/24 10.0.2.1/24 forward
link a sw1 delay=1ms
link b sw1 delay=1ms
link web sw2 delay=1ms
link c sw2 delay=1ms
link r sw1 delay=1ms
link r sw2 delay=1ms
route a default via 10.0.1.1
route b default via 10.0.1.1
route web default via 10.0.2.1
route c default via 10.0.2.1
process a client
process web server root

# The server waits on port 80.
web/server: socket tcp
web/server: bind 3 0.0.0.0:80
web/server: listen 3 8

# a's SYN is for 10.0.2.80, which is not on a's LAN, so a asks for its
# router's MAC address (who-has 10.0.1.1): sw1 floods the request to b and
# r, and r answers. r takes the SYN off 10.0.1.0/24, finds 10.0.2.80 on its
# other door, and asks there (who-has 10.0.2.80): sw2 floods that to web and
# c. Each broadcast stays on its own LAN: a router does not pass it on.
a/client: socket tcp
a/client: connect 3 10.0.2.80:80
web/server: accept 3 => 4 from 10.0.1.10:49152

# Every letter now crosses both switches and the router, which takes one off
# its TTL (64 -> 63); the addresses are known, so no more ARP.
a/client: send 3 "GET / HTTP/1.0\r\n\r\n"
web/server: recv 4 100 => 18 "GET / HTTP/1.0\r\n\r\n"
web/server: send 4 "HTTP/1.0 200 OK\r\n\r\nhello from the other LAN"
web/server: close 4
a/client: recv 3 100 => 43 "HTTP/1.0 200 OK\r\n\r\nhello from the other LAN"
a/client: recv 3 100 => 0 (end of file)
a/client: close 3
run 100ms

# What each end knows: a only its router, r both sides.
arp a
arp r
