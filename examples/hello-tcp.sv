# TCP's story on two plots. b/web listens on port 80; a/browser connects.
# Watch the three-way handshake (SYN, SYN|ACK, ACK), the listening door
# staying in LISTEN while accept hands out a NEW fd on the same port with its
# own 4-tuple, data and its ACKs, then the close: the browser closes first
# (FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 2*MSL = 60 s, CLOSED) and the server
# follows (CLOSE-WAIT, LAST-ACK, CLOSED), still listening for the next one.
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a browser
process b web root
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 16
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:80
b/web: accept 3 => 4 from 10.0.0.1:49152
a/browser: send 3 "GET / HTTP/1.0\r\n\r\n"
b/web: recv 4 100
b/web: send 4 "HTTP/1.0 200 OK\r\n\r\nhello, town"
a/browser: recv 3 100
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
run 2m
