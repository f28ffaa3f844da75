# A web server in the town that real programs on this machine can reach.
# Start it with a forward, as run, desktop or serve --forward
# 127.0.0.1:8080=b:80 examples/forward/web.sv do, then fetch
# http://127.0.0.1:8080/ with curl or a browser: the program's connection
# comes into the town from the plot "outside", as a house named after its
# command and pid, on its own port.
host b 10.0.0.2/24
process b web root
b/web: socket tcp
b/web: setsockopt 3 SO_REUSEADDR 1
b/web: bind 3 0.0.0.0:80
b/web: listen 3 16
# The server waits for a client, reads its request, answers in HTTP/1.0
# (the end of the body is the end of the connection) and closes.
b/web: accept 3
b/web: recv 4 4096
b/web: send 4 "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello from host b in Socketville: this reply came through a socket in the town.\n"
b/web: close 4
# And a second client, the same way; then the server closes its listening
# socket, and a third client is refused.
b/web: accept 3
b/web: recv 4 4096
b/web: send 4 "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello again from host b.\n"
b/web: close 4
b/web: close 3
run 1s
