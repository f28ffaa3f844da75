# One UDP server, two doors, one poll loop.
# One server process, two doors (UDP ports 7 and 13), one poll loop: poll
# says which doors have letters waiting, and the server reads only those.
host client1 10.0.0.1/24
host client2 10.0.0.2/24
host server 10.0.0.10/24
link client1 server delay=3ms
link client2 server delay=7ms
process server inetd root
process client1 echo
process client2 daytime

# inetd binds the echo port (7) and the daytime port (13), then polls both
# in the background, waiting up to 1 s for either to have a letter.
server/inetd: socket udp
server/inetd: bind 3 0.0.0.0:7
server/inetd: socket udp
server/inetd: bind 4 0.0.0.0:13
server/inetd: poll 3,4 in 1s &
# Each client sends one letter; client1's road is shorter, so port 7's door
# is ready first.
client1/echo: socket udp
client1/echo: sendto 3 10.0.0.10:7 "echo me"
client2/daytime: socket udp
client2/daytime: sendto 3 10.0.0.10:13 "what time is it?"
run 5ms
# Poll said fd 3: read it and echo the letter back. The next poll finds
# fd 4 ready: read it and answer with the time.
server/inetd: recvfrom 3 100
server/inetd: sendto 3 10.0.0.1:49152 "echo me"
server/inetd: poll 3,4 in 1s
server/inetd: recvfrom 4 100
server/inetd: sendto 4 10.0.0.2:49152 "7 ms past midnight"
# Nothing left: this poll times out after 100 ms with no door ready, and
# the clients read their answers.
server/inetd: poll 3,4 in 100ms
client1/echo: recvfrom 3 100
client2/daytime: recvfrom 3 100
