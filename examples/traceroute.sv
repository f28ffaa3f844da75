# traceroute: finding the routers on the way, hop by hop.
# Four networks in a chain, joined by three routers. traceroute sends UDP
# probes with TTL 1, then 2, then 3...: each router takes one off a letter's
# TTL, and the router that takes it to zero drops the letter and writes back
# ICMP "time exceeded", which names it. The destination answers "port
# unreachable" (nobody listens on port 33434 and up), and traceroute stops.
host a 10.0.1.2/24
host r1 10.0.1.1/24 10.0.2.1/24 forward
host r2 10.0.2.2/24 10.0.3.1/24 forward
host r3 10.0.3.2/24 10.0.4.1/24 forward
host b 10.0.4.2/24
link a r1 delay=1ms
link r1 r2 delay=2ms
link r2 r3 delay=3ms
link r3 b delay=4ms
route a default via 10.0.1.1
route r1 default via 10.0.2.2
route r2 10.0.1.0/24 via 10.0.2.1
route r2 10.0.4.0/24 via 10.0.3.2
route r3 default via 10.0.3.1
route b default via 10.0.4.1
process a app

# Three probes for each hop, one after another; each line names the router
# that answered and the three round trips, and the last line is b itself.
# The first probe of each hop is slower: it is the first letter to go that
# far, so the last one to pass it on (a itself, for hop 1) must first learn
# its next hop's MAC address (ARP).
a/app: traceroute 10.0.4.2

# ping goes all the way: 10 ms each way over the four roads.
a/app: ping 10.0.4.2 3
