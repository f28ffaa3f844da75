# Two networks joined by a router: routes and TTL.
# Two networks joined by a router. Hosts find each other by address; the
# router passes letters on and takes one off their TTL each time. A letter
# whose TTL runs out dies at the router, which writes back "time exceeded".
host home 192.168.1.10/24
host router 192.168.1.1/24 203.0.113.1/24 forward
host server 203.0.113.80/24
link home router delay=2ms
link router server delay=20ms
route home default via 192.168.1.1
route server 192.168.1.0/24 via 203.0.113.1
process home app
process server qotd root

# ping (ICMP echo) goes out through the router and back, three times; each
# round trip crosses both roads twice.
home/app: ping 203.0.113.80 3

# A quote-of-the-day server on UDP port 17 answers a letter from the other
# network: the router passes it on both ways.
server/qotd: socket udp
server/qotd: bind 3 0.0.0.0:17
home/app: socket udp
home/app: connect 3 203.0.113.80:17
home/app: send 3 "quote of the day, please"
server/qotd: recvfrom 3 512
server/qotd: sendto 3 192.168.1.10:49152 "Ask not what your network can do for you."
home/app: recv 3 512

# With IP_TTL 1 the letter only reaches the router, which writes back "time
# exceeded". IP_RECVERR asks the kernel to report every such ICMP error, so
# the next recv fails with EHOSTUNREACH; without it Linux keeps quiet.
home/app: setsockopt 3 IP_RECVERR 1
home/app: setsockopt 3 IP_TTL 1
home/app: send 3 "short-lived"
run 50ms
home/app: recv 3 512 => EHOSTUNREACH
