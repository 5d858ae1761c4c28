package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"neo/engine"
)

// bookView draws the book panel of s from src in w×h cells, as text.
func bookView(t *testing.T, s *engine.State, src bookSource, w, h int) []string {
	t.Helper()
	m, _ := liveOn(t, s, ThemeMono, 120, 40)
	b := newBlock(w)
	m.live.drawBook(b, h, src)
	lines := b.clip(h).lines
	for i, l := range lines {
		lines[i] = strings.TrimRight(ansi.Strip(l), " ")
	}
	return lines
}

// A real book: its levels best first around the mid, our quotes in place
// among them with what is left of them, the offers per level, the AMM's
// price and fee, the connection's state, ledger, age, round trip and
// reconnects; text from the feed sanitised.
func TestBookPanelOfARealBook(t *testing.T) {
	s := fakeState()
	src := bookSource{
		book: &engine.BookView{
			Bids: []engine.BookLevel{{Price: 2.3001, QtyXRP: 1200, Offers: 3}, {Price: 2.2990, QtyXRP: 5400.5, Offers: 7}, {Price: 2.2940, QtyXRP: 800, Offers: 1}},
			Asks: []engine.BookLevel{{Price: 2.3023, QtyXRP: 900, Offers: 2}, {Price: 2.3050, QtyXRP: 3100, Offers: 4}, {Price: 2.3100, QtyXRP: 10000, Offers: 9}},
		},
		ledger:    &engine.LedgerInfo{Index: 90000123, AMMTradingFee: 300},
		health:    &feedHealth{state: "DEGRADED\x1b[2J", ledger: 90000123, age: 2100 * time.Millisecond, rtt: 42 * time.Millisecond, reconnects: 3},
		remaining: map[string]float64{"o-1": 2.5},
	}
	lines := bookView(t, s, src, 60, 15)
	text := strings.Join(lines, "\n")
	order := []string{"2.310000", "▼ ours   2.306987", "2.305000", "2.302300", "─ mid 2.301234", "2.300100", "2.299000", "▲ ours   2.294521", "2.294000"}
	at := 0
	for _, want := range order {
		i := strings.Index(text[at:], want)
		if i < 0 {
			t.Fatalf("the ladder lacks %q after position %d (or has it out of order):\n%s", want, at, text)
		}
		at += i + len(want)
	}
	for _, want := range []string{"2.500000", "5,400.500000", "AMM 2.300080 · fee 0.300%", "DEGRADED · ledger #90000123 2.1s ago", "rtt 42 ms · reconnects 3", "10,000.000000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the panel lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\x1b") {
		t.Errorf("an escape from the feed reached the screen")
	}
	// Fewer rows: the facts go first, then the levels farthest from the
	// mid; the touch stays.
	short := strings.Join(bookView(t, s, src, 60, 7), "\n")
	for _, want := range []string{"2.302300", "─ mid", "2.300100"} {
		if !strings.Contains(short, want) {
			t.Errorf("a short panel lost the touch %q:\n%s", want, short)
		}
	}
	if strings.Contains(short, "2.310000") || strings.Contains(short, "AMM") {
		t.Errorf("a short panel kept a far level or the facts:\n%s", short)
	}
}

// The simulator's book: its best bid and ask without sizes, our quotes in
// place, and what it stands in for.
func TestBookPanelOfTheSimulator(t *testing.T) {
	text := strings.Join(bookView(t, fakeState(), bookSource{}, 60, 9), "\n")
	for _, want := range []string{"simulated: best bid and ask", "▼ ours   2.306987", "ask      2.302300                —", "─ mid 2.301234 · spread 9.6 bp ─",
		"bid      2.300100                —", "▲ ours   2.294521", "anchor 2.300080 (simulated AMM pool price)", "no connection, no ledger"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sim's book lacks %q:\n%s", want, text)
		}
	}
}

// Our quotes leave a short panel together: at every height the ladder
// shows our sell and our buy both or neither (at 100x30 it kept "▲ ours"
// and dropped "▼ ours"), and a row the pair frees goes back to the facts.
func TestBookPanelKeepsBothQuotesOrNeither(t *testing.T) {
	srcs := map[string]func() (*engine.State, bookSource){
		"sim": func() (*engine.State, bookSource) { return fakeState(), bookSource{} },
		"xrpl": func() (*engine.State, bookSource) {
			s := fakeXRPLState()
			return s, bookSource{book: s.Book, ledger: s.Ledger, health: &feedHealth{state: "LIVE"}, remaining: s.QuoteRemainingXRP}
		},
	}
	for name, mk := range srcs {
		for h := 5; h <= 24; h++ {
			s, src := mk()
			lines := bookView(t, s, src, 60, h)
			text := strings.Join(lines, "\n")
			sells, buys := strings.Count(text, "▼ ours"), strings.Count(text, "▲ ours")
			if sells != buys {
				t.Errorf("%s, %d rows: %d sell and %d buy quotes of ours:\n%s", name, h, sells, buys, text)
			}
			if lines[len(lines)-1] == "" && sells == 0 {
				t.Errorf("%s, %d rows: a row left blank the facts could use:\n%s", name, h, text)
			}
		}
	}
}
