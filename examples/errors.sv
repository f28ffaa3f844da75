# Socket errors, from EACCES to EDESTADDRREQ, each checked.
# Each is stated with "=> ERRNO" after its call, so the scenario checks
# them. Remove an "=> ..." and run it: the error is reported
# with its line number and socketville run exits 1.
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=1ms mtu=1500
process b web
process b admin root
process a client

# Well-known ports (below 1024) need root.
b/web: socket udp
b/web: bind 3 0.0.0.0:80 => EACCES
b/admin: socket udp
b/admin: bind 3 0.0.0.0:80 => 0
# One port, one owner: a wildcard bind covers every address of the host.
b/admin: socket udp
b/admin: bind 4 10.0.0.2:80 => EADDRINUSE
# ...unless both sockets say SO_REUSEADDR.
b/web: bind 3 0.0.0.0:8080 => 0
b/web: socket udp
b/web: setsockopt 4 SO_REUSEADDR 1
b/web: bind 4 0.0.0.0:8080 => EADDRINUSE
# A host can only bind its own addresses.
b/web: socket udp
b/web: bind 5 10.0.0.1:8081 => EADDRNOTAVAIL
# With don't-fragment always on (IP_MTU_DISCOVER do), a datagram must fit
# the link: 1500 bytes of MTU hold 1472 of UDP data. (Without it, the kernel
# would cut a bigger one into fragments.)
a/client: socket udp
a/client: setsockopt 3 IP_MTU_DISCOVER do
a/client: sendto 3 10.0.0.2:8080 size=1473 => EMSGSIZE
a/client: sendto 3 10.0.0.2:8080 size=1472 => 1472
# Nothing to read yet: a non-blocking socket says so at once.
a/client: nonblock 3
a/client: recvfrom 3 100 => EAGAIN
# A blocking one can be given a timeout.
a/client: nonblock 3 off
a/client: setsockopt 3 SO_RCVTIMEO 50ms
a/client: recvfrom 3 100 => EAGAIN
# Closed fds are gone.
a/client: close 3
a/client: recvfrom 3 100 => EBADF
# No route to a network nobody linked.
a/client: socket udp
a/client: sendto 3 192.168.7.7:53 "hello?" => ENETUNREACH
# An unconnected socket has nowhere to send.
a/client: send 3 "to whom?" => EDESTADDRREQ
