# TCP errors: refused, unreachable, timed out, queue full, reset.
# Each call then says what went wrong, as on Linux.
host a 10.0.0.1/24
host b 10.0.0.2/24
host c 10.0.0.3/24
host d 10.0.0.4/24
link a b delay=5ms
# c is on a's road, but every letter to it is lost: nobody ever answers.
link a c delay=5ms loss=100%
# d is a's way to the network 10.9.9.0/24, but d is no router: it does not
# forward, and drops letters for others without a word.
link a d delay=5ms
route a 10.9.9.0/24 via 10.0.0.4
process a client
process b server root

# No listener on port 81: b answers the SYN with RST.
a/client: socket tcp
a/client: connect 3 10.0.0.2:81 => ECONNREFUSED

# Nobody answers a's ARP request for 10.0.0.3 ("who has 10.0.0.3?"): after
# three requests a second apart, a gives up on the neighbour and the SYN that
# waited for its address is dropped: No route to host.
a/client: socket tcp
a/client: connect 4 10.0.0.3:80 => EHOSTUNREACH
a/client: close 4

# d answers ARP, takes the SYN for 10.9.9.9 and silently drops it (Linux with
# ip_forward=0 sends no ICMP): a black hole. The SYN goes 7 times
# (1+2+4+...+64 s), then ETIMEDOUT.
a/client: socket tcp
a/client: connect 4 10.9.9.9:80 => ETIMEDOUT

# A backlog of 0 holds one connection (Linux queues backlog+1); the next
# SYN is dropped ("accept queue ... is full") and sent again a second later.
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 0
a/client: socket tcp
a/client: connect 5 10.0.0.2:80
a/client: socket tcp
a/client: nonblock 6
a/client: connect 6 10.0.0.2:80 => EINPROGRESS
run 100ms
b/server: accept 3 => 4 from 10.0.0.1:49155
a/client: poll 6 out 2s => 1 [6:OUT]
b/server: accept 3 => 5 from 10.0.0.1:49156

# The server closes with SO_LINGER 0: RST instead of FIN. The client's next
# write reports the reset, and the one after that finds the pipe broken.
b/server: setsockopt 4 SO_LINGER 0
b/server: close 4
run 20ms
a/client: send 5 "hello?" => ECONNRESET
a/client: send 5 "hello?" => EPIPE

# The server closes first, so ITS end waits in TIME-WAIT on port 80: the
# port cannot be bound again until 2*MSL (60 s) pass...
b/server: close 5
b/server: close 3
run 20ms
a/client: close 6
run 1s
b/server: socket tcp
b/server: bind 3 0.0.0.0:80 => EADDRINUSE
# ...unless both sockets set SO_REUSEADDR (the old one did not), or it ends.
run 1m
b/server: bind 3 0.0.0.0:80 => 0
