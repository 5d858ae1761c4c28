package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/log"
)

// stampLayout is the timestamp in backup and malformed file names.
const stampLayout = "20060102T150405Z"

// backupPattern matches the names Backup writes (and retention deletes).
var backupPattern = regexp.MustCompile(`\.bak\.\d{8}T\d{6}Z(-\d+){0,2}$`)

// Backup writes a backup neo.db.bak.YYYYMMDDTHHMMSSZ beside the database
// and applies the retention. It returns the backup's path. The first Backup
// after an Open with PreRunBackup puts the pre-run copy that Open took and
// verified in place (prerun.go); any other is an online backup (BackupTo).
func (db *DB) Backup(ctx context.Context) (string, error) {
	for try := 0; ; try++ {
		dst := db.backupName()
		var err error
		if p := db.takePreRun(); p.tmp != "" {
			err = db.placePreRun(ctx, p, dst)
		} else {
			err = db.BackupTo(ctx, dst)
		}
		// Another process's backup claimed the same name between our look
		// and our claim (several `neo backup` in one instant): take the
		// next name.
		if errors.Is(err, errNameTaken) && try < maxNameTries {
			continue
		}
		if err != nil {
			return "", err
		}
		db.applyRetention(dst)
		return dst, nil
	}
}

// errNameTaken means another backup claimed the path first.
var errNameTaken = errors.New("another backup is being written under that name")

// maxNameTries bounds how often Backup looks for a free name.
const maxNameTries = 20

// backupName is the path of a new backup. Names are never reused, even
// within one second after retention deleted some: when the second already
// has a backup, the name gets a sub-second suffix (…Z-123456789,
// nanoseconds), then -2, -3… past the highest of that nanosecond still
// present (retention never deletes the newest, so that count only grows).
func (db *DB) backupName() string {
	now := db.now().UTC()
	base := db.path + ".bak." + now.Format(stampLayout)
	dst := base
	same, _ := filepath.Glob(base + "*")
	if len(same) > 0 {
		sub := fmt.Sprintf("%s-%09d", base, now.Nanosecond())
		top := 0
		for _, p := range same {
			rest, ok := strings.CutPrefix(p, sub)
			if !ok {
				continue
			}
			rest = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(rest, "-journal"), lockedTmpSuffix), ".tmp")
			if rest == "" {
				top = max(top, 1)
			} else if n, err := strconv.Atoi(strings.TrimPrefix(rest, "-")); err == nil && strings.HasPrefix(rest, "-") {
				top = max(top, n)
			}
		}
		dst = sub
		if top > 0 {
			dst = fmt.Sprintf("%s-%d", sub, top+1)
		}
	}
	return dst
}

// BackupTo writes a consistent online backup of the database to path, which
// must not exist: VACUUM INTO a temporary name from one read transaction,
// switched to journal_mode DELETE (opening it leaves no -wal), checked,
// fsynced, renamed. The file is mode 0600.
func (db *DB) BackupTo(ctx context.Context, path string) (err error) {
	path, err = filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("backup to %s: it is a directory; give a file name such as %s", path, filepath.Join(path, "neo.db.bak"))
		}
		return fmt.Errorf("backup to %s: the file exists; choose another path or remove it first", path)
	}
	op := "backup to " + path
	tmp := path + ".tmp"
	if db.lock != nil {
		// Only a lock holder writes these names, so one found now is a
		// leftover of a killed process. Any other temporary name may
		// belong to a backup running right now in another process: the
		// exclusive create below is then what keeps the two apart.
		tmp = path + lockedTmpSuffix
		removeWithJournals(tmp)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %s exists: another backup to that path is being written (remove it if none is): %w", op, tmp, errNameTaken)
	}
	if err != nil {
		return fmt.Errorf("%s: %v; check that %s exists and is writable", op, unwrapPathErr(err), filepath.Dir(path))
	}
	f.Close()
	if _, err := os.Stat(path); err == nil {
		// Another process finished a backup under this name between our
		// first look and our claim.
		os.Remove(tmp)
		return fmt.Errorf("%s: the file exists; choose another path or remove it first: %w", op, errNameTaken)
	}
	defer func() {
		// A cancelled context (SIGINT, SIGTERM) or any failure leaves
		// nothing behind: the temporary file and whatever SQLite made
		// beside it.
		if err != nil {
			removeWithJournals(tmp)
		}
	}()
	if h := db.faults.BeforeBackup; h != nil {
		if err := h(ctx, path); err != nil {
			return &WriteError{Path: path, Op: op, Err: err}
		}
	}
	if err := db.vacuumInto(ctx, tmp); err != nil {
		if isCorrupt(err) {
			return &IntegrityError{Path: db.path, Detail: err.Error()}
		}
		return &WriteError{Path: path, Op: op, Err: err}
	}
	if err := finishBackupFile(ctx, tmp); err != nil {
		return &WriteError{Path: path, Op: op, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w; nothing was written", op, err)
	}
	if err := publish(tmp, path); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	db.logger.Info("backup written", "db", db.path, "backup", path)
	return nil
}

func (db *DB) vacuumInto(ctx context.Context, tmp string) error {
	// Its own read-only connection: the pool's connections are query_only.
	src, err := sql.Open("sqlite", dsn(db.readPath(), "mode=ro", fmt.Sprintf("_pragma=busy_timeout(%d)", writerBusyTimeout)))
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = src.ExecContext(ctx, "VACUUM INTO ?", tmp)
	return err
}

// finishBackupFile switches a fresh backup to journal_mode DELETE, checks it
// and fsyncs it. mode=rw: a file that vanished meanwhile is an error, never
// created afresh (an empty database passes quick_check).
func finishBackupFile(ctx context.Context, path string) error {
	err := switchToDelete(ctx, dsn(path, "mode=rw"))
	if err != nil && !exists(path) {
		return fmt.Errorf("the temporary file %s vanished before it was finished (another program deleted it?); run the backup again", path)
	}
	if err != nil {
		return err
	}
	if err := checkURI(ctx, path, dsn(path, "mode=ro", "immutable=1"), false); err != nil {
		return fmt.Errorf("the new backup failed its check: %w", err)
	}
	return syncFile(path)
}

// switchToDelete opens the database named by uri on one connection, sets
// journal_mode DELETE (which first checkpoints and removes a -wal: nobody
// else has the file open) and closes it, keeping the first error.
func switchToDelete(ctx context.Context, uri string) error {
	d, err := sql.Open("sqlite", uri)
	if err != nil {
		return err
	}
	d.SetMaxOpenConns(1)
	var mode string
	err = d.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode)
	if err == nil && mode != "delete" {
		err = fmt.Errorf("journal_mode is %q after switching to delete", mode)
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// publish gives the finished temporary file tmp its final name dst, never
// replacing a file already there: a hard link, which fails when dst exists
// (rename would silently replace another process's backup that took the
// name after our last look; the exclusive create of the temporary name only
// keeps apart writers of the same temporary name), then tmp is unlinked.
// Where hard links are not available (Windows, some filesystems) it falls
// back to a rename after a look, which leaves only that instant open. A
// taken name is errNameTaken, tmp left in place for the next name.
func publish(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case err == nil:
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("remove %s after linking it as %s: %w", tmp, dst, err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s appeared meanwhile: %w", dst, errNameTaken)
	case runtime.GOOS != "windows" && !linkUnsupported(err):
		return err
	}
	if exists(dst) {
		return fmt.Errorf("%s appeared meanwhile: %w", dst, errNameTaken)
	}
	return os.Rename(tmp, dst)
}

// linkUnsupported reports whether err says the filesystem has no hard
// links (FAT, some network and FUSE filesystems).
func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EPERM) ||
		errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EXDEV)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// removeWithJournals deletes a SQLite file we were writing and what SQLite
// keeps beside it.
func removeWithJournals(p string) {
	for _, s := range companions {
		os.Remove(p + s)
	}
}

// ListBackups returns the backups of the database at dbPath
// (neo.db.bak.YYYYMMDDTHHMMSSZ…), newest first in the order of
// backupNewer.
func ListBackups(dbPath string) ([]string, error) {
	list, err := listBackups(dbPath)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, b := range list {
		out[i] = b.path
	}
	return out, nil
}

type backupFile struct {
	path string
	mod  time.Time
}

func listBackups(dbPath string) ([]backupFile, error) {
	if p, err := canonicalPath(dbPath); err == nil {
		dbPath = p
	}
	dir, base := filepath.Split(dbPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", dir, err)
	}
	var out []backupFile
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, base+".bak.") || !backupPattern.MatchString(n[len(base):]) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // deleted meanwhile
		}
		out = append(out, backupFile{path: filepath.Join(dir, n), mod: fi.ModTime()})
	}
	now := time.Now()
	sort.SliceStable(out, func(i, j int) bool { return backupNewer(out[i], out[j], now) })
	return out, nil
}

// backupNewer orders backups newest first by when they were written (their
// modification time), not by their names: a name is a label that a clock
// once ahead, or a user's copy, can set to anything, and a name from the
// future must neither push the backup just written out of the retention nor
// be what restore picks. A file modified in the future was written while the
// clock was ahead, which is before every backup written since the clock was
// set right, so it ranks below all of those (and among its kind by time).
// Equal times fall back to the name.
func backupNewer(a, b backupFile, now time.Time) bool {
	fa, fb := a.mod.After(now), b.mod.After(now)
	if fa != fb {
		return fb
	}
	if !a.mod.Equal(b.mod) {
		return a.mod.After(b.mod)
	}
	return backupLess(b.path, a.path)
}

// backupLess orders backup names by time, then by their suffixes.
func backupLess(a, b string) bool {
	sa, na := splitSuffix(a)
	sb, nb := splitSuffix(b)
	if sa != sb {
		return sa < sb
	}
	return na < nb
}

func splitSuffix(name string) (string, string) {
	i := strings.LastIndex(name, "Z-")
	if i < 0 {
		return name, ""
	}
	// Zero-padded to compare as numbers: "-2" after "" and before "-10".
	var parts []string
	for _, p := range strings.Split(name[i+2:], "-") {
		parts = append(parts, fmt.Sprintf("%020s", p))
	}
	return name[:i+1], strings.Join(parts, "-")
}

// applyRetention deletes all but the newest BackupRetention backups in the
// order of backupNewer. The backup just written (keep) is never deleted,
// whatever the others' names and times say: it counts as one of the kept.
func (db *DB) applyRetention(keep string) {
	list, err := listBackups(db.path)
	if err != nil {
		db.logger.Warn("backup retention skipped", "err", err)
		return
	}
	left := db.opts.BackupRetention - 1 // the one just written
	for _, b := range list {
		if b.path == keep {
			continue
		}
		if left > 0 {
			left--
			continue
		}
		if err := os.Remove(b.path); err != nil {
			db.logger.Warn("could not delete an old backup", "backup", b.path, "err", err)
			continue
		}
		db.logger.Info("deleted old backup", "backup", b.path, "modified", b.mod.UTC().Format(time.RFC3339), "retention", db.opts.BackupRetention)
	}
	db.removeLeftovers(staleBackupTmpAge)
}

// removeLeftovers deletes what killed processes left beside the database,
// whatever command left it: every temporary name the store writes, that is
// restore's copy (neo.db.restore-tmp), temporary backup files
// (neo.db.bak.*.tmp, *.locked.tmp) with their -journal, -wal and -shm, and
// the private copies of interrupted checks (.neo-check-*). What only a lock
// holder writes (restore's copy, a pre-run backup's temporary file) is
// deleted at once by the next lock holder; anything else once it is older
// than age, so that a lock-free `neo backup` or `neo check` still running is
// left alone.
func (db *DB) removeLeftovers(age time.Duration) {
	var found []string
	for _, pattern := range []string{
		db.path + restoreTmpSuffix, db.path + restoreTmpSuffix + "-*",
		db.path + ".bak.*.tmp", db.path + ".bak.*.tmp-*",
		filepath.Join(filepath.Dir(db.path), ".neo-check-*"),
	} {
		m, _ := filepath.Glob(pattern)
		found = append(found, m...)
	}
	for _, p := range found {
		fi, err := os.Lstat(p)
		if err != nil {
			continue
		}
		ours := db.lock != nil && lockHoldersOnly(p)
		if !ours && time.Since(fi.ModTime()) <= age {
			continue
		}
		if err := os.RemoveAll(p); err == nil {
			db.logger.Info("deleted what an interrupted backup or check left", "path", p)
		}
	}
}

// lockHoldersOnly reports whether only an instance-lock holder writes the
// temporary file p (or SQLite's companion of one).
func lockHoldersOnly(p string) bool {
	for _, s := range []string{lockedTmpSuffix, restoreTmpSuffix} {
		if strings.HasSuffix(p, s) || strings.Contains(p, s+"-") {
			return true
		}
	}
	return false
}

// lockedTmpSuffix ends the temporary file of a backup written by the
// instance-lock holder (neo run's pre-run backup).
const lockedTmpSuffix = ".locked.tmp"

// restoreTmpSuffix ends restore's copy of the backup, written under the
// instance lock before it is renamed over the database.
const restoreTmpSuffix = ".restore-tmp"

// staleBackupTmpAge is how old a temporary backup file or check copy must
// be before a process without the lock treats it as a leftover.
const staleBackupTmpAge = time.Hour

// lockedLeftoverAge is the same for the lock holder at start: with the lock
// held no pre-run backup runs, so only a lock-free `neo backup` or
// `neo check` could still be writing, and those take seconds, not minutes.
const lockedLeftoverAge = 2 * time.Minute

// BadBackupError is a backup that failed its check; restore refused it.
type BadBackupError struct {
	DBPath string
	Backup string
	Detail string
}

// Error names the backup and the command to pick another.
func (e *BadBackupError) Error() string {
	return fmt.Sprintf("backup %s failed its integrity check (%s); nothing was changed. Pick another backup: neo restore --db %s BACKUP (the newest good one is used when BACKUP is omitted)",
		e.Backup, oneLine(e.Detail), e.DBPath)
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	Backup     string     // the backup restored
	Chosen     BackupInfo // what that backup is (the default choice explained)
	MovedAside []string   // the previous database and its -wal, -shm and -journal, renamed
	Healthy    bool       // the previous database passed its check (moved aside as replaced_, not malformed_)
	Skipped    []string   // newer backups that failed their check
	Bytes      int64
	Duration   time.Duration
}

// BackupInfo describes a backup so that a person can tell whether it is the
// one they want: when it was written and what it holds.
type BackupInfo struct {
	Path     string
	Written  time.Time // its modification time: when the backup was written
	Bytes    int64
	Sessions int    // sessions it holds (-1 if it could not be read)
	Newest   string // started_at of its newest session, "" if none (text from the file: sanitise before printing)
}

// DescribeBackup reads what the backup at path holds without changing it.
func DescribeBackup(ctx context.Context, path string) (BackupInfo, error) {
	info := BackupInfo{Path: path, Sessions: -1}
	fi, err := os.Stat(path)
	if err != nil {
		return info, fmt.Errorf("backup %s: %w", path, err)
	}
	info.Written, info.Bytes = fi.ModTime(), fi.Size()
	d, err := sql.Open("sqlite", dsn(path, "mode=ro", "immutable=1"))
	if err != nil {
		return info, fmt.Errorf("backup %s: %w", path, err)
	}
	defer d.Close()
	var newest sql.NullString
	if err := d.QueryRowContext(ctx, "SELECT count(*), max(started_at) FROM sessions").Scan(&info.Sessions, &newest); err != nil {
		info.Sessions = -1
		return info, fmt.Errorf("backup %s: read its sessions: %w", path, err)
	}
	info.Newest = newest.String
	return info, nil
}

// ChooseBackup returns the newest backup of the database at dbPath that
// passes quick_check, and the newer ones that did not. Newest means most
// recently written (see backupNewer), not the latest name. Pass the choice
// to DescribeBackup to tell the user what it is.
func ChooseBackup(ctx context.Context, dbPath string) (string, []string, error) {
	if p, err := canonicalPath(dbPath); err == nil {
		dbPath = p
	}
	if fi, err := os.Stat(dbPath); err == nil && fi.IsDir() {
		return "", nil, &PathError{Path: dbPath, Msg: "is a directory, not a database file; pass --db with a file path", IsDir: true}
	}
	list, err := ListBackups(dbPath)
	if err != nil {
		return "", nil, err
	}
	var skipped []string
	for _, b := range list {
		if err := checkFile(ctx, b, false, true); err != nil {
			skipped = append(skipped, b)
			continue
		}
		return b, skipped, nil
	}
	if len(list) == 0 {
		return "", nil, fmt.Errorf("no backup of %s found (looked for %s.bak.*); nothing was changed", dbPath, filepath.Base(dbPath))
	}
	return "", skipped, fmt.Errorf("none of the %d backups of %s passes the check; nothing was changed", len(list), dbPath)
}

// Restore replaces the database at dbPath (the real file behind any
// symlink) with backupPath ("" = the newest backup that passes the check).
// It takes the instance lock (ErrLocked if another process holds it), checks
// the backup, copies it beside the database, checks the current database and
// moves it and its -wal, -shm and -journal aside together, never deleted, named for
// what it is: neo.db.replaced_<ts> when it passed its check, else
// neo.db.malformed_<ts>; then renames the copy in (fsynced, 0600) and checks
// the result. A cancelled ctx before the rename leaves nothing changed and
// no temporary file behind.
func Restore(ctx context.Context, dbPath, backupPath string, logger *log.Logger) (res RestoreResult, err error) {
	start := time.Now()
	if logger == nil {
		logger = log.New(io.Discard)
	}
	if dbPath, err = restoreTarget(dbPath); err != nil {
		return res, err
	}
	lock, err := acquireLock(dbPath, false)
	if err != nil {
		return res, err
	}
	defer func() {
		if rerr := lock.release(); err == nil {
			err = rerr
		}
	}()
	tmp := dbPath + restoreTmpSuffix
	// What a killed restore, backup or check left: we hold the lock now.
	(&DB{path: dbPath, lock: lock, logger: logger, now: time.Now}).removeLeftovers(lockedLeftoverAge)

	if backupPath, err = pickBackup(ctx, dbPath, backupPath, &res); err != nil {
		return res, err
	}
	res.Backup = backupPath
	res.Chosen, _ = DescribeBackup(ctx, backupPath)

	// Copy first, beside the database, so that a full disk stops us before
	// anything is moved.
	if err := copyBeside(ctx, dbPath, backupPath, tmp); err != nil {
		return res, err
	}
	kind, err := asideKind(ctx, dbPath, &res)
	if err == nil {
		err = moveAside(dbPath, kind, &res, logger)
	}
	if err == nil {
		err = nothingBeside(dbPath, &res)
	}
	if err != nil {
		os.Remove(tmp)
		return res, err
	}
	if err := putInPlace(ctx, dbPath, backupPath, tmp, &res); err != nil {
		return res, err
	}
	res.Duration = time.Since(start)
	logger.Info("restored backup", "db", dbPath, "backup", backupPath, "moved_aside", res.MovedAside)
	return res, nil
}

// restoreTarget is the real file Restore replaces: dbPath made canonical,
// refused if it is a directory, its directory created.
func restoreTarget(dbPath string) (string, error) {
	dbPath, err := canonicalPath(dbPath)
	if err != nil {
		return dbPath, err
	}
	if fi, err := os.Stat(dbPath); err == nil && fi.IsDir() {
		return dbPath, &PathError{Path: dbPath, Msg: "is a directory, not a database file; pass --db with a file path", IsDir: true}
	}
	return dbPath, createDir(dbPath)
}

// copyBeside copies the backup to tmp, beside the database; on a failure
// it leaves no tmp behind and nothing changed.
func copyBeside(ctx context.Context, dbPath, backupPath, tmp string) error {
	os.Remove(tmp)
	if err := copyFileCtx(ctx, backupPath, tmp); err != nil { // it removes what it wrote
		return fmt.Errorf("restore %s: copy %s: %v; nothing was changed (free space or check permissions if this was not an interrupt)", dbPath, backupPath, err)
	}
	return nil
}

// asideKind checks the current database and names what it will be moved
// aside as: "replaced_" if it passes (res.Healthy), else "malformed_"; a
// cancelled ctx is an error, nothing changed.
func asideKind(ctx context.Context, dbPath string, res *RestoreResult) (string, error) {
	kind := "malformed_"
	if exists(dbPath) {
		if cerr := checkFile(ctx, dbPath, false, true); cerr == nil {
			kind, res.Healthy = "replaced_", true
		}
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("restore %s: %w; nothing was changed", dbPath, err)
	}
	return kind, nil
}

// nothingBeside refuses to rename into a name with a -wal, -shm or
// -journal beside it once the old database was moved aside: it would be
// read as part of the backup (a journal rolled into it, a log replayed over
// it), so another program has the database open.
func nothingBeside(dbPath string, res *RestoreResult) error {
	for _, suffix := range companions[1:] {
		if exists(dbPath + suffix) {
			return fmt.Errorf("restore %s: %s appeared beside it after the old database was moved aside (%s): another program has the database open; nothing was put in place. Close that program, move %s aside, and run neo restore again",
				dbPath, dbPath+suffix, strings.Join(res.MovedAside, ", "), dbPath+suffix)
		}
	}
	return nil
}

// putInPlace renames the copy at tmp to dbPath, fsyncs the directory and
// checks the result (even if ctx is cancelled by now: the rename is done),
// recording its size in res.Bytes.
func putInPlace(ctx context.Context, dbPath, backupPath, tmp string, res *RestoreResult) error {
	if err := os.Rename(tmp, dbPath); err != nil {
		return fmt.Errorf("restore %s: put %s in place: %w; the copy is at %s", dbPath, backupPath, err, tmp)
	}
	if err := syncDir(filepath.Dir(dbPath)); err != nil {
		return fmt.Errorf("restore %s: %w", dbPath, err)
	}
	if err := checkFile(context.WithoutCancel(ctx), dbPath, false, true); err != nil {
		return fmt.Errorf("restore %s: the restored file failed its check: %w", dbPath, err)
	}
	if fi, err := os.Stat(dbPath); err == nil {
		res.Bytes = fi.Size()
	}
	return nil
}

// pickBackup is the backup Restore puts in place: backupPath made absolute
// and checked, or when it is "" the newest that passes the check (those
// skipped go to res.Skipped). A named backup that fails is *BadBackupError.
func pickBackup(ctx context.Context, dbPath, backupPath string, res *RestoreResult) (_ string, err error) {
	if backupPath == "" {
		backupPath, res.Skipped, err = ChooseBackup(ctx, dbPath)
		return backupPath, err
	}
	if backupPath, err = filepath.Abs(backupPath); err != nil {
		return "", err
	}
	if err := checkFile(ctx, backupPath, false, true); err != nil {
		var ie *IntegrityError
		if errors.As(err, &ie) {
			return "", &BadBackupError{DBPath: dbPath, Backup: backupPath, Detail: ie.Detail}
		}
		return "", fmt.Errorf("backup %s: %w", backupPath, err)
	}
	return backupPath, nil
}

// companions are the database file ("") and the files SQLite keeps beside
// it, which belong to it and to no other: the write-ahead log and its
// index, and the rollback journal (a hot one is rolled into whatever
// database file bears the name at the next open).
var companions = []string{"", "-wal", "-shm", "-journal"}

// moveAside renames the database and its -wal, -shm and -journal to
// dbPath.<kind><stamp> (with -2, -3… when taken), together: on a failure it
// puts back what it had moved, so that a -wal or journal never stays beside
// a database it does not belong to, nor beside none.
func moveAside(dbPath, kind string, res *RestoreResult, logger *log.Logger) error {
	stamp := time.Now().UTC().Format(stampLayout)
	aside := dbPath + "." + kind + stamp
	taken := func(p string) bool {
		for _, s := range companions {
			if exists(p + s) {
				return true
			}
		}
		return false
	}
	for i := 2; taken(aside); i++ {
		aside = fmt.Sprintf("%s.%s%s-%d", dbPath, kind, stamp, i)
	}
	for _, suffix := range companions {
		if !exists(dbPath + suffix) {
			continue
		}
		if err := os.Rename(dbPath+suffix, aside+suffix); err != nil {
			for _, moved := range res.MovedAside {
				orig := dbPath + strings.TrimPrefix(moved, aside)
				if rerr := os.Rename(moved, orig); rerr != nil {
					logger.Error("could not move back after a failed restore", "from", moved, "to", orig, "err", rerr)
				}
			}
			return fmt.Errorf("restore %s: move %s aside: %w; nothing was changed (what had been moved was put back)", dbPath, dbPath+suffix, err)
		}
		res.MovedAside = append(res.MovedAside, aside+suffix)
		logger.Warn("moved aside", "from", dbPath+suffix, "to", aside+suffix)
	}
	return nil
}
