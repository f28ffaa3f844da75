//go:build linux

package watch

import (
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// retryMissing is how long an inode that a /proc scan did not find waits
// before it may cause another scan: its owner may be another user's
// process that this one may not read, and reading all of /proc every
// refresh for it would cost more than the dump.
const retryMissing = 2 * time.Second

// owner is where a socket's inode was found: a process and its fd.
type owner struct {
	pid, fd int
}

// procInfo is what the town shows of a process.
type procInfo struct {
	comm string
	name string // what events call it: "comm[pid]"
	user string
	uid  uint32
}

// owners maps socket inodes to the processes that hold them, from
// /proc/PID/fd, and keeps what it learnt between refreshes.
type owners struct {
	proc    string               // the proc file system's root, "/proc"
	byInode map[uint32]owner     // known owners of live inodes
	missing map[uint32]time.Time // live inodes a scan did not find, and when
	procs   map[int]procInfo     // the processes that own live inodes
	users   map[uint32]string    // user names by uid
	scans   int                  // how many times /proc was read
	denied  int                  // processes whose fds the last scan could not read
	// gen counts the changes to byInode and procs that can change a
	// socket's owner (a scan, a process gone); pids are the processes
	// byInode names, as resolve last left it.
	gen  int
	pids []int
}

func newOwners() *owners {
	return &owners{proc: "/proc", byInode: map[uint32]owner{}, missing: map[uint32]time.Time{},
		procs: map[int]procInfo{}, users: map[uint32]string{}}
}

// resolve makes sure every live inode has an owner if one can be found:
// owners that exited are forgotten, and /proc is read again when an inode
// is new (or was missing long enough). Inodes no longer live are dropped.
func (o *owners) resolve(live map[uint32]bool, now time.Time) {
	// Forget processes that are gone: their inodes, if still live, have
	// passed to another process (a fork that outlived its parent).
	checked := map[int]bool{}
	for ino, ow := range o.byInode {
		if !live[ino] {
			delete(o.byInode, ino)
			continue
		}
		alive, seen := checked[ow.pid]
		if !seen {
			alive = o.alive(ow.pid)
			checked[ow.pid] = alive
		}
		if !alive {
			delete(o.byInode, ino)
			delete(o.procs, ow.pid)
			o.gen++
		}
	}
	for ino := range o.missing {
		if !live[ino] {
			delete(o.missing, ino)
		}
	}
	need := false
	for ino := range live {
		if _, ok := o.byInode[ino]; ok {
			continue
		}
		if t, ok := o.missing[ino]; ok && now.Sub(t) < retryMissing {
			continue
		}
		need = true
		break
	}
	if !need {
		o.notePIDs(checked)
		return
	}
	o.gen++
	o.scan(live)
	for ino := range live {
		if _, ok := o.byInode[ino]; !ok {
			if _, was := o.missing[ino]; !was || now.Sub(o.missing[ino]) >= retryMissing {
				o.missing[ino] = now
			}
		} else {
			delete(o.missing, ino)
		}
	}
	used := o.usedPIDs()
	for pid := range o.procs {
		if !used[pid] {
			delete(o.procs, pid)
		}
	}
	o.notePIDs(used)
}

// notePIDs keeps the pids of the processes byInode names (those of the
// set that still do).
func (o *owners) notePIDs(set map[int]bool) {
	o.pids = o.pids[:0]
	for pid, ok := range set {
		if ok {
			o.pids = append(o.pids, pid)
		}
	}
}

// steady reports whether resolve, given the live inodes it was last
// given, would change nothing: no inode waits to be found again, and
// every process that owns one is still there.
func (o *owners) steady() bool {
	if len(o.missing) > 0 {
		return false
	}
	for _, pid := range o.pids {
		if !o.alive(pid) {
			return false
		}
	}
	return true
}

// usedPIDs is the set of pids that own a known inode.
func (o *owners) usedPIDs() map[int]bool {
	m := map[int]bool{}
	for _, ow := range o.byInode {
		m[ow.pid] = true
	}
	return m
}

// alive reports whether process pid still exists.
func (o *owners) alive(pid int) bool {
	return syscall.Access(o.proc+"/"+strconv.Itoa(pid), 0) == nil
}

// scan reads every process's fds and records the owners of live inodes.
// A process that exits meanwhile, or whose fds this process may not read,
// is skipped: its sockets stay without an owner until a later scan.
func (o *owners) scan(live map[uint32]bool) {
	o.scans++
	o.denied = 0
	d, err := os.Open(o.proc)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil || pid <= 0 {
			continue
		}
		fdDir := o.proc + "/" + n + "/fd"
		fd, err := os.Open(fdDir)
		if err != nil {
			if os.IsPermission(err) {
				o.denied++
			}
			continue // exited, or not ours to read
		}
		fds, err := fd.Readdirnames(-1)
		fd.Close()
		if err != nil {
			continue
		}
		found := false
		buf := make([]byte, 64)
		for _, f := range fds {
			nb, err := syscall.Readlink(fdDir+"/"+f, buf)
			if err != nil || nb < 9 {
				continue
			}
			link := buf[:nb]
			// "socket:[12345]"
			if string(link[:8]) != "socket:[" || link[nb-1] != ']' {
				continue
			}
			ino64, err := strconv.ParseUint(string(link[8:nb-1]), 10, 32)
			if err != nil || !live[uint32(ino64)] {
				continue
			}
			ino := uint32(ino64)
			num, _ := strconv.Atoi(f)
			if prev, ok := o.byInode[ino]; ok && prev.pid != pid && o.alive(prev.pid) && prev.pid < pid {
				continue // shared after a fork: the oldest holder keeps it
			}
			o.byInode[ino] = owner{pid: pid, fd: num}
			found = true
		}
		if found {
			if _, ok := o.procs[pid]; !ok {
				if info, ok := o.readProc(pid); ok {
					o.procs[pid] = info
				}
			}
		}
	}
}

// readProc reads a process's command name and user.
func (o *owners) readProc(pid int) (procInfo, bool) {
	dir := o.proc + "/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/comm")
	if err != nil {
		return procInfo{}, false
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		return procInfo{}, false
	}
	comm := strings.TrimSuffix(string(b), "\n")
	return procInfo{comm: comm, name: comm + "[" + strconv.Itoa(pid) + "]", uid: st.Uid, user: o.userName(st.Uid)}, true
}

// userName names a uid, or spells the number when no name is known.
func (o *owners) userName(uid uint32) string {
	if n, ok := o.users[uid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	o.users[uid] = n
	return n
}
