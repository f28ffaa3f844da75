# TCP: a browser fetches a page from a web server.
# b/web listens on port 80; a/browser connects, sends a request, reads the
# answer and closes first; the server closes its side and keeps listening.
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a browser
process b web root
# The server (root, so it may take a port below 1024) makes a socket, binds
# it to port 80 and listens: the door becomes an open archway in LISTEN.
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 16
# The client makes a socket and connects: the kernel picks it the ephemeral
# port 49152 and sends SYN; the server answers SYN|ACK, the client ACK.
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:80
# accept hands the server a NEW socket, fd 4, on the same port 80 with its
# own 4-tuple; the listening door stays in LISTEN for the next client.
b/web: accept 3 => 4 from 10.0.0.1:49152
# Data: the request goes one way, the answer the other, each ACKed.
a/browser: send 3 "GET / HTTP/1.0\r\n\r\n"
b/web: recv 4 100
b/web: send 4 "HTTP/1.0 200 OK\r\n\r\nhello, town"
a/browser: recv 3 100
# The browser closes first: FIN-WAIT-1, FIN-WAIT-2, then TIME-WAIT for
# 2*MSL = 60 s. The server reads end of file (0) in CLOSE-WAIT, then closes
# its side: LAST-ACK, CLOSED.
a/browser: close 3
b/web: recv 4 100 => 0 (end of file)
run 20ms
b/web: close 4
# The listening door never moved: a second connection gets fd 4 again, from
# the browser's next ephemeral port (49152 is still in TIME-WAIT).
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:80
b/web: accept 3 => 4 from 10.0.0.1:49153
a/browser: close 3
b/web: recv 4 100 => 0 (end of file)
b/web: close 4
# Two minutes pass: after 60 s (twice the segment lifetime) the browser's
# two TIME-WAITs end and their doors go; b/web goes on listening.
run 2m
