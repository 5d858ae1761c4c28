package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
)

// Damage kinds of the corruption case.
const (
	damageStructural = iota // random bytes in b-tree page headers or the file header
	damageZeroPages         // whole pages zeroed
	damageTruncate          // the file cut short
	damageTornWAL           // a torn page image inside the WAL, then the WAL cut mid-frame
	damageKinds
)

var damageNames = []string{"structural bytes", "zeroed pages", "truncation", "torn WAL"}

// pageSize reads the page size from a database header.
func pageSize(hdr []byte) (int, error) {
	if len(hdr) < 100 || string(hdr[:16]) != "SQLite format 3\x00" {
		return 0, errors.New("not an SQLite database header")
	}
	ps := int(binary.BigEndian.Uint16(hdr[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return 0, fmt.Errorf("page size %d", ps)
	}
	return ps, nil
}

// btreePages lists the pages of b whose header says b-tree page (interior
// or leaf, table or index); offsets are of each page's b-tree header.
func btreePages(b []byte, ps int) []int {
	var out []int
	for p := 0; (p+1)*ps <= len(b); p++ {
		h := p * ps
		if p == 0 {
			h = 100
		}
		switch b[h] {
		case 2, 5, 10, 13:
			out = append(out, h)
		}
	}
	return out
}

// damageDB applies one damage of the given kind to the bytes of a database
// file and returns the new bytes and a description.
func damageDB(b []byte, kind int, rng *rand.Rand) ([]byte, string, error) {
	ps, err := pageSize(b)
	if err != nil {
		return nil, "", err
	}
	pages := len(b) / ps
	switch kind {
	case damageStructural:
		out := append([]byte(nil), b...)
		if rng.IntN(5) == 0 {
			off := 16 + rng.IntN(8) // page size, format versions, reserved space, payload fractions
			out[off] ^= byte(1 + rng.IntN(255))
			return out, fmt.Sprintf("file header byte %d flipped", off), nil
		}
		hdrs := btreePages(b, ps)
		if len(hdrs) == 0 {
			return nil, "", errors.New("no b-tree page found")
		}
		h := hdrs[rng.IntN(len(hdrs))]
		n := 1 + rng.IntN(6)
		for i := 0; i < n; i++ {
			out[h+rng.IntN(12)] = byte(rng.IntN(256))
		}
		return out, fmt.Sprintf("%d random bytes in the b-tree header of page %d", n, h/ps+1), nil
	case damageZeroPages:
		out := append([]byte(nil), b...)
		n := 1 + rng.IntN(3)
		var which []int
		for i := 0; i < n; i++ {
			p := rng.IntN(pages)
			which = append(which, p+1)
			clear(out[p*ps : (p+1)*ps])
		}
		return out, fmt.Sprintf("pages %v of %d zeroed", which, pages), nil
	case damageTruncate:
		n := 1 + rng.IntN(len(b)-1)
		if rng.IntN(2) == 0 && pages > 1 {
			n = ps * (1 + rng.IntN(pages-1)) // whole pages cut off
		}
		return append([]byte(nil), b[:n]...), fmt.Sprintf("cut from %d to %d bytes", len(b), n), nil
	}
	return nil, "", fmt.Errorf("damage kind %d is not for a database file", kind)
}

// walFrame is one frame of a WAL file.
type walFrame struct {
	off    int // offset of the frame header
	page   uint32
	commit uint32
}

// walChecksum is SQLite's WAL checksum: pairs of 32-bit words in the
// byte order the magic number names, summed Fibonacci style.
func walChecksum(bigEndian bool, s0, s1 uint32, data []byte) (uint32, uint32) {
	order := binary.ByteOrder(binary.LittleEndian)
	if bigEndian {
		order = binary.BigEndian
	}
	for i := 0; i+8 <= len(data); i += 8 {
		s0 += order.Uint32(data[i:]) + s1
		s1 += order.Uint32(data[i+4:]) + s0
	}
	return s0, s1
}

// parseWAL returns the valid frames of a WAL (those whose salts and
// checksum chain hold) and the index of the last commit frame (-1 if none).
func parseWAL(w []byte) (frames []walFrame, lastCommit int, bigEndian bool, ps int, err error) {
	lastCommit = -1
	if len(w) < 32 {
		return nil, -1, false, 0, errors.New("WAL shorter than its header")
	}
	magic := binary.BigEndian.Uint32(w[0:])
	if magic&^1 != 0x377f0682 {
		return nil, -1, false, 0, fmt.Errorf("WAL magic %#x", magic)
	}
	bigEndian = magic&1 == 1
	ps = int(binary.BigEndian.Uint32(w[8:]))
	salt1, salt2 := binary.BigEndian.Uint32(w[16:]), binary.BigEndian.Uint32(w[20:])
	s0, s1 := walChecksum(bigEndian, 0, 0, w[:24])
	if s0 != binary.BigEndian.Uint32(w[24:]) || s1 != binary.BigEndian.Uint32(w[28:]) {
		return nil, -1, bigEndian, ps, errors.New("WAL header checksum does not hold")
	}
	for off := 32; off+24+ps <= len(w); off += 24 + ps {
		fh := w[off : off+24]
		if binary.BigEndian.Uint32(fh[8:]) != salt1 || binary.BigEndian.Uint32(fh[12:]) != salt2 {
			break
		}
		s0, s1 = walChecksum(bigEndian, s0, s1, fh[:8])
		s0, s1 = walChecksum(bigEndian, s0, s1, w[off+24:off+24+ps])
		if s0 != binary.BigEndian.Uint32(fh[16:]) || s1 != binary.BigEndian.Uint32(fh[20:]) {
			break
		}
		f := walFrame{off: off, page: binary.BigEndian.Uint32(fh[0:]), commit: binary.BigEndian.Uint32(fh[4:])}
		frames = append(frames, f)
		if f.commit != 0 {
			lastCommit = len(frames) - 1
		}
	}
	return frames, lastCommit, bigEndian, ps, nil
}

// resealWAL recomputes the checksum chain of the frames from index from on.
func resealWAL(w []byte, frames []walFrame, from int, bigEndian bool, ps int) {
	s0, s1 := walChecksum(bigEndian, 0, 0, w[:24])
	for i, f := range frames {
		fh := w[f.off : f.off+24]
		if i < from {
			s0, s1 = binary.BigEndian.Uint32(fh[16:]), binary.BigEndian.Uint32(fh[20:])
			continue
		}
		s0, s1 = walChecksum(bigEndian, s0, s1, fh[:8])
		s0, s1 = walChecksum(bigEndian, s0, s1, w[f.off+24:f.off+24+ps])
		binary.BigEndian.PutUint32(fh[16:], s0)
		binary.BigEndian.PutUint32(fh[20:], s1)
	}
}

// tearWAL tears the image of a page inside a committed WAL frame (the last
// version of its page, so that a reader sees it), keeps the checksum chain
// valid so that SQLite accepts the frame, and cuts the WAL in the middle of
// a later frame, as a crash during a write would.
func tearWAL(w []byte, rng *rand.Rand) ([]byte, string, error) {
	frames, lastCommit, be, ps, err := parseWAL(w)
	if err != nil {
		return nil, "", err
	}
	if lastCommit < 0 {
		return nil, "", errors.New("the WAL holds no committed frame")
	}
	latest := map[uint32]int{}
	for i := 0; i <= lastCommit; i++ {
		latest[frames[i].page] = i
	}
	var cands []int
	for _, i := range latest {
		cands = append(cands, i)
	}
	if len(cands) == 0 {
		return nil, "", errors.New("no frame to tear")
	}
	i := cands[rng.IntN(len(cands))]
	out := append([]byte(nil), w...)
	img := out[frames[i].off+24 : frames[i].off+24+ps]
	desc := ""
	cut := ps/2 + 512*rng.IntN(ps/1024)
	if frames[i].page == 1 || rng.IntN(2) == 0 {
		h := 0
		if frames[i].page == 1 {
			h = 100
		}
		for k := 0; k < 4; k++ {
			img[h+rng.IntN(12)] = byte(rng.IntN(256))
		}
		desc = fmt.Sprintf("b-tree header of page %d torn in WAL frame %d of %d", frames[i].page, i+1, len(frames))
	} else {
		for k := cut; k < ps; k++ {
			img[k] = byte(rng.IntN(256))
		}
		desc = fmt.Sprintf("page %d torn at byte %d in WAL frame %d of %d", frames[i].page, cut, i+1, len(frames))
	}
	resealWAL(out, frames, i, be, ps)
	var end int
	if lastCommit+1 < len(frames) {
		end = frames[lastCommit+1].off + 24 + rng.IntN(ps)
	} else {
		end = frames[lastCommit].off + 24 + ps + rng.IntN(24+ps) // a partial frame past the last commit
		if end > len(out) {
			end = len(out)
		}
	}
	return out[:end], desc + fmt.Sprintf(", WAL cut at byte %d", end), nil
}

// writeDamaged writes bytes to path (mode 0600).
func writeDamaged(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
