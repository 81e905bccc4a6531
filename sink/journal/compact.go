package journal

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Compaction: a journal that recorded or saw anyone is rewritten at Close as its header, the
// shapes its fingerprints use, and one line per externalId (done ones with their sightings and
// fingerprints, pending ones as they are; failures are dropped, the next run tries them again),
// so that a state grows with its employees, not with its nights. The new file is written beside
// the old one, flushed and renamed over it: a crash leaves one or the other whole, and what a
// crash before Close loses is tonight's sightings only, since outcomes are appended and synced as
// they happen. A state read from an earlier version is rewritten so at open.

// compact rewrites the state (see above); an s3:// state's compacted copy goes to keep.
func (j *Journal) compact() error {
	if j.keep == nil {
		return j.rewrite()
	}
	f, err := os.CreateTemp("", ".rosterload-state-*")
	if err != nil {
		return fmt.Errorf("state file %s: compacting it: %w", j.path, err)
	}
	_ = os.Remove(f.Name()) // no name: not even a kill -9 leaves it behind
	w := bufio.NewWriterSize(f, 1<<20)
	if err := j.writeCompact(w); err != nil {
		_ = f.Close()
		return fmt.Errorf("state file %s: compacting it: %w", j.path, err)
	}
	j.keep(f)
	return nil
}

// rewrite replaces the state file by its compacted form and goes on with the new file.
func (j *Journal) rewrite() error {
	f, err := j.replace(j.writeCompact)
	if err != nil {
		return fmt.Errorf("state file %s: compacting it: %w", j.path, err)
	}
	unlock(j.f)
	_ = j.f.Close()
	j.f = f
	return nil
}

// replace writes a new version of the state file with write beside it (beside the file a
// symbolic link names), with its mode and locked, flushes it and renames it over the old one. It
// returns the new file, open for appending.
func (j *Journal) replace(write func(*bufio.Writer) error) (*os.File, error) {
	target := j.path
	if p, err := filepath.EvalSymlinks(j.path); err == nil {
		target = p // replace the file a symbolic link names, not the link
	}
	fi, err := j.f.Stat()
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(target)
	var (
		tmp  *os.File
		name string
	)
	for range 10 {
		name = filepath.Join(dir, fmt.Sprintf(".%s.rosterload-%d", filepath.Base(target), rand.Uint64()))
		tmp, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, fi.Mode().Perm())
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*os.File, error) {
		_ = tmp.Close()
		_ = os.Remove(name)
		return nil, err
	}
	if err := lock(tmp); err != nil {
		return fail(err)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(w); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, target); err != nil {
		return fail(err)
	}
	if err := syncDir(dir); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	return tmp, nil
}

// writeCompact writes the compacted state to w and flushes it. It is called with j.mu held (or
// before the journal is shared).
func (j *Journal) writeCompact(w *bufio.Writer) error {
	line, err := json.Marshal(j.header())
	if err != nil {
		return err
	}
	w.Write(append(line, '\n'))
	st := j.st
	names := make([]string, st.n)
	for id, i := range st.index {
		names[i] = id
	}
	used := map[uint32]bool{}
	for i := range st.n {
		if sl := st.slot(i); isDone(sl.status) && sl.shape != 0 {
			used[sl.shape] = true
		}
	}
	j.shapes.mu.RLock()
	list := j.shapes.list
	j.shapes.mu.RUnlock()
	for _, sh := range list {
		if used[sh.id] {
			if line, err = appendShape(line[:0], sh); err != nil {
				return err
			}
			w.Write(line)
		}
	}
	for i := range st.n {
		sl := st.slot(i)
		var r raw
		switch {
		case isDone(sl.status):
			e := st.entry(sl, st.spill, i, names[i])
			r = rawOf(&e)
			r.hasSeen, r.first, r.last, r.missing = true, sl.firstDay, sl.lastDay, sl.missDay
			if sl.shape != 0 {
				r.sh = j.shapes.get(sl.shape)
				r.sums = st.sums.get(sl.sums, r.sh.size)
			}
		case sl.last == stPending:
			e, _ := st.pendingEntry(names[i])
			r = rawOf(&e)
		default:
			continue // failed: the next run tries it again
		}
		if line, err = appendLine(line[:0], &r); err != nil {
			return fmt.Errorf("%s: %w", names[i], err)
		}
		if isDone(sl.status) && sl.last == stPending {
			// A PENDING entry after the id was done (a state edited by hand) stays after it.
			if e, ok := st.pendingEntry(names[i]); ok {
				r = rawOf(&e)
				if line, err = appendLine(line, &r); err != nil {
					return fmt.Errorf("%s: %w", names[i], err)
				}
			}
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, sh := range list {
		sh.saved = used[sh.id]
	}
	return nil
}

// appendShape appends the line that defines sh.
func appendShape(dst []byte, sh *shape) ([]byte, error) {
	b, err := json.Marshal(shapeLine{Rosterload: shapeMagic, ID: int64(sh.id), Paths: sh.paths})
	return append(append(dst, b...), '\n'), err
}

// appendLine appends r's line as encoding/json writes a lineJSON (the keys in its order, empty
// ones left out), built by hand since a compaction writes one per employee.
func appendLine(dst []byte, r *raw) ([]byte, error) {
	dst = append(dst, '{')
	dst = appendString(dst, "externalId", r.extID, false)
	dst = appendString(dst, "kind", r.kind, true)
	dst = appendString(dst, "status", r.status, false)
	dst = appendString(dst, "idempotencyKey", r.key, true)
	dst = appendString(dst, "customerId", r.ids[0], true)
	dst = appendString(dst, "profileId", r.ids[1], true)
	dst = appendString(dst, "financialAccountId", r.ids[2], true)
	if r.row != 0 {
		dst = strconv.AppendInt(append(dst, `"row":`...), r.row, 10)
		dst = append(dst, ',')
	}
	if y := r.at.Year(); y < 0 || y > 9999 {
		return nil, errors.New("a time outside years 0 to 9999")
	}
	dst = append(r.at.AppendFormat(append(dst, `"at":"`...), time.RFC3339Nano), '"')
	if r.hasSeen {
		dst = appendString(append(dst, ','), "firstSeen", []byte(dateText(r.first)), true)
		dst = appendString(dst, "lastSeen", []byte(dateText(r.last)), true)
		dst = appendString(dst, "missingSince", []byte(dateText(r.missing)), true)
		dst = dst[:len(dst)-1]
	}
	if r.sh != nil {
		dst = strconv.AppendInt(append(dst, `,"shape":`...), int64(r.sh.id), 10)
		dst = base64.StdEncoding.AppendEncode(append(dst, `,"sums":"`...), r.sums)
		dst = append(dst, '"')
	}
	return append(dst, "}\n"...), nil
}

// appendString appends "key":"v", with a comma after it, escaping v as encoding/json does.
func appendString(dst []byte, key string, v []byte, omitEmpty bool) []byte {
	if len(v) == 0 && omitEmpty {
		return dst
	}
	dst = append(append(append(dst, '"'), key...), `":`...)
	for _, c := range v {
		if !plain[c] || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(string(v)) // a string always marshals
			return append(append(dst, b...), ',')
		}
	}
	return append(append(append(dst, '"'), v...), `",`...)
}
