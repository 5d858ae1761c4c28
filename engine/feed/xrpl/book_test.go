package xrpl

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/<name>.golden (-update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Fatalf("%s differs from %s:\n--- got\n%s--- want\n%s", t.Name(), path, got, want)
	}
}

func renderBook(s BookState) string {
	var b strings.Builder
	for _, side := range []Side{Ask, Bid} {
		for _, o := range s.Side(side) {
			fmt.Fprintf(&b, "%s %-8s price=%s size=%d funded=%d\n", side, strings.TrimRight(string(hexName(o.ID)), "\x00"), o.Price().FloatString(6), o.SizeDrops, o.FundedDrops)
		}
		for _, l := range s.Levels(side, 0) {
			fmt.Fprintf(&b, "%s level %s funded=%d offers=%d\n", side, l.Price.FloatString(6), l.FundedDrops, l.Offers)
		}
	}
	return b.String()
}

// hexName decodes an oid back to its short name.
func hexName(id string) []byte {
	var out []byte
	for i := 0; i+1 < len(id); i += 2 {
		var c byte
		fmt.Sscanf(id[i:i+2], "%02X", &c)
		out = append(out, c)
	}
	return out
}

// The snapshot of a subscribe with both:true, as rippled sends it: the book
// AS REQUESTED (taker_gets XRP: offers selling XRP, i.e. asks) under
// "bids", the reverse book under "asks". Classification by TakerGets must
// put each offer on its real side.
func mislabelledSnapshot(t *testing.T) SubscribeResult {
	asks := []offerSpec{
		{id: "A1", side: Ask, drops: 100_000_000, price: "2.5010"},
		{id: "A2", side: Ask, drops: 50_000_000, price: "2.5000"},
		{id: "A3", side: Ask, drops: 70_000_000, price: "2.5010", funded: 20_000_000},
	}
	bids := []offerSpec{
		{id: "B1", side: Bid, drops: 80_000_000, price: "2.4990"},
		{id: "B2", side: Bid, drops: 30_000_000, price: "2.4980", account: bob},
	}
	var res SubscribeResult
	for _, o := range asks {
		res.Bids = append(res.Bids, decodeOffer(t, o.bookOffer(t)))
	}
	for _, o := range bids {
		res.Asks = append(res.Asks, decodeOffer(t, o.bookOffer(t)))
	}
	// An offer of another book (XRP/USD) that must be ignored.
	other := offerSpec{id: "X1", side: Ask, drops: 1_000_000, price: "1"}.bookOffer(t)
	other["TakerPays"] = map[string]any{"currency": "USD", "issuer": issuer, "value": "1"}
	res.Bids = append(res.Bids, decodeOffer(t, other))
	return res
}

func decodeOffer(t *testing.T, m map[string]any) BookOffer {
	t.Helper()
	var o BookOffer
	if err := unmarshal(mustJSON(t, m), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestClassifyMislabelledSnapshot(t *testing.T) {
	b := NewBook(DefaultPair)
	snap := mislabelledSnapshot(t)
	if skipped := b.Reset(snap.Offers, snap.Bids, snap.Asks); skipped != 0 {
		t.Fatalf("skipped %d offers", skipped)
	}
	s := b.Snapshot()
	if got, want := len(s.Asks), 3; got != want {
		t.Fatalf("asks = %d, want %d (TakerGets drops = ask whatever the label)", got, want)
	}
	if got, want := len(s.Bids), 2; got != want {
		t.Fatalf("bids = %d, want %d", got, want)
	}
	bestAsk, bestBid := s.Levels(Ask, 1)[0], s.Levels(Bid, 1)[0]
	if got := bestAsk.Price.FloatString(4); got != "2.5000" {
		t.Fatalf("best ask = %s, want 2.5000", got)
	}
	if got := bestBid.Price.FloatString(4); got != "2.4990" {
		t.Fatalf("best bid = %s, want 2.4990", got)
	}
	if bestBid.Price.Cmp(bestAsk.Price) >= 0 {
		t.Fatal("book crossed: sides were classified by label")
	}
	// The partly funded offer counts only its funded part.
	lv := s.Levels(Ask, 0)
	if got, want := lv[1].FundedDrops, int64(120_000_000); got != want {
		t.Fatalf("level 2.501 funded = %d, want %d", got, want)
	}
}

// TestBookGolden: snapshot + a ledger of stream transactions → book state.
func TestBookGolden(t *testing.T) {
	b := NewBook(DefaultPair)
	snap := mislabelledSnapshot(t)
	b.Reset(snap.Bids, snap.Asks)
	a2 := offerSpec{id: "A2", side: Ask, drops: 50_000_000, price: "2.5000"}
	a1 := offerSpec{id: "A1", side: Ask, drops: 100_000_000, price: "2.5010"}
	b1 := offerSpec{id: "B1", side: Bid, drops: 80_000_000, price: "2.4990"}
	b2 := offerSpec{id: "B2", side: Bid, drops: 30_000_000, price: "2.4980", account: bob}
	msgs := [][]byte{
		// A taker buys 50 XRP from A2 (consumed) and 40 from A1 (partly).
		txMsg(t, 101, "T1", "Payment", consumedNode(t, a2, 0), consumedNode(t, a1, 60_000_000)),
		// A new bid joins B1's level, behind it; another at a new level.
		txMsg(t, 101, "T2", "OfferCreate", created(t, offerSpec{id: "B3", side: Bid, drops: 10_000_000, price: "2.4990", account: bob}),
			created(t, offerSpec{id: "B4", side: Bid, drops: 5_000_000, price: "2.4995"})),
		// B2 is cancelled: a DeletedNode without PreviousFields.
		txMsg(t, 101, "T3", "OfferCancel", cancelledNode(t, b2)),
		// A taker sells 20 XRP into B1.
		txMsg(t, 101, "T4", "OfferCreate", consumedNode(t, b1, 60_000_000)),
	}
	var execs []string
	for _, raw := range msgs {
		m, err := Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range b.ApplyTx(m.Tx) {
			execs = append(execs, fmt.Sprintf("exec %s taker=%s drops=%d price=%s", strings.TrimRight(string(hexName(ex.OfferID)), "\x00"), map[Side]string{Bid: "buy", Ask: "sell"}[ex.Side], ex.XRPDrops, ex.Price.FloatString(6)))
		}
	}
	golden(t, "book", renderBook(b.Snapshot())+strings.Join(execs, "\n")+"\n")
}

// TestPermissionedDEXOffersSkipped: an offer with a DomainID belongs to a
// permissioned DEX and is not in the open book unless it is hybrid
// (lsfHybrid 0x00040000), from a snapshot or from the stream.
func TestPermissionedDEXOffersSkipped(t *testing.T) {
	domain := strings.Repeat("D", 64)
	withDomain := func(m map[string]any, flags int) map[string]any {
		m["DomainID"], m["Flags"] = domain, flags
		return m
	}
	open := offerSpec{id: "A1", side: Ask, drops: 10_000_000, price: "2.5"}
	dom := offerSpec{id: "D1", side: Ask, drops: 20_000_000, price: "2.4"}
	hyb := offerSpec{id: "H1", side: Ask, drops: 30_000_000, price: "2.45"}
	b := NewBook(DefaultPair)
	b.Reset([]BookOffer{
		decodeOffer(t, open.bookOffer(t)),
		decodeOffer(t, withDomain(dom.bookOffer(t), 0)),
		decodeOffer(t, withDomain(hyb.bookOffer(t), 0x00040000|0x00020000)), // lsfHybrid + lsfSell (offer.md)
	})
	domBid := created(t, offerSpec{id: "D2", side: Bid, drops: 5_000_000, price: "2.6"})
	withDomain(domBid["CreatedNode"].(map[string]any)["NewFields"].(map[string]any), 0)
	hybBid := created(t, offerSpec{id: "H2", side: Bid, drops: 6_000_000, price: "2.3"})
	withDomain(hybBid["CreatedNode"].(map[string]any)["NewFields"].(map[string]any), 0x00040000)
	m, err := Decode(txMsg(t, 101, "T1", "OfferCreate", domBid, hybBid))
	if err != nil {
		t.Fatal(err)
	}
	b.ApplyTx(m.Tx)
	var got []string
	s := b.Snapshot()
	for _, side := range []Side{Ask, Bid} {
		for _, o := range s.Side(side) {
			got = append(got, strings.TrimRight(string(hexName(o.ID)), "\x00"))
		}
	}
	if strings.Join(got, " ") != "H1 A1 H2" {
		t.Fatalf("book holds %v, want H1 A1 H2 (the domain-only offers D1, D2 skipped)", got)
	}
}

// TestExpiredOffersAreNotLiquidity: Expiration is read from book_offers and
// from the stream; BookState.At leaves offers expired at that close time
// out of the levels, and the book itself unchanged.
func TestExpiredOffersAreNotLiquidity(t *testing.T) {
	const closeAt = 800_000_000
	a1 := offerSpec{id: "A1", side: Ask, drops: 10_000_000, price: "2.50"}
	a2 := offerSpec{id: "A2", side: Ask, drops: 20_000_000, price: "2.51"}
	snap := a1.bookOffer(t)
	snap["Expiration"] = closeAt
	b := NewBook(DefaultPair)
	b.Reset([]BookOffer{decodeOffer(t, snap), decodeOffer(t, a2.bookOffer(t))})
	bid := created(t, offerSpec{id: "B1", side: Bid, drops: 5_000_000, price: "2.49"})
	bid["CreatedNode"].(map[string]any)["NewFields"].(map[string]any)["Expiration"] = closeAt - 10
	m, err := Decode(txMsg(t, 101, "T1", "OfferCreate", bid))
	if err != nil {
		t.Fatal(err)
	}
	b.ApplyTx(m.Tx)
	s := b.Snapshot()
	levels := func(s BookState) string {
		var out []string
		for _, side := range []Side{Ask, Bid} {
			for _, l := range s.Levels(side, 0) {
				out = append(out, fmt.Sprintf("%s %s", side, l.Price.FloatString(2)))
			}
		}
		return strings.Join(out, ", ")
	}
	if got, want := levels(s.At(closeAt-11)), "ask 2.50, ask 2.51, bid 2.49"; got != want {
		t.Fatalf("before any expiry: %s, want %s", got, want)
	}
	if got, want := levels(s.At(closeAt)), "ask 2.51"; got != want {
		t.Fatalf("at %d: %s, want %s (A1 expires at it, B1 before it)", closeAt, got, want)
	}
	if got := levels(s); got != "ask 2.50, ask 2.51, bid 2.49" {
		t.Fatalf("At changed the state it was given: %s", got)
	}
}

// TestFeedEventLeavesExpiredOffersOut: the engine's book view and its
// bid/ask come from the offers still live at the ledger's close.
func TestFeedEventLeavesExpiredOffersOut(t *testing.T) {
	const closeAt = 800_000_000
	s := expiringState(t, map[string]uint32{"A1": closeAt},
		offerSpec{id: "A1", side: Ask, drops: 10_000_000, price: "2.50"},
		offerSpec{id: "A2", side: Ask, drops: 20_000_000, price: "2.51"},
		offerSpec{id: "B1", side: Bid, drops: 30_000_000, price: "2.49"})
	r := ledgerOf(10, s, s)
	r.Ledger.LedgerTime = closeAt
	ev, ok := (&Feed{}).event(Delivered{Result: *r, State: StateLive})
	if !ok {
		t.Fatal("no event")
	}
	if ev.Ask != 2.51 || len(ev.Book.Asks) != 1 {
		t.Fatalf("ask %v, book asks %+v: the offer expired at the close is still shown", ev.Ask, ev.Book.Asks)
	}
}
