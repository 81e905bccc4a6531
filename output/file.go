package output

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// File is an output being written: a private (0600) temp file beside its path, renamed over it by
// Commit, so that a reader never sees half a file, a crash leaves the old one in place, and a
// failed run leaves nothing behind (Abort). Write through its buffered writer.
type File struct {
	*bufio.Writer
	path string
	f    *os.File
	done bool // committed or aborted
}

// Create starts the file that Commit will put at path.
func Create(path string) (*File, error) {
	// CreateTemp makes the file with mode 0600: outputs hold personal data.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{Writer: bufio.NewWriterSize(f, 256<<10), path: path, f: f}, nil
}

// Path returns where the file goes.
func (a *File) Path() string { return a.path }

// Commit flushes the file, syncs it and renames it into place. On failure the temp file is
// removed.
func (a *File) Commit() error {
	if a.done {
		return fmt.Errorf("write %s: already finished", a.path)
	}
	err := a.Flush()
	if err == nil {
		err = a.f.Chmod(0o600)
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	a.done = true
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

// Abort removes the temp file. After Commit, or a second time, it does nothing, so that it can be
// deferred on every path.
func (a *File) Abort() error {
	if a == nil || a.done {
		return nil
	}
	a.done = true
	a.f.Close()
	return os.Remove(a.f.Name())
}
