// Package output settles where a command's files go and writes them safely: the output paths the
// user gave (report, summary, payload, state, …) and the files the run reads go in; checked
// destinations come out (no two the same file, none a file the run reads, each a regular file in
// an existing, writable directory), and files are written to a private temp file that is
// renamed into place only when complete, or, for an s3:// destination, uploaded then (Dest).
package output

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrOutput is what every Error wraps: a caller branches on it (a configuration mistake, exit 2)
// without caring which rule was broken.
var ErrOutput = errors.New("output path")

// Error says why an output cannot be used, naming the flag and the path as given.
type Error struct {
	Flag string // "--report"
	Path string // the path as resolved
	Why  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %s", e.Flag, e.Path, e.Why) }

func (e *Error) Unwrap() error { return ErrOutput }

// Input is a file the command reads: no output may be it.
type Input struct {
	Flag string // "SOURCE", "--mapping"
	Path string // a local path or an s3:// URL; "" is ignored
	// Prefix: Path is an s3:// prefix whose newest object is read; an output directly under
	// it would be read as the next roster.
	Prefix bool
}

// Want is one output a command will write.
type Want struct {
	Flag string // "--report", for messages
	Path string // as given; "" is not wanted and resolves to ""
	// Default is the file name used when Path names a directory (an existing one, or any path
	// ending in "/").
	Default string
	// InPlace: the file is appended to where it is (the state journal), and it is also read.
	InPlace bool
}

// Resolve settles every wanted output: a path ending in "/" or naming an existing directory
// gets its Default name in it. It refuses, with an *Error, any two outputs that are the same
// file, an output that is one of the inputs, an existing output that is not a regular file (a
// FIFO, a device, a directory), and an output whose directory does not exist or cannot be
// written. s3:// URLs are compared with each other and with the inputs as text (the object
// store has no links); an output directly under an input prefix is refused. Nothing is created
// or changed on disk. The result holds the resolved paths in the order of outs.
func Resolve(ins []Input, outs []Want) ([]string, error) {
	type seen struct {
		flag string
		id   identity
	}
	var taken []seen
	for _, in := range ins {
		if in.Path == "" {
			continue
		}
		taken = append(taken, seen{in.Flag, identify(in.Path)})
	}
	res := make([]string, len(outs))
	for i, w := range outs {
		if w.Path == "" {
			continue
		}
		p, err := settle(w)
		if err != nil {
			return nil, err
		}
		res[i] = p
		id := identify(p)
		for _, in := range ins {
			if in.Prefix && isRemote(p) && path.Dir(strings.TrimPrefix(p, "s3://")) == strings.TrimSuffix(strings.TrimPrefix(in.Path, "s3://"), "/") {
				return nil, &Error{w.Flag, p, fmt.Sprintf("is directly under the %s prefix %s, whose newest object is the roster: the next run would read it as the roster; write it elsewhere", in.Flag, in.Path)}
			}
		}
		for _, t := range taken {
			if id.same(t.id) {
				why := "is the same file as " + t.flag + ": give each output its own path"
				switch t.flag {
				case "SOURCE":
					why = "is the same file as SOURCE, the roster being read: write the output elsewhere"
				case "--mapping":
					why = "is the same file as --mapping, the mapping file being read: write the output elsewhere"
				}
				return nil, &Error{w.Flag, p, why}
			}
		}
		taken = append(taken, seen{w.Flag, id})
	}
	return res, nil
}

// isRemote reports whether p is an s3:// URL rather than a local path.
func isRemote(p string) bool { return strings.HasPrefix(p, "s3://") }

// settle resolves one output: the default name for a directory, then the checks that need only
// the path itself.
func settle(w Want) (string, error) {
	p := w.Path
	if isRemote(p) {
		if strings.HasSuffix(p, "/") {
			p += w.Default
		}
		return p, nil
	}
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		p = filepath.Join(p, w.Default)
	} else if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		p = filepath.Join(p, w.Default)
	}
	dir := filepath.Dir(p)
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, os.ErrNotExist):
		return "", &Error{w.Flag, p, fmt.Sprintf("directory %s does not exist", dir)}
	case err != nil:
		return "", &Error{w.Flag, p, fmt.Sprintf("directory %s cannot be used: %v", dir, unwrapPath(err))}
	case !fi.IsDir():
		return "", &Error{w.Flag, p, fmt.Sprintf("%s is not a directory", dir)}
	}
	if fi, err := os.Stat(p); err == nil && !fi.Mode().IsRegular() {
		return "", &Error{w.Flag, p, fmt.Sprintf("exists and is not a regular file (%s): name a file to write", kindOf(fi.Mode()))}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", &Error{w.Flag, p, fmt.Sprintf("cannot be used: %v", unwrapPath(err))}
	}
	// Found now rather than after a night's run: the file is written in its directory (the temp
	// file beside it, or in place for a journal).
	if err := probeWritable(dir, p, w.InPlace); err != nil {
		return "", &Error{w.Flag, p, err.Error()}
	}
	return p, nil
}

// probeWritable checks that a file can be created in dir (and, for an in-place output that
// exists, that it can be opened for appending), leaving nothing behind.
func probeWritable(dir, p string, inPlace bool) error {
	if inPlace {
		if f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0); err == nil {
			return f.Close()
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cannot be written: %v", unwrapPath(err))
		}
	}
	f, err := os.CreateTemp(dir, ".rosterload-probe-*")
	if err != nil {
		return fmt.Errorf("directory %s cannot be written: %v", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapPath drops the path an *os.PathError repeats, since the message names it already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func kindOf(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// identity is what tells two paths apart: the absolute path with the directory's symbolic
// links resolved, and for an existing file its device and inode (hard links, a symbolic link
// to the file).
type identity struct {
	key string
	fi  os.FileInfo // nil: does not exist (or remote)
}

func identify(p string) identity {
	if isRemote(p) {
		return identity{key: p}
	}
	id := identity{key: p}
	if abs, err := filepath.Abs(p); err == nil {
		id.key = abs
		if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			id.key = filepath.Join(dir, filepath.Base(abs))
		}
	}
	if fi, err := os.Stat(p); err == nil {
		id.fi = fi
	}
	return id
}

func (a identity) same(b identity) bool {
	if a.key == b.key {
		return true
	}
	return a.fi != nil && b.fi != nil && os.SameFile(a.fi, b.fi)
}
