package xrpl

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// maxRecordLine bounds one recording line: a message at the read limit,
// JSON-escaped, fits.
const maxRecordLine = 4 * DefaultReadLimit

// Replayer feeds a recording through the same Processor as the live client
// and returns the same ledgers with the same states. It reads no clock:
// market time is each ledger's close time. Each "ledger" line of the
// recording confirms what the live session delivered; a replay that
// computes anything else stops with an error naming the line.
type Replayer struct {
	path    string
	file    io.Closer
	gz      *gzip.Reader
	sc      *bufio.Scanner
	line    int
	p       *Processor
	pair    Pair
	state   State
	left    uint64 // times the recorded state left LIVE
	ep      string
	pending []LedgerResult
	err     error
}

// OpenReplay opens a recording (plain or gzip, detected by content) and
// checks its header.
func OpenReplay(path string) (*Replayer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open recording: %w (check the path after xrpl-replay:)", err)
	}
	r, err := newReplayer(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

func newReplayer(path string, rd io.Reader) (*Replayer, error) {
	br := bufio.NewReaderSize(rd, 64<<10)
	r := &Replayer{path: path}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		r.gz = gz
		rd = gz
	} else {
		rd = br
	}
	r.sc = bufio.NewScanner(rd)
	r.sc.Buffer(make([]byte, 0, 256<<10), maxRecordLine)
	var h recLine
	if !r.sc.Scan() || json.Unmarshal(r.sc.Bytes(), &h) != nil || h.Ev != "header" || h.Format != RecordingFormat || h.Pair == nil {
		return nil, fmt.Errorf("%s: %w", path, errNotRecording)
	}
	r.line = 1
	r.pair = *h.Pair
	r.p = NewProcessor(r.pair)
	return r, nil
}

// IsRecording reports whether the file starts like a recording (so that
// `replay:FILE` can hand it to this replayer).
func IsRecording(path string) bool {
	r, err := OpenReplay(path)
	if err != nil {
		return false
	}
	r.Close()
	return true
}

// Pair is the pair the recording was made for.
func (r *Replayer) Pair() Pair { return r.pair }

// Endpoint is the endpoint of the current recorded connection.
func (r *Replayer) Endpoint() string { return r.ep }

// Close closes the file; safe to call twice.
func (r *Replayer) Close() error {
	if r.file == nil {
		return nil
	}
	if r.gz != nil {
		r.gz.Close()
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// Next returns the next delivered ledger, io.EOF at the end of the
// recording, or the first error (again on every later call).
func (r *Replayer) Next(ctx context.Context) (Delivered, error) {
	if r.err != nil {
		return Delivered{}, r.err
	}
	for {
		if err := ctx.Err(); err != nil {
			return Delivered{}, err
		}
		if !r.sc.Scan() {
			if err := r.sc.Err(); err != nil {
				r.err = fmt.Errorf("%s:%d: %w", r.path, r.line+1, err)
			} else {
				r.err = io.EOF
			}
			r.Close()
			return Delivered{}, r.err
		}
		r.line++
		d, ok, err := r.apply(r.sc.Bytes())
		if err != nil {
			r.err = fmt.Errorf("%s:%d: %w", r.path, r.line, err)
			r.Close()
			return Delivered{}, r.err
		}
		if ok {
			return d, nil
		}
	}
}

func (r *Replayer) apply(raw []byte) (Delivered, bool, error) {
	var l recLine
	if err := json.Unmarshal(raw, &l); err != nil {
		return Delivered{}, false, fmt.Errorf("not a recording line: %v", err)
	}
	msg := []byte(l.Msg)
	if len(msg) == 0 {
		msg = []byte(l.Text)
	}
	switch l.Ev {
	case "connect":
		r.ep = sanitize(l.Endpoint)
		r.p.Connected()
		r.pending = r.pending[:0]
	case "send":
		if err := r.p.Sent(bytes.Clone(msg)); err != nil {
			return Delivered{}, false, err
		}
	case "recv":
		u := r.p.Received(bytes.Clone(msg))
		r.pending = append(r.pending, u.Ledgers...)
	case "timeout":
		r.p.TimedOut(l.ID)
	case "state":
		st := parseState(l.State)
		if r.state == StateLive && st != StateLive {
			r.left++
		}
		r.state = st
	case "ledger":
		if len(r.pending) == 0 {
			return Delivered{}, false, fmt.Errorf("the recording delivered ledger %d but the replay computed none: recording and replay diverge", l.Ledger)
		}
		got := r.pending[0]
		r.pending = r.pending[1:]
		if got.Ledger.LedgerIndex != l.Ledger {
			return Delivered{}, false, fmt.Errorf("the recording delivered ledger %d, the replay computed %d: recording and replay diverge", l.Ledger, got.Ledger.LedgerIndex)
		}
		return Delivered{Result: got, State: parseState(l.State), Endpoint: r.ep, Interruptions: r.left}, true, nil
	case "close", "header", "end":
	default:
		return Delivered{}, false, fmt.Errorf("unknown event %q", sanitize(l.Ev))
	}
	return Delivered{}, false, nil
}

// endLedger returns the ledger of the recording's "end" line (0: none): the
// last one the recording session applied.
func endLedger(path string) (uint32, error) {
	r, err := OpenReplay(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var end uint32
	for r.sc.Scan() {
		b := r.sc.Bytes()
		if !bytes.Contains(b, []byte(`"ev":"end"`)) {
			continue
		}
		var l recLine
		if json.Unmarshal(b, &l) == nil && l.Ev == "end" {
			end = l.Ledger
		}
	}
	return end, nil
}
