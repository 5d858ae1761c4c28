package xrpl

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// RecordingFormat names the NDJSON recording format in its header line.
const RecordingFormat = "neo-xrpl-recording/1"

// recLine is one line of a recording. Ev is one of:
//
//	header   first line: format and pair
//	connect  a connection opened to ep
//	send     a request as written (msg)
//	recv     a message as received (msg, or text when it was not JSON)
//	timeout  request id got no answer in time
//	close    the connection ended (text: why)
//	state    the feed state changed (state)
//	ledger   ledger N was delivered, in state
//	end      the session applied ledgers up to N and stopped reading: a
//	         replay ends there (later lines are what it never applied)
//
// At is the receive (or send) time on the recording machine; a replay
// never reads it as market time (that is the ledger close time).
type recLine struct {
	At       time.Time       `json:"at"`
	Ev       string          `json:"ev"`
	Format   string          `json:"format,omitempty"`
	Pair     *Pair           `json:"pair,omitempty"`
	Endpoint string          `json:"ep,omitempty"`
	Msg      json.RawMessage `json:"msg,omitempty"`
	Text     string          `json:"text,omitempty"`
	ID       uint64          `json:"id,omitempty"`
	Ledger   uint32          `json:"ledger,omitempty"`
	State    string          `json:"state,omitempty"`
}

// Recorder writes a recording. Methods are safe for concurrent use; write
// errors are sticky and reported by Err and Close.
type Recorder struct {
	mu  sync.Mutex
	f   io.Closer
	gz  *gzip.Writer
	bw  *bufio.Writer
	enc *json.Encoder
	err error
}

// CreateRecording creates (truncates) a recording file; a name ending in
// .gz is gzip-compressed.
func CreateRecording(path string, p Pair, now time.Time) (*Recorder, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create recording: %w (check the path given to --record)", err)
	}
	r := newRecorder(f, strings.HasSuffix(path, ".gz"))
	r.f = f
	r.header(p, now)
	return r, r.Err()
}

// NewRecorder writes an uncompressed recording to w.
func NewRecorder(w io.Writer, p Pair, now time.Time) *Recorder {
	r := newRecorder(w, false)
	r.header(p, now)
	return r
}

func newRecorder(w io.Writer, compress bool) *Recorder {
	r := &Recorder{}
	if compress {
		r.gz = gzip.NewWriter(w)
		w = r.gz
	}
	r.bw = bufio.NewWriterSize(w, 64<<10)
	r.enc = json.NewEncoder(r.bw)
	r.enc.SetEscapeHTML(false)
	return r
}

func (r *Recorder) header(p Pair, now time.Time) {
	r.write(recLine{At: now, Ev: "header", Format: RecordingFormat, Pair: &p}, true)
}

func (r *Recorder) write(l recLine, flush bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	l.At = l.At.UTC()
	if err := r.enc.Encode(l); err != nil {
		r.err = fmt.Errorf("write recording: %w", err)
		return
	}
	if flush {
		r.flushLocked()
	}
}

func (r *Recorder) flushLocked() {
	if err := r.bw.Flush(); err != nil && r.err == nil {
		r.err = fmt.Errorf("write recording: %w", err)
	}
	if r.gz != nil {
		if err := r.gz.Flush(); err != nil && r.err == nil {
			r.err = fmt.Errorf("write recording: %w", err)
		}
	}
}

// message records a sent or received message: JSON as is, anything else as
// a string so that the replay feeds the same bytes.
func (r *Recorder) message(at time.Time, ev string, data []byte) {
	if r == nil {
		return
	}
	l := recLine{At: at, Ev: ev}
	if json.Valid(data) && len(data) > 0 && data[0] == '{' {
		l.Msg = json.RawMessage(data)
	} else {
		l.Text = string(data)
	}
	r.write(l, false)
}

// Err returns the first write error.
func (r *Recorder) Err() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close flushes and closes the recording; it keeps the first error.
func (r *Recorder) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bw == nil {
		return r.err
	}
	r.flushLocked()
	if r.gz != nil {
		if err := r.gz.Close(); err != nil && r.err == nil {
			r.err = fmt.Errorf("close recording: %w", err)
		}
	}
	if r.f != nil {
		if err := r.f.Close(); err != nil && r.err == nil {
			r.err = fmt.Errorf("close recording: %w", err)
		}
	}
	r.bw = nil
	return r.err
}

// errNotRecording is returned for a file that is not a recording.
var errNotRecording = errors.New("not an xrpl recording (its first line is not a " + RecordingFormat + " header)")
