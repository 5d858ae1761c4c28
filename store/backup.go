package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/log"
)

// stampLayout is the timestamp in backup and malformed file names.
const stampLayout = "20060102T150405Z"

// backupPattern matches the names Backup writes (and retention deletes).
var backupPattern = regexp.MustCompile(`\.bak\.\d{8}T\d{6}Z(-\d+)?$`)

// Backup writes an online backup neo.db.bak.YYYYMMDDTHHMMSSZ beside the
// database and applies the retention. It returns the backup's path.
func (db *DB) Backup(ctx context.Context) (string, error) {
	base := db.path + ".bak." + db.now().UTC().Format(stampLayout)
	dst := base
	for i := 2; exists(dst) || exists(dst+".tmp") || exists(dst+lockedTmpSuffix); i++ {
		dst = fmt.Sprintf("%s-%d", base, i)
	}
	if err := db.BackupTo(ctx, dst); err != nil {
		return "", err
	}
	db.applyRetention()
	return dst, nil
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
		// Only the instance-lock holder writes these, so the next holder
		// knows any it finds is a leftover of a killed process.
		tmp = path + lockedTmpSuffix
	}
	os.Remove(tmp) // a leftover of an interrupted backup of ours
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("%s: %v; check that %s exists and is writable", op, unwrapPathErr(err), filepath.Dir(path))
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
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
	if err := os.Rename(tmp, path); err != nil {
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
	src, err := sql.Open("sqlite", dsn(db.path, "mode=ro", fmt.Sprintf("_pragma=busy_timeout(%d)", writerBusyTimeout)))
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = src.ExecContext(ctx, "VACUUM INTO ?", tmp)
	return err
}

// finishBackupFile switches a fresh backup to journal_mode DELETE, checks it
// and fsyncs it.
func finishBackupFile(ctx context.Context, path string) error {
	d, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return err
	}
	var mode string
	err = d.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode)
	if err == nil && mode != "delete" {
		err = fmt.Errorf("journal_mode is %q after switching to delete", mode)
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := checkURI(ctx, path, dsn(path, "mode=ro", "immutable=1"), false); err != nil {
		return fmt.Errorf("the new backup failed its check: %w", err)
	}
	return syncFile(path)
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

// ListBackups returns the backups of the database at dbPath
// (neo.db.bak.YYYYMMDDTHHMMSSZ), newest first.
func ListBackups(dbPath string) ([]string, error) {
	dir, base := filepath.Split(dbPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list backups in %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, base+".bak.") && backupPattern.MatchString(n[len(base):]) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return backupLess(out[j], out[i]) })
	return out, nil
}

// backupLess orders backup names by time, then by their -N suffix.
func backupLess(a, b string) bool {
	sa, na := splitSuffix(a)
	sb, nb := splitSuffix(b)
	if sa != sb {
		return sa < sb
	}
	return na < nb
}

func splitSuffix(name string) (string, int) {
	i := strings.LastIndex(name, "Z-")
	if i < 0 {
		return name, 1
	}
	var n int
	fmt.Sscanf(name[i+2:], "%d", &n)
	return name[:i+1], n
}

// applyRetention deletes all but the newest BackupRetention backups.
func (db *DB) applyRetention() {
	list, err := ListBackups(db.path)
	if err != nil {
		db.logger.Warn("backup retention skipped", "err", err)
		return
	}
	for _, old := range list[min(len(list), db.opts.BackupRetention):] {
		if err := os.Remove(old); err != nil {
			db.logger.Warn("could not delete an old backup", "backup", old, "err", err)
			continue
		}
		db.logger.Info("deleted old backup", "backup", old, "retention", db.opts.BackupRetention)
	}
	db.removeLeftovers(staleBackupTmpAge)
}

// removeLeftovers deletes what killed processes left beside the database:
// temporary backup files and their journals, and the private copies of
// interrupted checks. A pre-run backup's temporary file is deleted at once by
// the next lock holder (only lock holders write them); anything else once it
// is older than age, so that a lock-free `neo backup` or `neo check` still
// running is left alone.
func (db *DB) removeLeftovers(age time.Duration) {
	var found []string
	for _, pattern := range []string{db.path + ".bak.*.tmp", db.path + ".bak.*.tmp-journal", filepath.Join(filepath.Dir(db.path), ".neo-check-*")} {
		m, _ := filepath.Glob(pattern)
		found = append(found, m...)
	}
	for _, p := range found {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		ours := db.lock != nil && (strings.HasSuffix(p, lockedTmpSuffix) || strings.HasSuffix(p, lockedTmpSuffix+"-journal"))
		if !ours && db.now().Sub(fi.ModTime()) <= age {
			continue
		}
		if err := os.RemoveAll(p); err == nil {
			db.logger.Info("deleted what an interrupted backup or check left", "path", p)
		}
	}
}

// lockedTmpSuffix ends the temporary file of a backup written by the
// instance-lock holder (neo run's pre-run backup).
const lockedTmpSuffix = ".locked.tmp"

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
	Backup     string   // the backup restored
	MovedAside []string // the damaged database and its -wal/-shm, renamed
	Skipped    []string // newer backups that failed their check
	Bytes      int64
	Duration   time.Duration
}

// ChooseBackup returns the newest backup of the database at dbPath that
// passes quick_check, and the newer ones that did not.
func ChooseBackup(ctx context.Context, dbPath string) (string, []string, error) {
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

// Restore replaces the database at dbPath with backupPath ("" = the newest
// backup that passes the check). It takes the instance lock (ErrLocked if
// another process holds it), checks the backup, moves the database and its
// -wal and -shm aside together as neo.db.malformed_<ts>, copies the backup
// in (fsynced, 0600) and checks the result.
func Restore(ctx context.Context, dbPath, backupPath string, logger *log.Logger) (res RestoreResult, err error) {
	start := time.Now()
	if logger == nil {
		logger = log.New(io.Discard)
	}
	if dbPath, err = filepath.Abs(dbPath); err != nil {
		return res, err
	}
	if fi, err := os.Stat(dbPath); err == nil && fi.IsDir() {
		return res, &PathError{Path: dbPath, Msg: "is a directory, not a database file; pass --db with a file path", IsDir: true}
	}
	if err := createDir(dbPath); err != nil {
		return res, err
	}
	lock, err := acquireLock(dbPath)
	if err != nil {
		return res, err
	}
	defer func() {
		if rerr := lock.release(); err == nil {
			err = rerr
		}
	}()

	if backupPath == "" {
		if backupPath, res.Skipped, err = ChooseBackup(ctx, dbPath); err != nil {
			return res, err
		}
	} else {
		if backupPath, err = filepath.Abs(backupPath); err != nil {
			return res, err
		}
		if err := checkFile(ctx, backupPath, false, true); err != nil {
			var ie *IntegrityError
			if errors.As(err, &ie) {
				return res, &BadBackupError{DBPath: dbPath, Backup: backupPath, Detail: ie.Detail}
			}
			return res, fmt.Errorf("backup %s: %w", backupPath, err)
		}
	}
	res.Backup = backupPath

	// Copy first, beside the database, so that a full disk stops us before
	// anything is moved.
	tmp := dbPath + ".restore-tmp"
	os.Remove(tmp)
	if err := copyFile(backupPath, tmp, true); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("restore %s: copy %s: %v; free space or check permissions, nothing was changed", dbPath, backupPath, err)
	}
	stamp := time.Now().UTC().Format(stampLayout)
	aside := dbPath + ".malformed_" + stamp
	for i := 2; exists(aside) || exists(aside+"-wal") || exists(aside+"-shm"); i++ {
		aside = fmt.Sprintf("%s.malformed_%s-%d", dbPath, stamp, i)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if !exists(dbPath + suffix) {
			continue
		}
		if err := os.Rename(dbPath+suffix, aside+suffix); err != nil {
			// Put back what was moved: a -wal must never stay beside a
			// database it does not belong to, nor beside none.
			for _, moved := range res.MovedAside {
				orig := dbPath + strings.TrimPrefix(moved, aside)
				if rerr := os.Rename(moved, orig); rerr != nil {
					logger.Error("could not move back after a failed restore", "from", moved, "to", orig, "err", rerr)
				}
			}
			os.Remove(tmp)
			return res, fmt.Errorf("restore %s: move %s aside: %w; nothing was changed (what had been moved was put back)", dbPath, dbPath+suffix, err)
		}
		res.MovedAside = append(res.MovedAside, aside+suffix)
		logger.Warn("moved aside", "from", dbPath+suffix, "to", aside+suffix)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return res, fmt.Errorf("restore %s: put %s in place: %w; the copy is at %s", dbPath, backupPath, err, tmp)
	}
	if err := syncDir(filepath.Dir(dbPath)); err != nil {
		return res, fmt.Errorf("restore %s: %w", dbPath, err)
	}
	if err := checkFile(ctx, dbPath, false, true); err != nil {
		return res, fmt.Errorf("restore %s: the restored file failed its check: %w", dbPath, err)
	}
	if fi, err := os.Stat(dbPath); err == nil {
		res.Bytes = fi.Size()
	}
	res.Duration = time.Since(start)
	logger.Info("restored backup", "db", dbPath, "backup", backupPath, "moved_aside", res.MovedAside)
	return res, nil
}
