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
// must hold) and hint (one or more, in the order a learner gets them);
// blank lines and "#" comments are allowed there. A goal line names a check
// of the vocabulary and its arguments ("connected b 80 peers=2"); "not"
// before a check turns it round ("not went b LISTEN CLOSED"). Vocabulary
// lists every check with its usage. Load reports every mistake with the
// file and the line it is on, and checks that the start and the show-me
// lines parse and that every host or switch a goal names is in the town.
//
// Numbers leave room: a later capability (peer to peer) is one more file
// with the next number.
package lessons
