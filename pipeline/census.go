package pipeline

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"os"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/rosterload/rosterload/validate"
)

// The census before the run (Shared.Add, then Shared.Seal) finds the few keys two rows hold,
// and leaves them to the run as an occurrence stream on disk (occur.go), not as maps: what the
// run holds does not grow with the rows or the repeats.
//
// Add writes one 16-byte record per value a row holds (a keyed hash of the value as check will
// compare it, never the value; the row; a hash of the row's externalId as mapped, and whether
// validation trims it) to one of censusParts partitions chosen by the hash's top bits, regions
// of one temp file (region.go). Seal then walks each partition twice (a count table, then the
// records it says repeat; a partition larger than the bound is split again by the next bits
// first), sorts those records by key and row, and writes one
// occurrence per row of each key two rows hold, chained to the key's next row. A key one row
// alone holds can never be found by another row's check or Claim, so skipping it changes
// nothing; nor can a value that only rows of one employee hold (the same id, as mapped and as
// validated, on every row) be told to check as two employees'; a 64-bit collision of keys only
// keeps a key that was not needed.

const (
	censusParts     = 256  // partitions per level: 4 MB of records each at 10M rows
	censusBits      = 8    // log2(censusParts)
	censusBlockRecs = 1024 // records a partition buffers: 16 KB, 4 MB for the 256
	censusRecSize   = 16
	// censusBound is the largest partition sealed whole (400k records); a larger one is split. Its
	// repeated keys are found with a count table of at most censusMaxSlots slots, which stays
	// about 1 in 5 full at this size, 1 in 10 at 10M rows.
	censusBound    = 8 << 20
	censusMaxSlots = 1 << 21 // 512 KB
	censusMinSlots = 1 << 12
	// censusWhole is the largest partition read into memory at once (a 1M-row roster's are
	// ~300 KB); a larger one is read twice from the file instead.
	censusWhole = 1 << 20
	// censusSlotsPerKey: few keys one row alone holds share a slot with another, so that few
	// records but those of the keys two rows hold are sorted.
	censusSlotsPerKey = 16
)

// censusRec is one value a row holds.
type censusRec struct {
	key  uint64
	row  uint32 // row<<censusRowShift | censusUntrimmed | class<<2 | censusPrimed | censusID
	idID uint32 // hash32 of the externalId as mapped (what prime compares)
}

const (
	censusPrimed = 1 // a personal value of a row with an externalId: Add primes it
	censusID     = 2 // the key is the row's externalId, for the de-duplication
	// Bits 2-3 are the value's class (rowClass), kept in its occurrences.
	// censusUntrimmed: the externalId as validated (trimmed) is not the id as mapped, so check
	// sees another hash than prime. The row is above.
	censusUntrimmed = 16
	censusRowShift  = 5
	censusMaxRow    = 1<<(32-censusRowShift) - 1
)

// num is the record's row number.
func (r censusRec) num() int { return int(r.row >> censusRowShift) }

// rowClass is the class of a value's kind, stored in bits 2-3 of a record's row.
func rowClass(k SharedKind) uint32 {
	switch k {
	case SharedEmail:
		return 1
	case SharedPhone:
		return 2
	}
	return 0
}

// unlinkedTemp creates a temp file and unlinks it at once where the OS allows it: nothing is
// left behind even after kill -9.
func unlinkedTemp(dir, pattern string) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

// censusSpill is the partitions of one level, as regions of one temp file.
type censusSpill struct {
	dir   string
	shift uint // the key's bits that pick the partition: key>>shift & (censusParts-1)
	rf    *regionFile
	last  int   // the highest row put
	whole int64 // the largest partition Seal reads into memory at once; 0 = censusWhole, <0 none
}

func newCensusSpill(dir string, shift uint) *censusSpill {
	return &censusSpill{dir: dir, shift: shift,
		rf: newRegionFile(dir, "rosterload-census-*", censusParts, censusRecSize, censusBlockRecs)}
}

func (cs *censusSpill) put(recs ...censusRec) error {
	rf, shift, last := cs.rf, cs.shift, cs.last
	defer func() { cs.last = last }()
	for _, r := range recs {
		b, err := rf.slot(int(r.key >> shift & (censusParts - 1)))
		if err != nil {
			return fmt.Errorf("census: %w", err)
		}
		binary.LittleEndian.PutUint64(b[0:], r.key)
		binary.LittleEndian.PutUint32(b[8:], r.row)
		binary.LittleEndian.PutUint32(b[12:], r.idID)
		last = max(last, r.num())
	}
	return nil
}

func (cs *censusSpill) close() { cs.rf.close() }

// seal reads every partition of cs, splitting those above bound, and closes the file. The
// partitions are sealed on up to workers goroutines at once (each holding at most bound bytes
// of records), and each writes its hot keys' occurrences to out.
func (cs *censusSpill) seal(out *occSpill, bound int64, workers int) error {
	defer cs.close()
	// Every partition is written whole before any is read: the write buffers go first.
	if err := cs.rf.flush(); err != nil {
		return fmt.Errorf("census: %w", err)
	}
	scratch := make(chan *sealScratch, workers)
	for range workers {
		scratch <- &sealScratch{}
	}
	var g errgroup.Group
	g.SetLimit(workers)
	for i, size := range cs.rf.sizes {
		if size == 0 {
			continue
		}
		g.Go(func() error {
			sc := <-scratch
			defer func() { scratch <- sc }()
			return cs.sealPart(i, out, bound, sc)
		})
	}
	return g.Wait()
}

// sealScratch is a sealing goroutine's memory, kept from one partition to the next.
type sealScratch struct {
	raw   []byte
	recs  []censusRec
	count countTable
	occs  []occur
}

// sealPart reads partition i (splitting it by the next bits, sealed on this goroutine, when it
// is above bound) and writes its occurrences to out. Rather than sort the partition, it walks
// it twice (from memory when it is small, from the file when not): once to count how many
// records hit each slot of a table (by the key's low bits), once to keep the records whose
// slot two records hit. Those are every record of a key two rows hold, and a few others (keys
// sharing a slot), which hotOccurrences sorts out: only they are decoded and sorted.
func (cs *censusSpill) sealPart(i int, out *occSpill, bound int64, sc *sealScratch) error {
	size := cs.rf.sizes[i]
	if size > bound && cs.shift >= censusBits {
		sub := newCensusSpill(cs.dir, cs.shift-censusBits)
		sub.whole = cs.whole
		err := cs.rf.extents(i, sc.raw[:0], func(b []byte) error {
			for ; len(b) >= censusRecSize; b = b[censusRecSize:] {
				if err := sub.put(decodeCensusRec(b)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			sub.close()
			return fmt.Errorf("census: %w", err)
		}
		return sub.seal(out, bound, 1)
	}
	sc.count.reset(size / censusRecSize)
	count := func(b []byte) error {
		for ; len(b) >= censusRecSize; b = b[censusRecSize:] {
			sc.count.add(binary.LittleEndian.Uint64(b))
		}
		return nil
	}
	sc.recs = sc.recs[:0]
	keep := func(b []byte) error {
		for ; len(b) >= censusRecSize; b = b[censusRecSize:] {
			if sc.count.repeated(binary.LittleEndian.Uint64(b)) {
				sc.recs = append(sc.recs, decodeCensusRec(b))
			}
		}
		return nil
	}
	whole := cs.whole
	if whole == 0 {
		whole = censusWhole
	}
	var err error
	if size <= whole {
		// Small: read once into memory, walked twice.
		sc.raw, err = cs.rf.readAll(i, sc.raw[:0])
		if err == nil {
			_ = count(sc.raw)
			_ = keep(sc.raw)
		}
	} else {
		// Large (millions of rows): read twice, a block at a time, so that what a sealing
		// goroutine holds does not grow with the roster (a 10M-row partition is ~3 MB).
		if cap(sc.raw) < cs.rf.block {
			sc.raw = make([]byte, 0, cs.rf.block)
		}
		sc.raw = sc.raw[:0]
		if err = cs.rf.extents(i, sc.raw, count); err == nil {
			err = cs.rf.extents(i, sc.raw, keep)
		}
	}
	if err != nil {
		return fmt.Errorf("census: %w", err)
	}
	sc.occs, err = hotOccurrences(sc.recs, sc.occs[:0], out.write)
	return err
}

// countTable counts, up to 2, the keys that hit each of its slots: two bits a slot.
type countTable struct {
	words []uint64
	mask  uint64
}

// reset empties the table and sizes it for n keys: censusSlotsPerKey slots a key, up to the most.
func (t *countTable) reset(n int64) {
	slots := uint64(censusMinSlots)
	for slots < uint64(n)*censusSlotsPerKey && slots < censusMaxSlots {
		slots *= 2
	}
	words := int(slots / 32)
	if cap(t.words) < words {
		t.words = make([]uint64, words)
	}
	t.words = t.words[:words]
	clear(t.words)
	t.mask = slots - 1
}

func (t *countTable) add(key uint64) {
	i := key & t.mask
	w, sh := &t.words[i>>5], i&31*2
	if *w>>sh&3 < 2 {
		*w += 1 << sh
	}
}

func (t *countTable) repeated(key uint64) bool {
	i := key & t.mask
	return t.words[i>>5]>>(i&31*2)&3 >= 2
}

func decodeCensusRec(b []byte) censusRec {
	return censusRec{key: binary.LittleEndian.Uint64(b[0:]), row: binary.LittleEndian.Uint32(b[8:]),
		idID: binary.LittleEndian.Uint32(b[12:])}
}

// hotOccurrences writes, of one file's records, an occurrence for each row of each key that
// two rows hold (with write, buf at a time, so that a key on a million rows costs no more), chained to the group's next row, with, for a personal key, what Add would have
// primed had it kept every key: the first primed row with its id's hash, and the first later
// primed row with another id. The records are sorted by key and row, which are never both equal
// (a row holds one value of a kind, and the kind is in the key), so the order they were written
// in (by one goroutine or several) changes nothing.
func hotOccurrences(recs []censusRec, buf []occur, write func([]occur) error) ([]occur, error) {
	// By row, the row field alone: the row is its high bits.
	slices.SortFunc(recs, func(a, b censusRec) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return cmp.Compare(a.row, b.row)
	})
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].key == recs[i].key {
			j++
		}
		group := recs[i:j]
		i = j
		if group[0].num() == group[len(group)-1].num() || oneEmployee(group) {
			continue
		}
		var first uint64
		var firstID, later uint32
		for _, r := range group {
			if r.row&censusPrimed == 0 {
				continue
			}
			if first == 0 {
				first, firstID = uint64(r.num())<<32|uint64(r.idID), r.idID
				continue
			}
			if r.idID != firstID {
				later = uint32(r.num())
				break
			}
		}
		for k, r := range group {
			o := occur{key: r.key, row: r.row &^ (censusPrimed | censusUntrimmed), first: first, later: later}
			if k+1 < len(group) {
				o.next = uint32(group[k+1].num())
			}
			if buf = append(buf, o); len(buf) == occChunk {
				if err := write(buf); err != nil {
					return buf, err
				}
				buf = buf[:0]
			}
		}
	}
	return buf, write(buf)
}

// occChunk is how many occurrences hotOccurrences writes at once.
const occChunk = 4096

// oneEmployee says whether the rows holding a value are one employee's as check and prime tell
// them apart: the same hash of the id as mapped on every row, and an id validation does not
// trim, so that check sees that hash too (an untrimmed one may hash alike only by chance, and
// keeping a key that was not needed changes nothing). (An externalId's
// own key is never so: its repeats are what de-duplication is for.)
func oneEmployee(group []censusRec) bool {
	h := group[0].idID
	for _, r := range group {
		if r.row&(censusID|censusUntrimmed) != 0 || r.idID != h {
			return false
		}
	}
	return true
}

// phoneKeyer gives the census a phone number as check will compare it: the E.164 form the
// validator makes of it in the row's region, "" when the validator refuses it (then check does
// not compare it either). It is safe for concurrent use.
type phoneKeyer struct {
	v *validate.Validator
}

// key is the E.164 form of number in the region the country cell gives.
func (pk *phoneKeyer) key(number, country string) string {
	return pk.v.PhoneE164(number, country)
}
