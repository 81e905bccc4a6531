// Command stategen writes synthetic --state files (the journal of sink/journal) of any size and
// times loading them, for scripts/bench-state.sh:
//
//	stategen -write 1000000 [-nights 5] -o FILE   a state of N employees as this version writes
//	                                              it: each recorded CREATED with the fingerprints
//	                                              of a made-up EWA request, then seen each night,
//	                                              compacted at each close
//	stategen -write N -old [-nights 5] -o FILE    the lines an earlier version appended: for each
//	                                              night a PENDING and a CREATED or EXISTS line per
//	                                              employee, with UUID ids (-legacy: no header)
//	stategen -load FILE                           opens FILE with journal.OpenFor, prints Len()
//
// The data is made up: externalIds E0000001…, random UUIDs. No personal data is in a state.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/sink/journal"
)

func main() {
	var (
		write, nights int
		out, load     string
		kind, host    string
		legacy, old   bool
		seed          uint64
		cpuprofile    string
	)
	flag.IntVar(&write, "write", 0, "write a state of `N` employees (to -o)")
	flag.IntVar(&nights, "nights", 1, "nights of lines per employee (each a PENDING and a CREATED or EXISTS line)")
	flag.StringVar(&out, "o", "state.jsonl", "output `file` for -write (replaced)")
	flag.BoolVar(&legacy, "legacy", false, "with -old, write no header, as versions before the binding did")
	flag.BoolVar(&old, "old", false, "write the appended lines of an earlier version (no fingerprints, no compaction)")
	flag.StringVar(&load, "load", "", "open the state `file` with journal.OpenFor and print how many employees it holds")
	flag.StringVar(&kind, "kind", "ewa", "record kind of the state")
	flag.StringVar(&host, "host", "api.example.com", "API host of the state")
	flag.Uint64Var(&seed, "seed", 1, "random seed")
	flag.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of -load to `file`")
	flag.Parse()
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "stategen:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var err error
	switch {
	case write > 0 && load == "" && !old:
		err = writeCurrent(out, write, nights, kind, host)
	case write > 0 && load == "":
		err = writeState(out, write, nights, kind, host, legacy, seed)
	case load != "" && write == 0:
		err = loadState(load, kind, host)
	default:
		err = errors.New("give -write N -o FILE, or -load FILE")
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "stategen:", err)
		os.Exit(1)
	}
}

// writeCurrent makes a state through the journal: night 1 records each employee with the
// fingerprints of a made-up EWA request; each later night sees them all.
func writeCurrent(path string, employees, nights int, kind, host string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for night := range nights {
		j, err := journal.OpenFor(path, journal.Options{Kind: kind, Host: host, Today: day.AddDate(0, 0, night)})
		if err != nil {
			return err
		}
		for i := range employees {
			id := externalID(i)
			if night > 0 {
				j.Seen(id)
				continue
			}
			e := journal.Entry{ExternalID: id, Status: journal.StatusCreated, Row: i + 2,
				CustomerID: uuidOf(i, 0), ProfileID: uuidOf(i, 1), FinancialAccountID: uuidOf(i, 2),
				Sums: j.Fingerprint(id, request(i))}
			if err := j.Record(e); err != nil {
				return err
			}
		}
		if err := j.Close(); err != nil {
			return err
		}
	}
	return nil
}

// request is a made-up EWA enrollment of employee i (a Luhn-invalid card number of no one).
func request(i int) *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID: externalID(i), ProgramID: "prog-1", EligibilityStatus: "ELIGIBLE",
		CustomerData: &api.IndividualCustomer{Type: api.TypeIndividual, FirstName: "Ann", LastName: fmt.Sprint("Doe", i),
			PrimaryPhoneNumber: &api.Phone{Number: fmt.Sprintf("+1555%07d", i), Type: "MOBILE"},
			PrimaryEmail:       &api.Email{Value: fmt.Sprintf("e%d@example.com", i)},
			DateOfBirth:        "1990-01-01", SocialID: fmt.Sprintf("9%08d", i), Metadata: map[string]string{"costCenter": "cc-1"}},
		FinancialAccountData: &api.FinancialAccountData{Name: "Pay card", Subtype: "DEBIT", Currency: "USD",
			Card: &api.Card{FirstName: "Ann", LastName: fmt.Sprint("Doe", i), CardNumber: fmt.Sprintf("400000%010d", i), Expiry: "2030-12",
				BillingAddress: &api.BillingAddress{AddressLine1: fmt.Sprint(i, " Main St"), City: "Springfield", StateCode: "IL",
					CountryCode: "USA", PostalCode: "62701"}}},
	}
}

func uuidOf(i, k int) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", i, k, i%4096, k, i*7919+k)
}

func writeState(path string, employees, nights int, kind, host string, legacy bool, seed uint64) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !legacy {
		// The header is the journal's own.
		j, err := journal.OpenFor(path, journal.Options{Kind: kind, Host: host})
		if err != nil {
			return err
		}
		if err := j.Close(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	ids := make([][3][16]byte, employees)
	for i := range ids {
		for k := range ids[i] {
			for b := 0; b < 16; b += 8 {
				v := rng.Uint64()
				for x := range 8 {
					ids[i][k][b+x] = byte(v >> (8 * x))
				}
			}
			ids[i][k][6] = ids[i][k][6]&0x0f | 0x40
			ids[i][k][8] = ids[i][k][8]&0x3f | 0x80
		}
	}
	base := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	var line []byte
	for night := range nights {
		at := base.Add(time.Duration(night) * 24 * time.Hour)
		for i := range employees {
			e := journal.Entry{ExternalID: externalID(i), Kind: kind, Status: journal.StatusPending, Row: i + 2,
				At: at.Add(time.Duration(rng.Int64N(int64(time.Millisecond))))}
			line = AppendLine(line[:0], &e)
			w.Write(line)
			e.Status = journal.StatusCreated
			if night > 0 {
				e.Status = journal.StatusExists
			}
			e.CustomerID, e.ProfileID, e.FinancialAccountID = uuid(&ids[i][0]), uuid(&ids[i][1]), uuid(&ids[i][2])
			at = at.Add(time.Millisecond)
			e.At = at.Add(time.Duration(rng.Int64N(int64(time.Millisecond))))
			line = AppendLine(line[:0], &e)
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func externalID(i int) string { return fmt.Sprintf("E%07d", i+1) }

func uuid(b *[16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// AppendLine appends e as the journal writes it (json.Marshal of an Entry, then a newline), for
// strings that need no escaping: the test checks it is the same.
func AppendLine(dst []byte, e *journal.Entry) []byte {
	str := func(key, v string, omitEmpty bool) {
		if v == "" && omitEmpty {
			return
		}
		dst = append(dst, `"`+key+`":"`...)
		dst = append(dst, v...)
		dst = append(dst, `",`...)
	}
	dst = append(dst, '{')
	str("externalId", e.ExternalID, false)
	str("kind", e.Kind, true)
	str("status", e.Status, false)
	str("idempotencyKey", e.IdempotencyKey, true)
	str("customerId", e.CustomerID, true)
	str("profileId", e.ProfileID, true)
	str("financialAccountId", e.FinancialAccountID, true)
	if e.Row != 0 {
		dst = append(dst, `"row":`...)
		dst = strconv.AppendInt(dst, int64(e.Row), 10)
		dst = append(dst, ',')
	}
	dst = append(dst, `"at":"`...)
	dst = e.At.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, "\"}\n"...)
}

func loadState(path, kind, host string) error {
	start := time.Now()
	j, err := journal.OpenFor(path, journal.Options{Kind: kind, Host: host, Progress: func(p journal.LoadProgress) {
		fmt.Fprintf(os.Stderr, "loading state: %d%% (%d lines, %d of %d MB)\n", p.Percent(), p.Lines, p.Bytes>>20, p.Size>>20)
	}})
	if err != nil {
		return err
	}
	took := time.Since(start)
	for _, w := range j.Warnings() {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fi, _ := os.Stat(path)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	fmt.Printf("%s: %d MB, Len() = %d employees, loaded in %.2fs; heap in use %d MB, Go runtime total %d MB, %d GCs\n",
		path, size>>20, j.Len(), took.Seconds(), ms.HeapInuse>>20, ms.Sys>>20, ms.NumGC)
	return j.Close()
}
