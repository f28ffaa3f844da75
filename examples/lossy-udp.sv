# UDP on a bad road: what is lost stays lost.
# A bad road: 10% of letters are lost, 5% duplicated, 10% overtaken and 2%
# corrupted on the way. UDP does nothing about it: the receiver reads what
# survives, in the order it arrives: with seed 9 one letter is lost, one
# corrupted (its checksum fails), "letter 5" is overtaken and "letter 10"
# comes twice. Try another seed: bin/socketville run --seed 7 ...
seed 9
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=10ms rate=1Mbit loss=10% dup=5% reorder=10% corrupt=2%
process a sender
process b receiver
b/receiver: socket udp
b/receiver: bind 3 0.0.0.0:5000
# Fourteen reads wait in the background; each completes when a letter arrives.
# Those still waiting at the end show how many letters the road ate.
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
b/receiver: recvfrom 3 2000 &
# The sender connects its socket to the receiver (UDP sends nothing for
# that: it only fixes the peer), then sends ten small letters and four of
# 1000 bytes, all at once: the 1 Mbit road carries them one after another.
a/sender: socket udp
a/sender: connect 3 10.0.0.2:5000
a/sender: send 3 "letter 1"
a/sender: send 3 "letter 2"
a/sender: send 3 "letter 3"
a/sender: send 3 "letter 4"
a/sender: send 3 "letter 5"
a/sender: send 3 "letter 6"
a/sender: send 3 "letter 7"
a/sender: send 3 "letter 8"
a/sender: send 3 "letter 9"
a/sender: send 3 "letter 10"
a/sender: send 3 size=1000
a/sender: send 3 size=1000
a/sender: send 3 size=1000
a/sender: send 3 size=1000
# Watch them arrive: "letter 9" is lost, "letter 5" comes late, "letter 10"
# twice, and the last big one fails its checksum and is dropped at b.
run 300ms
