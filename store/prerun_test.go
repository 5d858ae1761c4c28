package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"neo/engine"
	"neo/store"
)

// preRunOpts is what neo run asks of Open.
func preRunOpts(o *store.Options) { o.PreRunBackup = true }

// growDB adds n fills (and their orders) to session sid of the closed
// database at path, in one transaction of an independent connection.
func growDB(tb testing.TB, path, sid string, n int) {
	tb.Helper()
	raw := rawDB(tb, path)
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	pad := strings.Repeat("p", 120)
	for i := range n {
		oid := fmt.Sprintf("%s-o%d-%s", sid, i, pad)
		const key = `(SELECT session_key FROM sessions WHERE session_id = ?)`
		if _, err := tx.Exec(`INSERT INTO orders VALUES (`+key+`, ?, 'buy', 2.5, 6, 1795608000000, 'filled', 1795608001000)`, sid, oid); err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO fills VALUES (`+key+`, ?, ?, 1795608001000, 'buy', 2.5, 6, 15, 0.01)`, sid, fmt.Sprintf("%s-f%d", sid, i), oid); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// content is what an independent reader sees of a database: its sessions
// and fill count, the figures a backup must reproduce.
func content(tb testing.TB, path string, params ...string) string {
	tb.Helper()
	d, err := sql.Open("sqlite", "file:"+path+"?"+strings.Join(append([]string{"mode=ro"}, params...), "&"))
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	var qc string
	if err := d.QueryRow("PRAGMA quick_check").Scan(&qc); err != nil || qc != "ok" {
		tb.Fatalf("%s: quick_check=%q err=%v", path, qc, err)
	}
	var ids string
	var fills int
	if err := d.QueryRow("SELECT coalesce(group_concat(session_id, ','), ''), (SELECT count(*) FROM fills) FROM (SELECT session_id FROM sessions ORDER BY session_id)").Scan(&ids, &fills); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return fmt.Sprintf("sessions [%s], %d fills", ids, fills)
}

// assertBackupFile holds what every backup must be: mode 0600, journal_mode
// DELETE (opening it makes no -wal), sound, holding want.
func assertBackupFile(t *testing.T, bak, want string) {
	t.Helper()
	fi, err := os.Stat(bak)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", bak, fi.Mode().Perm())
	}
	// A private copy, so that opening it cannot disturb the backup.
	cp := filepath.Join(t.TempDir(), "b.db")
	copyTo(t, bak, cp)
	d, err := sql.Open("sqlite", "file:"+cp)
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := d.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "delete" {
		t.Fatalf("backup journal_mode=%q err=%v, want delete", mode, err)
	}
	d.Close()
	if _, err := os.Stat(cp + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("opening the backup left a -wal (err %v)", err)
	}
	if got := content(t, bak, "immutable=1"); got != want {
		t.Fatalf("backup holds %s, want %s", got, want)
	}
}

// assertNoTemporaries fails if anything of a backup in progress is left in
// dir.
func assertNoTemporaries(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); strings.Contains(n, "tmp") || strings.HasPrefix(n, ".neo-check-") {
			t.Fatalf("left %s behind", n)
		}
	}
}

// neo run's pre-run backup is the database file as it was, byte for byte
// but for the two header bytes that say WAL, and so holds no byte of the
// session that follows. (On today's main the backup is a VACUUM INTO: a
// rebuilt file, sound but not this copy.)
func TestPreRunBackupIsTheDatabaseAsItWas(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustCreateDB(t, path, "old")
	growDB(t, path, "old", 2000)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if wi, err := os.Stat(path + "-wal"); err == nil && wi.Size() > 0 {
		t.Fatalf("the setup left %d bytes of log", wi.Size())
	}
	want := content(t, path)

	db := MustOpenDBAt(t, path, preRunOpts)
	if list, _ := store.ListBackups(path); len(list) != 0 {
		t.Fatalf("a backup is listed before Backup: %v", list)
	}
	bak, err := db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	MustOpenSession(t, db, "new", t0.Add(time.Hour))
	MustClose(t, db)

	got, err := os.ReadFile(bak)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(before) || before[18] != 2 || before[19] != 2 || got[18] != 1 || got[19] != 1 ||
		!bytes.Equal(got[:18], before[:18]) || !bytes.Equal(got[20:], before[20:]) {
		t.Fatalf("the backup (%d bytes, header %d %d) is not the database file (%d bytes, header %d %d) with its header switched from WAL (2 2) to DELETE (1 1)",
			len(got), got[18], got[19], len(before), before[18], before[19])
	}
	assertBackupFile(t, bak, want)
	if strings.Contains(content(t, path), "new") == strings.Contains(want, "new") {
		t.Fatal("the session did not reach the database, so the test proves nothing")
	}
	assertNoTemporaries(t, dir)
}

// A write-ahead log left with frames in it (a killed session, or a reader
// that held up the final checkpoint) is copied and folded into the copy; the
// original database and its log are not touched before the check.
func TestPreRunBackupFoldsTheLog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustClose(t, MustOpenDBAt(t, path, nil))
	// A live database's files, copied while its writer is open: a crash
	// image with committed frames only in the log.
	live := filepath.Join(t.TempDir(), "neo.db")
	copyTo(t, path, live)
	w := MustOpenDBAt(t, live, nil)
	MustOpenSession(t, w, "in-log", t0)
	for i := range 50 {
		o := order("in-log", fmt.Sprint("o", i), t0, engine.OrderFilled)
		if err := w.RecordFill(ctx, fill(o, fmt.Sprint("f", i), t0), o); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"", "-wal", "-shm"} {
		copyTo(t, live+s, path+s)
	}
	MustClose(t, w)
	if wi, err := os.Stat(path + "-wal"); err != nil || wi.Size() == 0 {
		t.Fatalf("no log to fold (err %v)", err)
	}
	want := content(t, live)
	if !strings.Contains(want, "in-log") {
		t.Fatalf("setup: %s", want)
	}

	db := MustOpenDBAt(t, path, preRunOpts)
	bak, err := db.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	MustOpenSession(t, db, "new", t0.Add(time.Hour))
	MustClose(t, db)
	assertBackupFile(t, bak, want)
	assertNoTemporaries(t, dir)
}

// A damaged database is refused with the restore command, exactly as
// without the pre-run copy: nothing written, no copy kept as a backup.
func TestPreRunBackupOfADamagedDatabase(t *testing.T) {
	goodPath, goodBak := MustGoodDB(t, t.TempDir())
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := copyGoodDB(t, goodPath, goodBak)
			dir := filepath.Dir(path)
			d.damage(t, path)
			before := hashDBFiles(t, path)
			entries, _ := os.ReadDir(dir)
			_, err := store.Open(context.Background(), store.Options{Path: path, Lock: true, CheckpointInterval: -1, PreRunBackup: true})
			var ie *store.IntegrityError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "neo restore --db "+path) {
				t.Fatalf("Open=%v, want an IntegrityError naming the restore command", err)
			}
			if got := hashDBFiles(t, path); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Fatalf("files changed:\nbefore %v\nafter  %v", before, got)
			}
			assertNoTemporaries(t, dir)
			if after, _ := os.ReadDir(dir); len(after) != len(entries)+1 { // + neo.db.lock
				t.Fatalf("%d files before, %d after: a copy of the damaged database was kept", len(entries), len(after))
			}
		})
	}
}

// A pre-run copy that is never put in place leaves nothing behind: Backup
// refused by its fault hook, Backup interrupted, no Backup at all.
func TestPreRunCopyNotPlacedLeavesNothing(t *testing.T) {
	cases := []struct {
		name   string
		faults func(cancel func()) *store.Faults
		backup bool
	}{
		{"DiskFull", func(func()) *store.Faults {
			return &store.Faults{BeforeBackup: func(context.Context, string) error { return store.ErrDiskFull }}
		}, true},
		{"Interrupted", func(cancel func()) *store.Faults {
			return &store.Faults{BeforeBackup: func(context.Context, string) error { cancel(); return nil }}
		}, true},
		{"NoBackup", func(func()) *store.Faults { return nil }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "neo.db")
			MustCreateDB(t, path, "old")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := MustOpenDBAt(t, path, func(o *store.Options) { o.PreRunBackup, o.Faults = true, c.faults(cancel) })
			if _, err := os.Stat(path + ".bak.pending.locked.tmp"); err != nil {
				t.Fatalf("no pre-run copy after Open, so the test proves nothing: %v", err)
			}
			if c.backup {
				if _, err := db.Backup(ctx); err == nil {
					t.Fatal("Backup reported success")
				}
			}
			MustClose(t, db)
			assertNoTemporaries(t, dir)
			if list, _ := store.ListBackups(path); len(list) != 0 {
				t.Fatalf("backups written: %v", list)
			}
		})
	}
}

const readerChildEnv = "NEO_STORE_READER_CHILD"

// readerChild reads the database at path in read transactions of random
// length (0–20 ms), on a fresh read-only connection now and then, until
// killed; it prints "reading" once, and exits 1 on any error other than a
// busy database.
func readerChild(path string) int {
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 11))
	said := false
	for {
		d, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			fmt.Fprintln(os.Stderr, "reader open:", err)
			return 1
		}
		for range 20 {
			if err := readOnce(d, rng); err != nil {
				fmt.Fprintln(os.Stderr, "reader:", err)
				return 1
			}
			if !said {
				fmt.Println("reading")
				said = true
			}
		}
		d.Close()
	}
}

// readOnce holds a read transaction (a snapshot of the log) for 0–20 ms.
func readOnce(d *sql.DB, rng *rand.Rand) error {
	tx, err := d.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM fills").Scan(&n); err != nil {
		return err
	}
	time.Sleep(time.Duration(rng.IntN(20_000)) * time.Microsecond)
	return tx.QueryRow("SELECT count(*) FROM sessions").Scan(&n)
}

// Starts while other processes and goroutines read the database: every
// pre-run backup is exactly what the database held before that start, even
// when the readers' snapshots keep the final checkpoint from emptying the
// log (the next start then copies and folds the log).
func TestPreRunBackupUnderConcurrentReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("runs reader processes; skipped with -short")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustCreateDB(t, path, "s0")
	growDB(t, path, "s0", 3000)

	children := startReaderChildren(t, path)
	defer stopChildren(children)
	// And one in this process, whose POSIX locks the copy must not drop.
	stop := make(chan struct{})
	readerErr := make(chan error, 1)
	go readUntil(path, stop, readerErr)

	withLog := 0
	for round := 1; round <= 8; round++ {
		if preRunStartUnderReaders(t, path, round) {
			withLog++
		}
		assertNoTemporaries(t, dir)
	}
	close(stop)
	if err := <-readerErr; err != nil {
		t.Fatalf("the in-process reader failed: %v", err)
	}
	for _, c := range children {
		if c.ProcessState != nil {
			t.Fatalf("a reader child exited: %v", c.ProcessState)
		}
	}
	t.Logf("8 starts under 3 readers, %d of them with a log left by the readers", withLog)
	if withLog == 0 {
		t.Fatal("no start found a log to copy; the test proved nothing about it")
	}
}

// startReaderChildren starts two readerChild processes on path and waits
// until both read.
func startReaderChildren(t *testing.T, path string) []*exec.Cmd {
	t.Helper()
	var children []*exec.Cmd
	for range 2 {
		cmd := childCommand(readerChildEnv + "=" + path)
		out := startChild(t, cmd)
		children = append(children, cmd)
		line, err := out.ReadString('\n')
		if line != "reading\n" {
			cmd.Process.Kill()
			t.Fatalf("reader child said %q (%v)", line, err)
		}
	}
	return children
}

// stopChildren kills the children and waits for them.
func stopChildren(children []*exec.Cmd) {
	for _, c := range children {
		c.Process.Kill()
		c.Wait()
	}
}

// readUntil reads the database at path as readerChild does, in this
// process, until stop is closed; it sends nil then, or the first error.
func readUntil(path string, stop <-chan struct{}, errc chan<- error) {
	d, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		errc <- err
		return
	}
	defer d.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for {
		select {
		case <-stop:
			errc <- nil
			return
		default:
		}
		if err := readOnce(d, rng); err != nil {
			errc <- err
			return
		}
	}
}

// preRunStartUnderReaders is start number round on path: a pre-run backup,
// a session of 200 fills and a close; every other round a reader holds a
// snapshot of the log across the close, so that the final checkpoint
// cannot empty it and the next start copies the log too. The backup must
// hold what the database held before the start. It reports whether the
// start found a log with frames in it.
func preRunStartUnderReaders(t *testing.T, path string, round int) (withLog bool) {
	t.Helper()
	ctx := context.Background()
	want := content(t, path)
	if wi, err := os.Stat(path + "-wal"); err == nil && wi.Size() > 0 {
		withLog = true
	}
	db := MustOpenDBAt(t, path, preRunOpts)
	bak, err := db.Backup(ctx)
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	sid := fmt.Sprint("s", round)
	MustOpenSession(t, db, sid, t0.Add(time.Duration(round)*time.Hour))
	for i := range 200 {
		o := order(sid, fmt.Sprintf("%s-o%d", sid, i), t0, engine.OrderFilled)
		if err := db.RecordFill(ctx, fill(o, fmt.Sprintf("%s-f%d", sid, i), t0), o); err != nil {
			t.Fatal(err)
		}
	}
	var hold *sql.Tx
	if round%2 == 0 {
		hold = holdLogSnapshot(t, path)
	}
	if err := db.Close(ctx); err != nil && !errors.Is(err, store.ErrCheckpointIncomplete) {
		t.Fatalf("round %d: close: %v", round, err)
	}
	if hold != nil {
		hold.Rollback()
	}
	assertBackupFile(t, bak, want)
	return withLog
}

// holdLogSnapshot begins a read transaction on path and reads in it, so
// that it holds a snapshot of the log until rolled back.
func holdLogSnapshot(t *testing.T, path string) *sql.Tx {
	t.Helper()
	hold, err := rawDB(t, path).Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := hold.QueryRow("SELECT count(*) FROM fills").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return hold
}

const preRunChildEnv = "NEO_STORE_PRERUN_CHILD"

// preRunChild is a start of neo run on the database at dir/neo.db: Open with
// the pre-run backup, Backup, Recover, a session named by NEO_TEST_SID and a
// few fills; it prints "started" and then waits to be killed.
func preRunChild(dir string) int {
	ctx := context.Background()
	db, err := openRetrying(store.Options{Path: filepath.Join(dir, "neo.db"), Lock: true, PreRunBackup: true, CheckpointInterval: -1, BackupRetention: 1000},
		200, func(err error) bool { return errors.Is(err, store.ErrLocked) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	if _, err := db.Backup(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child backup:", err)
		return 1
	}
	if _, err := db.Recover(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "child recover:", err)
		return 1
	}
	sid := os.Getenv("NEO_TEST_SID")
	if err := db.OpenSession(ctx, newSession(sid, time.Now().UTC())); err != nil {
		fmt.Fprintln(os.Stderr, "child session:", err)
		return 1
	}
	for i := range 20 {
		o := order(sid, fmt.Sprintf("%s-o%d", sid, i), t0, engine.OrderFilled)
		if err := db.RecordFill(ctx, fill(o, fmt.Sprintf("%s-f%d", sid, i), t0), o); err != nil {
			fmt.Fprintln(os.Stderr, "child fill:", err)
			return 1
		}
	}
	fmt.Println("started")
	select {}
}

// backupState is what says a backup was not touched: its size, time and
// inode (its bytes are hashed at the end).
func backupState(t *testing.T, p string) string {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatalf("backup %s: %v", p, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d %d %d", fi.Size(), fi.ModTime().UnixNano(), st.Ino)
}

// kill -9 at random moments of a start, half of them once the pre-run copy
// has appeared (mid-copy, mid-check, mid-rename): the next start leaves no
// temporary file, every earlier backup is intact, every backup that a killed
// start put in place is sound and holds what the database held before it
// (not its own session), and the database passes the sqlite3 CLI's check.
func TestPreRunBackupKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	linuxOnly(t)
	rng := killRand(t, 13)

	dir := t.TempDir()
	path := filepath.Join(dir, "neo.db")
	MustCreateDB(t, path, "s0")
	growDB(t, path, "s0", 40_000) // ~15 MB: the copy and its check take a while

	k := &preRunKills{dir: dir, path: path, pending: path + ".bak.pending.locked.tmp",
		span: timeAStart(t, dir), known: map[string]string{}, hashes: map[string]string{}}
	for _, b := range mustList(t, path) {
		k.keep(t, b)
	}
	const kills = 12
	for n := range kills {
		k.killAStart(t, n, rng)
		k.nextStart(t, n)
	}
	for b, h := range k.hashes {
		if got := hashFile(t, b); got != h {
			t.Fatalf("backup %s changed", b)
		}
	}
	t.Logf("%d kills over a %v start: %d before the copy, %d left the pre-run copy behind (killed mid-copy or mid-check), %d after the backup was in place", kills, k.span, k.before, k.midCopy, k.placed)
	if k.midCopy == 0 {
		t.Fatal("no kill landed while the pre-run copy existed; the test proved nothing about killed copies")
	}
}

// preRunKills is what TestPreRunBackupKilled keeps across its kills.
type preRunKills struct {
	dir, path string
	pending   string            // the pre-run copy while it is made
	span      time.Duration     // how long a whole start takes
	known     map[string]string // backup → its state
	hashes    map[string]string // backup → its bytes' hash

	// Where the kills landed: before the copy appeared, while it existed,
	// after the start put a backup in place.
	before, midCopy, placed int
}

// timeAStart runs one whole start of preRunChild in dir and returns how
// long it took, to spread the kills over it.
func timeAStart(t *testing.T, dir string) time.Duration {
	t.Helper()
	began := time.Now()
	cmd := childCommand(preRunChildEnv+"="+dir, "NEO_TEST_SID=calibrate")
	out := startChild(t, cmd)
	line, _ := out.ReadString('\n')
	span := time.Since(began)
	cmd.Process.Kill()
	cmd.Wait()
	if line != "started\n" {
		t.Fatalf("the child did not start: %q", line)
	}
	return span
}

// keep records backup b as known, with its state and hash.
func (k *preRunKills) keep(t *testing.T, b string) {
	t.Helper()
	k.known[b], k.hashes[b] = backupState(t, b), hashFile(t, b)
}

// killAStart starts preRunChild as session k<n> and kills it: at a random
// moment when n is even, a random moment after the copy appeared when odd.
// Every earlier backup must be untouched, and one the killed start put in
// place sound and holding the database as it was before that start.
func (k *preRunKills) killAStart(t *testing.T, n int, rng *rand.Rand) {
	t.Helper()
	want := content(t, k.path)
	cmd := childCommand(preRunChildEnv+"="+k.dir, fmt.Sprintf("NEO_TEST_SID=k%d", n))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if n%2 == 0 {
		time.Sleep(time.Duration(rng.Int64N(int64(k.span) * 3 / 2)))
	} else {
		// Once the copy exists, then a little more.
		deadline := time.Now().Add(time.Minute)
		for !exists(k.pending) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Microsecond)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(k.span))))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	left := exists(k.pending)
	if left {
		k.midCopy++
	}
	had := len(k.known)
	for _, b := range mustList(t, k.path) {
		if _, ok := k.known[b]; ok {
			if got := backupState(t, b); got != k.known[b] {
				t.Fatalf("kill %d: earlier backup %s changed: %s, was %s", n, b, got, k.known[b])
			}
			continue
		}
		k.placed++
		assertBackupFile(t, b, want)
		k.keep(t, b)
	}
	if !left && len(k.known) == had {
		k.before++
	}
}

// nextStart is the start after kill n: it leaves no temporary file, its
// backup is sound and holds the database as it was, and the database
// passes the sqlite3 CLI's check.
func (k *preRunKills) nextStart(t *testing.T, n int) {
	t.Helper()
	want := content(t, k.path)
	next := MustOpenDBAt(t, k.path, func(o *store.Options) { o.PreRunBackup, o.BackupRetention = true, 1000 })
	bak, err := next.Backup(context.Background())
	if err != nil {
		t.Fatalf("kill %d: next start: %v", n, err)
	}
	MustClose(t, next)
	assertNoTemporaries(t, k.dir)
	assertBackupFile(t, bak, want)
	k.keep(t, bak)
	verifyWithCLI(t, k.path, nil)
}

func mustList(t *testing.T, path string) []string {
	t.Helper()
	list, err := store.ListBackups(path)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
