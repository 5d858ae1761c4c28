// Package store keeps neo's session record in SQLite (modernc.org/sqlite,
// pure Go). It implements engine.Store: one writer goroutine with group
// commit, a read-only pool, a periodic checkpoint, online backups, integrity
// checks, restore, recovery of sessions left open and the instance lock.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/log"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"neo/engine"
)

var _ engine.Store = (*DB)(nil)

// Default settings.
const (
	DefaultCheckpointInterval = 60 * time.Second
	DefaultBackupRetention    = 10
	// writerBusyTimeout is how long the writer waits for a lock (ms).
	writerBusyTimeout = 5000
	// checkpointBusyTimeout bounds how long a checkpoint may hold up the
	// writer while it waits for readers (ms).
	checkpointBusyTimeout = 100
	// queueSize is the capacity of the writer's queue; Add* block beyond it.
	queueSize = 4096
	// maxGroup caps how many queued writes share one transaction.
	maxGroup = 1024
)

// Options configures Open.
type Options struct {
	// Path is the absolute path of neo.db.
	Path string
	// ReadOnly opens the read pool only: no writer, no checkpoint loop, no
	// migrations; the database must exist. Used by history and sessions.
	ReadOnly bool
	// Lock takes the instance lock (neo.db.lock and, on Linux, a lock on
	// the database file itself); Open fails with ErrLocked when another
	// process holds it, by whatever path it reached the file.
	Lock bool
	// CheckpointInterval is the period of wal_checkpoint(TRUNCATE);
	// 0 means DefaultCheckpointInterval (60 s), negative disables the loop.
	CheckpointInterval time.Duration
	// BackupRetention is how many neo.db.bak.* files Backup keeps;
	// 0 means DefaultBackupRetention (10).
	BackupRetention int
	// Logger receives the store's log lines; nil discards them.
	Logger *log.Logger
	// Now is the clock (backup names, recovery messages); nil is time.Now.
	Now func() time.Time
	// PreRunBackup (with Lock, not ReadOnly) has Open take the pre-run
	// backup: a copy of the database file made before anything is written,
	// whose check is also the startup integrity check (prerun.go); the next
	// Backup puts it in place instead of backing up online. neo run sets it.
	PreRunBackup bool
	// Faults injects failures for tests; nil in production.
	Faults *Faults
}

// Faults are hooks that tests use to make the store fail on purpose, in the
// manner of litestream's mocks. Each hook runs where its name says and may
// return an error (for example ErrDiskFull) or block until ctx is done.
type Faults struct {
	// BeforeCommit runs in the writer before each transaction commits; op
	// names the group ("group of 12" or the single write's name).
	BeforeCommit func(ctx context.Context, op string) error
	// BeforeBackup runs before a backup file is written.
	BeforeBackup func(ctx context.Context, path string) error
}

// ErrDiskFull is what the fault hooks return to simulate SQLITE_FULL; real
// SQLITE_FULL errors from SQLite are reported the same way.
var ErrDiskFull = errors.New("database or disk is full (SQLITE_FULL)")

// The final checkpoint retries this often, this far apart, while another
// process's reader holds a snapshot.
const (
	finalCheckpointRetries = 8
	finalCheckpointPause   = 50 * time.Millisecond
)

// ErrCheckpointIncomplete is wrapped by Close when its final checkpoint
// could not empty the write-ahead log because another process (neo
// sessions, neo history) was reading. Nothing is lost; the -wal stays.
// Its code is engine.EINCOMPLETE.
var ErrCheckpointIncomplete error = engine.Errorf(engine.EINCOMPLETE, "another process has the database open, so its write-ahead log could not be emptied")

// ErrClosed is returned by writes after Close has begun.
var ErrClosed = errors.New("store is closed")

// ErrReadOnly is returned by writes on a database opened ReadOnly.
var ErrReadOnly = errors.New("store was opened read-only")

// DB is neo's SQLite database. It implements engine.Store.
type DB struct {
	path   string
	opts   Options
	logger *log.Logger
	now    func() time.Time
	faults Faults

	lock *instanceLock

	w  *sql.DB // the one write connection (nil when ReadOnly)
	r  *sql.DB // read-only pool
	cp *sql.DB // checkpoint connection (nil when ReadOnly)

	stmts   map[string]*sql.Stmt // prepared on w at Open; read-only after
	keys    map[string]int64     // session_key by session_id: the writer goroutine's cache (write.go)
	queue   chan *request
	stop    chan struct{} // closed to stop the writer
	refuse  chan struct{} // closed by Close after its flush, before stop: writes still waiting for room give up
	wctx    context.Context
	wcancel context.CancelFunc
	wdone   chan struct{}
	cpdone  chan struct{}

	times startTimes // what Open spent on what (logged once)

	closeOnce sync.Once
	closeErr  error
	// snapshot is the private directory holding the copy that the read
	// pool reads when the database cannot be read in place (snapshot.go);
	// "" when it is read in place.
	snapshot string
	mu       sync.Mutex // guards preRun
	// sendMu is held for reading while a write is handed to the queue and
	// for writing while Close marks the queue closing: a write that passed
	// the closing check is in the queue before the writer is told to stop,
	// so the writer's last drain takes it (nothing is stranded unanswered).
	// A write waiting for room lets go when refuse closes, so that a stuck
	// writer cannot hold Close up.
	sendMu  sync.RWMutex
	closing bool       // guarded by sendMu
	preRun  preRunCopy // the pre-run copy until Backup puts it in place
}

// Open opens (creating it if needed) the database at opts.Path. See Options.
// A database that fails PRAGMA quick_check yields *IntegrityError and is left
// byte-for-byte unchanged.
func Open(ctx context.Context, opts Options) (_ *DB, err error) {
	if opts.Path == "" {
		return nil, errors.New("open database: empty path; pass --db PATH")
	}
	// Symlinks resolved: one database file, one lock, and its -wal beside
	// the real file.
	path, err := canonicalPath(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", opts.Path, err)
	}
	db := newDB(path, opts)
	defer func() {
		if err != nil {
			db.abandon()
			err = notSQLite(path, err)
		}
	}()

	if err := checkStrayWAL(path); err != nil {
		return nil, err
	}
	if err := checkPathUsable(path, !opts.ReadOnly); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := createDir(path); err != nil {
			return nil, err
		}
	}
	if opts.Lock {
		if db.lock, err = acquireLock(path, !opts.ReadOnly); err != nil {
			return nil, err
		}
		// A crash loop must not fill the disk with what each killed start
		// left behind (backup temporaries, check copies).
		db.removeLeftovers(lockedLeftoverAge)
	}
	if opts.ReadOnly {
		err = db.openReader(ctx)
	} else {
		err = db.openWriter(ctx)
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

// newDB is a DB on path with the defaults of Options filled in.
func newDB(path string, opts Options) *DB {
	db := &DB{path: path, opts: opts, logger: opts.Logger, now: opts.Now}
	if db.logger == nil {
		db.logger = log.New(io.Discard)
	}
	if db.now == nil {
		db.now = time.Now
	}
	if opts.Faults != nil {
		db.faults = *opts.Faults
	}
	if db.opts.CheckpointInterval == 0 {
		db.opts.CheckpointInterval = DefaultCheckpointInterval
	}
	if db.opts.BackupRetention <= 0 {
		db.opts.BackupRetention = DefaultBackupRetention
	}
	return db
}

// openReader is the rest of Open for a read-only database: the read pool
// and the schema version, nothing that writes.
func (db *DB) openReader(ctx context.Context) (err error) {
	if db.opts.Lock {
		// Backfill's dry run: nobody else writes, so check first.
		if err := checkFile(ctx, db.path, false, true); err != nil {
			return err
		}
	}
	if err := db.openReadPoolOrSnapshot(ctx); err != nil {
		return err
	}
	return db.checkSchemaVersion(ctx)
}

// openWriter is the rest of Open for a writable database: check and
// identify the file before anything writes, then the writer's connection,
// the migrations, the read pool, the checkpoint connection, and the writer
// and checkpointer goroutines.
func (db *DB) openWriter(ctx context.Context) (err error) {
	opened := time.Now()
	kind, err := db.checkBeforeWrite(ctx)
	if err != nil {
		return err
	}
	if err := db.openWriteConn(ctx); err != nil {
		return err
	}
	t := time.Now()
	if err := db.migrate(ctx, kind); err != nil {
		return err
	}
	db.times.migrate = time.Since(t)
	if db.r, err = openReadPool(db.path); err != nil {
		return err
	}
	if db.cp, err = sql.Open("sqlite", dsn(db.path,
		fmt.Sprintf("_pragma=busy_timeout(%d)", checkpointBusyTimeout),
	)); err != nil {
		return fmt.Errorf("open checkpoint connection %s: %w", db.path, err)
	}
	db.cp.SetMaxOpenConns(1)
	if err := db.prepareWrites(ctx); err != nil {
		return err
	}
	db.startWriter()
	db.logOpened(time.Since(opened))
	return nil
}

// checkBeforeWrite creates the file if missing, runs quick_check and says
// whose file it is. It runs before anything writes: the writer's connection
// would switch the journal mode and the migrations would write. With a
// pre-run backup, the check of the copy is that check (prerun.go).
func (db *DB) checkBeforeWrite(ctx context.Context) (fileKind, error) {
	path := db.path
	if err := createFile(path); err != nil {
		return 0, err
	}
	checked := false
	if db.opts.PreRunBackup && db.lock != nil {
		var err error
		if checked, err = db.takePreRunCopy(ctx); err != nil {
			return 0, err
		}
	}
	if !checked {
		quiet := db.lock != nil
		if !quiet {
			held, _, _ := LockHolder(path)
			quiet = !held
		}
		t := time.Now()
		if err := checkFile(ctx, path, false, quiet); err != nil {
			return 0, err
		}
		db.times.check += time.Since(t)
	}
	// Whose file is it? Asked before the writer's connection switches the
	// journal mode to WAL (a write): another program's database is refused
	// unchanged. Behind a hot journal, of the file as it will be once the
	// writer's connection has rolled the journal back.
	if hotJournal(path) {
		return identifyCopy(ctx, path)
	}
	return identify(ctx, path)
}

// openWriteConn opens the one write connection and checks that WAL mode
// took.
func (db *DB) openWriteConn(ctx context.Context) (err error) {
	path := db.path
	if db.w, err = sql.Open("sqlite", dsn(path,
		"_txlock=immediate",
		fmt.Sprintf("_pragma=busy_timeout(%d)", writerBusyTimeout),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
	)); err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if err := db.w.PingContext(ctx); err != nil {
		return describeOpenError(path, err)
	}
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return describeOpenError(path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("open database %s: journal_mode is %q, want wal; check that the filesystem supports shared memory (not a network share)", path, mode)
	}
	return nil
}

// startWriter starts the writer goroutine and, unless disabled, the
// periodic checkpointer.
func (db *DB) startWriter() {
	db.queue = make(chan *request, queueSize)
	db.stop = make(chan struct{})
	db.refuse = make(chan struct{})
	db.wdone = make(chan struct{})
	db.wctx, db.wcancel = context.WithCancel(context.Background())
	go db.runWriter()

	db.cpdone = make(chan struct{})
	if db.opts.CheckpointInterval > 0 {
		go db.runCheckpointer(db.opts.CheckpointInterval)
	} else {
		close(db.cpdone)
	}
}

// logOpened says what the open of a writable database cost, by part: the
// start-up figures of make bench.
func (db *DB) logOpened(took time.Duration) {
	r := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	kv := []any{"db", db.path, "bytes", DatabaseSize(db.path), "check", r(db.times.check)}
	if p := db.preRun; p.tmp != "" {
		kv = append(kv, "backup_copy", r(db.times.copy), "backup_method", p.method)
	}
	kv = append(kv, "migrations", r(db.times.migrate), "took", r(took))
	db.logger.Info("database opened", kv...)
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// abandon releases whatever a failed Open acquired, without checkpointing.
func (db *DB) abandon() {
	db.dropPreRun()
	if db.r != nil {
		db.r.Close()
	}
	db.dropSnapshot()
	if db.cp != nil {
		db.cp.Close()
	}
	if db.w != nil {
		// What Open already committed (a new database's schema, a
		// migration) may still sit in the -wal: fold it in before letting
		// go, so that a start stopped half-way leaves no log behind. The
		// caller's context may be the reason Open failed: use a fresh one,
		// bounded like the periodic checkpoint.
		ctx, cancel := context.WithTimeout(context.Background(), 2*checkpointBusyTimeout*time.Millisecond)
		if _, err := checkpointOn(ctx, db.w); err != nil {
			db.logger.Warn("checkpoint after a failed open", "db", db.path, "err", err)
		}
		cancel()
		db.w.Close()
	}
	if db.lock != nil {
		db.lock.release()
	}
}

// Close flushes queued writes, stops the writer and the checkpointer, closes
// the read pool, runs wal_checkpoint(TRUNCATE), closes the database and
// releases the lock, in that order, within ctx. It returns the first error;
// later calls return the same result.
func (db *DB) Close(ctx context.Context) error {
	db.closeOnce.Do(func() { db.closeErr = db.close(ctx) })
	return db.closeErr
}

func (db *DB) close(ctx context.Context) error {
	var errs firstError
	if db.w != nil && !db.stopWriter(ctx, &errs) {
		// The writer is stuck (a hung disk): closing the handles under it
		// would block too. Keep the lock: a write may still land.
		return errs.err
	}
	if db.r != nil {
		errs.keep(db.r.Close())
	}
	db.dropSnapshot()
	if db.cp != nil {
		errs.keep(db.cp.Close())
	}
	if db.w != nil {
		db.closeWriter(ctx, &errs)
	}
	db.dropPreRun()
	if db.w == nil && db.r != nil {
		db.tidyUnderLock()
	}
	if db.lock != nil {
		errs.keep(db.lock.release())
	}
	return errs.err
}

// tidyUnderLock runs tidyEmptyWAL while this process holds the lock file's
// lock, and skips it when another process holds it: a session that is
// starting holds it before it opens any connection (while it copies the
// database and its -wal for the pre-run backup), and deleting the -wal then
// would spoil that copy. The lock file's lock alone is taken, and no pid is
// written: a start that meets it (for the milliseconds the tidy takes) sees
// an anonymous probe and tries again (acquireLock).
func (db *DB) tidyUnderLock() {
	if db.lock != nil {
		tidyEmptyWAL(db.path)
		return
	}
	if fi, err := os.Stat(db.path + "-wal"); err != nil || fi.Size() != 0 {
		return // nothing to tidy: no need for the lock
	}
	release, ok := tryLockFileOnly(db.path)
	if !ok {
		return
	}
	defer release()
	tidyEmptyWAL(db.path)
}

// tidyEmptyWAL removes the empty -wal and the -shm that a read-only
// connection leaves beside a database (it may not delete them itself): a
// read-write connection that finds itself the last one open does that as
// it closes, after making sure no other connection, in any process, still
// uses them. It only runs when the -wal is empty, writes nothing to the
// database, and gives up at once when the database is busy or the file or
// its directory is read-only.
func tidyEmptyWAL(path string) {
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 0 {
		return
	}
	d, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(0)"))
	if err != nil {
		return
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var n int
	// Reading the schema opens the log; closing the last connection then
	// checkpoints nothing and deletes it.
	d.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n)
}

// firstError keeps the first of the errors a multi-step close meets.
type firstError struct{ err error }

func (f *firstError) keep(err error) {
	if err != nil && f.err == nil {
		f.err = err
	}
}

// stopWriter flushes the queue and stops the writer, then the checkpointer,
// within ctx. It reports false when the writer did not stop even a second
// after ctx ended.
func (db *DB) stopWriter(ctx context.Context, errs *firstError) bool {
	errs.keep(db.Flush(ctx))
	close(db.refuse)
	db.sendMu.Lock()
	db.closing = true
	close(db.stop)
	db.sendMu.Unlock()
	select {
	case <-db.wdone:
	case <-ctx.Done():
		db.wcancel()
		errs.keep(fmt.Errorf("close %s: writer did not stop in time: %w", db.path, ctx.Err()))
		select {
		case <-db.wdone:
		case <-time.After(time.Second):
			return false
		}
	}
	db.wcancel()
	select {
	case <-db.cpdone:
	case <-ctx.Done():
		errs.keep(fmt.Errorf("close %s: checkpointer did not stop in time: %w", db.path, ctx.Err()))
	}
	return true
}

// closeWriter runs the final checkpoint on the write connection, closes it
// and says why a -wal is left, if one is.
func (db *DB) closeWriter(ctx context.Context, errs *firstError) {
	for _, st := range db.stmts {
		st.Close()
	}
	// A reader of another process must not hold up the exit: wait for
	// it no longer than the periodic checkpoint does.
	db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", checkpointBusyTimeout))
	res, err := checkpointOn(ctx, db.w)
	// A reader's snapshot lasts milliseconds (history refreshes a page
	// at a time): try again a few times before leaving the log behind.
	for try := 0; err == nil && res.Partial() && try < finalCheckpointRetries && ctx.Err() == nil; try++ {
		time.Sleep(finalCheckpointPause)
		res, err = checkpointOn(ctx, db.w)
	}
	switch {
	case err != nil:
		errs.keep(fmt.Errorf("final checkpoint of %s: %w", db.path, err))
	case res.Partial():
		errs.keep(fmt.Errorf("final checkpoint of %s was partial (busy=%v, %d of %d frames; every commit is safe in %s-wal and the next start folds it in): %w",
			db.path, res.Busy, res.CheckpointedFrames, res.LogFrames, db.path, ErrCheckpointIncomplete))
	}
	errs.keep(db.w.Close())
	var left int64
	if fi, werr := os.Stat(db.path + "-wal"); werr == nil {
		left = fi.Size()
	}
	db.logWALLeft(err, res, left)
}

// logWALLeft logs, once, how the final checkpoint ended when it did not
// empty the log: what it answered (ckErr, res) and the -wal's n bytes left.
// A failure (a full disk above all) is an ERROR; only a busy or partial
// checkpoint, or a reader that opened the database after it, means another
// process was reading.
func (db *DB) logWALLeft(ckErr error, res CheckpointResult, n int64) {
	wal := db.path + "-wal"
	switch {
	case ckErr != nil && isFull(ckErr):
		db.logger.Error("final checkpoint failed: disk full: the write-ahead log could not be folded into the database; free space on that disk (nothing is lost: every commit is safe in the log and the next start folds it in)", "wal", wal, "bytes", n, "err", ckErr)
	case ckErr != nil:
		db.logger.Error("final checkpoint failed; every commit is safe in the write-ahead log and the next start folds it in", "wal", wal, "bytes", n, "err", ckErr)
	case res.Partial():
		db.logger.Warn("final checkpoint was partial: another reader (another process) has the database open; the write-ahead log stays", "wal", wal, "busy", res.Busy, "log", res.LogFrames, "checkpointed", res.CheckpointedFrames)
	case n > 0:
		// A reader that opened the database after the checkpoint: another
		// process (neo sessions, history).
		db.logger.Warn("write-ahead log left behind by another reader", "wal", wal, "bytes", n)
	}
}

// dsn builds a SQLite URI for path with the given query parameters.
func dsn(path string, params ...string) string {
	p := filepath.ToSlash(path)
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive letters
	}
	return "file:" + p + "?" + strings.Join(params, "&")
}

// openReadPool opens the read-only pool on path.
func openReadPool(path string) (*sql.DB, error) {
	r, err := openReadPoolRaw(path)
	if err != nil {
		return nil, describeOpenError(path, err)
	}
	return r, nil
}

// checkPathUsable gives one-line errors for paths that cannot be a database:
// a directory, a missing file when we may not create one.
func checkPathUsable(path string, mayCreate bool) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return &PathError{Path: path, Msg: "is a directory, not a database file; pass --db with a file path such as " + filepath.Join(path, "neo.db"), IsDir: true}
	case err == nil:
		return nil
	case errors.Is(err, os.ErrNotExist) && !mayCreate:
		return &PathError{Path: path, Msg: "does not exist; start a session with 'neo run' first or pass --db with the right path", NotExist: true}
	case errors.Is(err, os.ErrNotExist):
		return nil
	default:
		return &PathError{Path: path, Msg: fmt.Sprintf("cannot be read (%v); check its permissions", unwrapPathErr(err))}
	}
}

// checkStrayWAL refuses a missing or empty database with a write-ahead log
// holding frames beside it: what a restore interrupted between its renames
// leaves, or a database file moved away without its log. Creating the
// database there would replay that log into the new file (or mix it with
// the new one's). While another process holds the lock, that process is
// said to be the reason (a restore running now).
func checkStrayWAL(path string) error {
	wi, err := os.Stat(path + "-wal")
	if err != nil || !wi.Mode().IsRegular() || wi.Size() <= walHeaderSize {
		return nil
	}
	fi, err := os.Stat(path)
	what := "is missing"
	switch {
	case err == nil && (!fi.Mode().IsRegular() || fi.Size() > 0):
		return nil
	case err == nil:
		what = "is empty"
	case !errors.Is(err, os.ErrNotExist):
		return nil // checkPathUsable says why it cannot be read
	}
	if err := CheckNotLocked(path); err != nil {
		return err
	}
	return &PathError{Path: path, Msg: fmt.Sprintf("%s, but %s-wal beside it holds %d bytes of a write-ahead log (a restore or a move interrupted half-way); nothing was changed. Run 'neo restore --db %s' again (it moves the stray -wal aside), or move %s-wal and %s-shm aside yourself if you know they are not needed",
		what, path, wi.Size(), path, path, path)}
}

// walHeaderSize is the size of a write-ahead log's header: a log longer than
// that holds frames (https://www.sqlite.org/fileformat.html, section 4.1).
const walHeaderSize = 32

// PathError is a database path that cannot be used; Msg says why and what to
// do.
type PathError struct {
	Path     string
	Msg      string
	NotExist bool
	IsDir    bool
}

// Error says what is wrong with the path and what to do.
func (e *PathError) Error() string { return "database " + e.Path + " " + e.Msg }

// createDir makes the database's directory (0700) if missing.
func createDir(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &PathError{Path: path, Msg: fmt.Sprintf("cannot be created: directory %s: %v; create it or pass --db with a writable location", dir, unwrapPathErr(err))}
	}
	return nil
}

// createFile makes the file (0600) if missing.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return writeOpenError(path, err)
	}
	return f.Close()
}

// writeOpenError says why the database file at path could not be opened for
// writing: the file itself when it exists (read-only, another owner), the
// directory only when the file had to be created there.
func writeOpenError(path string, err error) error {
	if !errors.Is(err, os.ErrPermission) {
		return &PathError{Path: path, Msg: fmt.Sprintf("cannot be opened for writing: %v", unwrapPathErr(err))}
	}
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() {
		// The file exists, so the directory is not the problem.
		if fi.Mode().Perm()&0o200 == 0 {
			return &PathError{Path: path, Msg: fmt.Sprintf("is a read-only file (%v); make it writable with: chmod u+w %s (or pass --db with another database)", unwrapPathErr(err), path)}
		}
		return &PathError{Path: path, Msg: fmt.Sprintf("cannot be opened for writing (%v); it may belong to another user: check its owner and mode with: ls -l %s", unwrapPathErr(err), path)}
	}
	return &PathError{Path: path, Msg: fmt.Sprintf("cannot be created (%v); make %s writable or pass --db with a writable location", unwrapPathErr(err), filepath.Dir(path))}
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// describeOpenError turns a driver error on open into a one-line message.
func describeOpenError(path string, err error) error {
	if isCorrupt(err) {
		return &IntegrityError{Path: path, Detail: err.Error()}
	}
	if isHotJournalReadOnly(err) {
		// A reader never writes (a checker may be copying the file without
		// the lock), so it does not roll the journal back itself.
		return &PathError{Path: path, Msg: fmt.Sprintf("has a hot journal (%s-journal, left by a write that was interrupted) that must be rolled back before it can be read, "+
			"and a read-only command does not write: run 'neo backfill --db %s' (it checks the file on a private copy, then opens it for writing, which rolls the journal back; "+
			"it also closes any session a crash left open), as a user who may write the file, its journal and their directory (ls -ld %s %s-journal %s)",
			path, path, path, path, filepath.Dir(path))}
	}
	if isReadOnlyErr(err) || isCantOpen(err) {
		return &PathError{Path: path, Msg: fmt.Sprintf("cannot be opened (%v); check that %s and its directory are writable by you", err, path)}
	}
	return fmt.Errorf("open database %s: %w", path, err)
}
