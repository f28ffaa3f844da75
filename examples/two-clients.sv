# One TCP server, two clients: a new door per client.
# The server has ONE listening fd and a new fd per client, all on port 80:
# the 4-tuple (addresses and ports of both ends) tells them apart. A poll
# loop finds the fds with work to do.
host s 10.0.0.1/24
host c1 10.0.0.2/24
host c2 10.0.0.3/24
link c1 s delay=3ms
link c2 s delay=20ms
process s server root
process c1 app
process c2 app
s/server: socket tcp
s/server: bind 3 0.0.0.0:80
s/server: listen 3 16
# Both clients connect in the background (&): their handshakes overlap.
c1/app: socket tcp
c1/app: connect 3 10.0.0.1:80 &
c2/app: socket tcp
c2/app: connect 3 10.0.0.1:80 &
# The loop: poll, then serve whatever is ready. A ready listening fd means
# a connection waits to be accepted: fd 4 for c1, then fd 5 for c2.
s/server: poll 3 in => 1 [3:IN]
s/server: accept 3 => 4 from 10.0.0.2:49152
s/server: poll 3,4 in => 1 [3:IN 4:-]
s/server: accept 3 => 5 from 10.0.0.3:49152
# Each client writes; poll says which connection has data, and the server
# reads and answers only that one.
c1/app: send 3 "hello from c1"
c2/app: send 3 "hello from c2"
s/server: poll 3,4,5 in => 1 [3:- 4:IN 5:-]
s/server: recv 4 100
s/server: send 4 "hi, c1"
s/server: poll 3,4,5 in => 1 [3:- 4:- 5:IN]
s/server: recv 5 100
s/server: send 5 "hi, c2"
# The clients read their answers and close. A closed peer makes its fd
# ready too: recv reads end of file (0), and the server closes that fd,
# while fd 3 keeps listening.
c1/app: recv 3 100
c1/app: close 3
c2/app: recv 3 100
c2/app: close 3
s/server: poll 3,4,5 in => 1 [3:- 4:IN 5:-]
s/server: recv 4 100 => 0 (end of file)
s/server: close 4
s/server: poll 3,5 in => 1 [3:- 5:IN]
s/server: recv 5 100 => 0 (end of file)
s/server: close 5
run 2m
