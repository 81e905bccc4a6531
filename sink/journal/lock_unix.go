//go:build unix

package journal

import (
	"errors"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on the state file, so that two runs sharing one journal
// (an overlapping cron job, say) fail at once instead of interleaving their outcomes. The lock
// goes with the file descriptor: closing the file, or the process dying, releases it.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrInUse
	}
	return err
}

// unlock releases the lock before the file is closed. Closing alone may not: a process this
// one forks holds a copy of the descriptor until it execs, and with it the lock.
func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
