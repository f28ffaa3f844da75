// Package lessons holds Socketville's lessons: one for each idea the town
// teaches, each a short text, a starting town (shell lines), a goal made of
// named checks on socket concepts, hints, and "show me", the lines that,
// added to the start, meet the goal.
//
// A goal never asks what the learner clicked: its checks look at what the
// kernel did, through the two things every kernel publishes, the events
// (sock.Event) and a snapshot of the town (sock.Snapshot). "A socket on
// host b is listening on port 80" reads the snapshot; "a listening socket
// on host b handed out a new socket for 2 different clients" reads the
// accept events. So the town, the tests and the command line (socketville
// lesson N --check FILE) judge a learner's town the same way.
//
// # Using a lesson
//
// All returns the built-in lessons in order and Find one by number; Load
// reads a teacher's folder of lesson files. Lesson.Check judges a snapshot
// and the events that led to it. A frontend that sees events as they
// happen feeds them to a Checker instead, which keeps only what its checks
// need (a few ports and states, never the events), and asks for a Result
// whenever it likes. Lesson.Run plays a whole scenario headless on the
// simulator and judges where it ends.
//
// # The lesson file
//
// A lesson is one file, NN-name.lesson, where NN is its number. It opens
// with a header between two "---" lines, then its text in Markdown, with
// two fenced blocks that are not part of the text: "```start" holds the
// starting town and "```show" the show-me lines.
//
//	---
//	title: A server's socket: bind and listen
//	goal: bound b tcp 80
//	goal: listening b 80
//	hint: bind gives the socket its address and port: b/web: bind 3 0.0.0.0:80.
//	hint: listen makes it wait for clients: b/web: listen 3 16.
//	---
//	A server makes a socket, binds it, and listens...
//
//	```start
//	host b 10.0.0.2/24
//	process b web root
//	b/web: socket tcp
//	```
//
//	```show
//	b/web: bind 3 0.0.0.0:80
//	b/web: listen 3 16
//	```
//
// The header's keys are title (once), goal (one or more: every goal line
// must hold), hint (one or more, in the order a learner gets them) and
// shared (yes or no, once; see Shared lessons below);
// blank lines and "#" comments are allowed there. A goal line names a check
// of the vocabulary and its arguments ("connected b 80 peers=2"); "not"
// before a check turns it round ("not went b LISTEN CLOSED"). Vocabulary
// lists every check with its usage. Load reports every mistake with the
// file and the line it is on, and checks that the start and the show-me
// lines parse and that every host or switch a goal names is in the town.
//
// Numbers leave room: a later capability is one more file with the next
// number.
//
// # Shared lessons
//
// A lesson whose header says "shared: yes" is played with a friend, in a
// shared town (the page's Share > Invite a friend), where each page runs
// one host whose name depends on who invited whom: ann at 10.99.0.1 for
// the room's first page, bob at 10.99.0.2 for the next, and so on. So the
// lesson says YOU for the learner's host and FRIEND for the friend's, in
// capitals: in goal lines as HOST or HOST/PROCESS ("listening FRIEND
// 7000"), and as an ADDR:PORT ("connects YOU FRIEND:7000"); in its text,
// hints and lines too. Bind names them with a Pair, once the town is
// shared and a friend's road is open; until then the goal's sentences say
// YOU and FRIEND and no check holds.
//
// A friend's events stay on the friend's page: this page sees their host
// only in the state their page sends a few times a second, merged into
// its snapshot. So a check about FRIEND must read the snapshot alone
// (listening, bound, connected, option); Parse refuses one that reads
// events (accepted, data, went, ...) with a sentence that says so. Checks
// about YOU may be any. A shared lesson's goal says FRIEND at least once
// and names no other host.
//
// Its blocks: "```start" holds no lines (comments only), since the shared
// town is the start: YOU with a house called app and a road to each
// friend; "```friend" holds the lines the friend types on their page
// (FRIEND/app: ...), and "```show" the learner's (YOU/app: ...). Parse
// checks that both parse, with YOU and FRIEND named, as calls of those
// hosts' processes. Such a lesson is never met headless: Run has no friend
// to play it with, ReadShared only reads a learner's lines, and the town
// judges the goal live, on the learner's shared page.
package lessons
