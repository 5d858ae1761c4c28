package xrpl

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
)

// Side is the side of a real offer from its owner's point of view: a Bid
// buys XRP (its TakerGets is the issued currency), an Ask sells XRP (its
// TakerGets is drops).
type Side int

// Book sides.
const (
	Bid Side = iota
	Ask
)

// String names the side ("bid", "ask").
func (s Side) String() string {
	if s == Bid {
		return "bid"
	}
	return "ask"
}

// Pair names the two assets of the book: XRP against one issued currency.
type Pair struct {
	Currency string // 3-letter code or 40-hex currency code
	Issuer   string
}

// Default pair: XRP against Ripple's RLUSD.
const (
	DefaultIssuer   = "rMxCKbEDwqr76QuheSUMdEGf4B9xJ8m5De"
	DefaultCurrency = "524C555344000000000000000000000000000000"
)

// DefaultPair is XRP/RLUSD.
var DefaultPair = Pair{Currency: DefaultCurrency, Issuer: DefaultIssuer}

func (p Pair) isOurs(a Amount) bool {
	return !a.XRP && a.Currency == p.Currency && a.Issuer == p.Issuer
}

// lsfHybrid is the Offer flag of a permissioned-DEX offer that is also in
// the open book (0x00040000, the Offer Flags table of
// https://xrpl.org/docs/references/protocol/ledger-data/ledger-entry-types/offer;
// not tfHybrid, the OfferCreate flag 0x00100000).
const lsfHybrid = 0x00040000

// inOpenBook reports whether an offer is in the open order book: one with
// a DomainID belongs to that permissioned DEX and is in the open book too
// only when it is hybrid (offer.md: DomainID, lsfHybrid; rippled
// CreateOffer::applyHybrid places a hybrid offer in both books).
func inOpenBook(domainID string, flags uint32) bool {
	return domainID == "" || flags&lsfHybrid != 0
}

// Offer is one real offer on the book, classified by the type of its
// TakerGets. Sizes are in drops of XRP on both sides (for a bid, the XRP it
// wants; for an ask, the XRP it sells), so that levels add up exactly.
type Offer struct {
	ID      string
	Account string
	Side    Side
	// Quality is TakerPays/TakerGets as the ledger orders it (per drop for
	// XRP), normalised to 16 digits: the price level.
	Quality     Decimal
	SizeDrops   int64 // remaining XRP leg
	FundedDrops int64 // the part the owner can pay for (<= SizeDrops)
	Seq         uint64
	// Expiration is the time after which the offer is considered
	// unfunded, in seconds since the Ripple epoch; 0 = none (offer.md).
	Expiration uint32
}

// Expired reports whether the offer has expired for a ledger built on one
// that closed at closeTime (Ripple-epoch seconds): rippled's hasExpired
// is parentCloseTime >= Expiration (src/libxrpl/ledger/View.cpp), and
// offers found expired are removed unfunded, but only when a transaction
// comes across them: until then the book still lists them (book_offers
// does not filter them).
func (o Offer) Expired(closeTime uint32) bool {
	return o.Expiration != 0 && o.Expiration <= closeTime
}

// Price is the offer's price in issued currency per XRP, exactly.
func (o Offer) Price() *big.Rat { return qualityPrice(o.Side, o.Quality) }

// qualityPrice turns a quality into a price per XRP: an ask's quality is
// currency per drop (× 1e6), a bid's is drops per unit of currency (1e6 / q).
func qualityPrice(side Side, q Decimal) *big.Rat {
	r := q.Rat()
	if side == Ask {
		return r.Mul(r, big.NewRat(DropsPerXRP, 1))
	}
	if r.Sign() == 0 {
		return r
	}
	return r.Inv(r).Mul(r, big.NewRat(DropsPerXRP, 1))
}

// normalize scales d so that its mantissa has 16 digits, as the ledger's
// qualities do; two normalised positive decimals compare by (exponent,
// mantissa) without big arithmetic.
func normalize(d Decimal) Decimal {
	if d.Mantissa <= 0 {
		return d
	}
	for d.Mantissa < 1e15 {
		d.Mantissa *= 10
		d.Exponent--
	}
	for d.Mantissa >= 1e16 {
		d.Mantissa /= 10 // from ratios: truncation as the ledger does; from a rounding carry: exact
		d.Exponent++
	}
	return d
}

// cmpQuality compares two normalised positive qualities.
func cmpQuality(a, b Decimal) int {
	switch {
	case a.Exponent != b.Exponent:
		if a.Exponent < b.Exponent {
			return -1
		}
		return 1
	case a.Mantissa < b.Mantissa:
		return -1
	case a.Mantissa > b.Mantissa:
		return 1
	}
	return 0
}

// roundQualityUp rounds a normalised positive quality up to sig
// significant digits, as rippled's Quality::round does with the 16-digit
// mantissa of a quality (src/libxrpl/protocol/Quality.cpp: mantissa +=
// mod-1; mantissa -= mantissa % mod, mod = 10^(16-sig)). sig outside 1..15
// leaves q as it is (16 digits is rippled's maxTickSize: no rounding).
func roundQualityUp(q Decimal, sig int) Decimal {
	if sig <= 0 || sig >= maxIOUDigits || q.Mantissa <= 0 {
		return q
	}
	q = normalize(q)
	mod := int64(1)
	for range maxIOUDigits - sig {
		mod *= 10
	}
	m := q.Mantissa + mod - 1
	q.Mantissa = m - m%mod
	return normalize(q) // 9999… rounds up to 10^16: one digit more, exact
}

// ratQuality truncates a positive rational to a normalised 16-digit quality.
func ratQuality(r *big.Rat) Decimal {
	t := TruncateSig(r, maxIOUDigits)
	// t = m × 10^e exactly; recover m and e.
	num, den := new(big.Int).Set(t.Num()), new(big.Int).Set(t.Denom())
	e := int32(0)
	ten := big.NewInt(10)
	for den.Cmp(big.NewInt(1)) != 0 {
		num.Mul(num, ten)
		q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
		e--
		if rem.Sign() == 0 {
			num, den = q, big.NewInt(1)
		}
	}
	for num.BitLen() > 62 {
		num.Quo(num, ten)
		e++
	}
	return normalize(Decimal{Mantissa: num.Int64(), Exponent: e})
}

// Execution is one real trade seen in a validated ledger: an offer consumed
// (fully or partly) or an AMM swap. Side is the TAKER's side: a taker Sell
// consumed a bid (or sold XRP into the AMM).
type Execution struct {
	Source   string // "offer" or "amm"
	OfferID  string // the consumed offer, for Source "offer"
	Side     Side   // taker side: Bid = taker bought XRP, Ask = taker sold XRP
	Quality  Decimal
	XRPDrops int64
	Price    *big.Rat // issued currency per XRP, from the amounts exchanged
	TxHash   string
}

// Book is the XRP/issued order book of one pair, kept from a snapshot plus
// validated transaction metadata. It is not safe for concurrent use.
type Book struct {
	pair    Pair
	offers  map[string]*Offer
	nextSeq uint64
}

// NewBook returns an empty book for the pair.
func NewBook(p Pair) *Book { return &Book{pair: p, offers: make(map[string]*Offer)} }

// Len returns the number of offers held.
func (b *Book) Len() int { return len(b.offers) }

// Reset replaces the book with a snapshot (subscribe or book_offers pages,
// in the server's order, which is book order: better quality first, oldest
// first within a quality). Offers of other books are skipped; so are
// malformed ones, counted in the returned number.
func (b *Book) Reset(pages ...[]BookOffer) (skipped int) {
	clear(b.offers)
	for _, page := range pages {
		skipped += b.Add(page)
	}
	return skipped
}

// Add appends snapshot offers (a further book_offers page) to the book.
func (b *Book) Add(offers []BookOffer) (skipped int) {
	for i := range offers {
		o, ok := b.fromSnapshot(&offers[i])
		if !ok {
			skipped++
			continue
		}
		if o == nil {
			continue // another book
		}
		b.insert(o)
	}
	return skipped
}

func (b *Book) insert(o *Offer) {
	if old, ok := b.offers[o.ID]; ok {
		o.Seq = old.Seq // same offer seen again (pages overlap): keep its place
	} else {
		b.nextSeq++
		o.Seq = b.nextSeq
	}
	b.offers[o.ID] = o
}

// classify decides the side from the TYPES of TakerGets and TakerPays and
// returns the XRP leg in drops. ok is false for an offer of another book.
func (b *Book) classify(gets, pays Amount) (side Side, xrpDrops int64, ok bool) {
	switch {
	case gets.XRP && b.pair.isOurs(pays):
		return Ask, gets.Drops, true
	case b.pair.isOurs(gets) && pays.XRP:
		return Bid, pays.Drops, true
	}
	return 0, 0, false
}

// fromSnapshot builds an Offer; (nil, true) means another book.
func (b *Book) fromSnapshot(bo *BookOffer) (*Offer, bool) {
	gets, err1 := ParseAmount(bo.TakerGets)
	pays, err2 := ParseAmount(bo.TakerPays)
	if err1 != nil || err2 != nil || bo.Index == "" {
		return nil, false
	}
	side, size, ok := b.classify(gets, pays)
	if !ok || !inOpenBook(bo.DomainID, bo.Flags) {
		return nil, true
	}
	q, ok := offerQuality(bo.BookDirectory, bo.Quality, gets, pays)
	if !ok {
		return nil, false
	}
	funded := size
	// taker_gets_funded / taker_pays_funded appear only on partly funded
	// offers (book_offers page): the XRP leg of the funded part is the size.
	fundedLeg := bo.TakerGetsFunded
	if side == Bid {
		fundedLeg = bo.TakerPaysFunded
	}
	if len(fundedLeg) > 0 {
		if fa, err := ParseAmount(fundedLeg); err == nil && fa.XRP {
			funded = min(max(fa.Drops, 0), size)
		}
	}
	return &Offer{ID: bo.Index, Account: bo.Account, Side: side, Quality: q, SizeDrops: size, FundedDrops: funded, Expiration: bo.Expiration}, true
}

// offerQuality prefers the directory's quality (the ledger's own level key),
// then the `quality` field, then the ratio of the amounts.
func offerQuality(dir, quality string, gets, pays Amount) (Decimal, bool) {
	if q, ok := DirectoryQuality(dir); ok {
		return normalize(q), true
	}
	if quality != "" {
		if d, err := ParseDecimal(quality); err == nil && d.Sign() > 0 {
			return normalize(d), true
		}
		if r, ok := new(big.Rat).SetString(quality); ok && r.Sign() > 0 {
			return ratQuality(r), true
		}
	}
	g := gets.Rat()
	if g.Sign() <= 0 {
		return Decimal{}, false
	}
	r := pays.Rat()
	if r.Sign() <= 0 {
		return Decimal{}, false
	}
	return ratQuality(r.Quo(r, g)), true
}

// ApplyTx applies one validated transaction's metadata to the book and
// returns the offers of this book it consumed. The book stream carries only
// offer changes: CreatedNode adds an offer, ModifiedNode with PreviousFields
// is a partial consumption, DeletedNode with PreviousFields a consumption
// (then removal), DeletedNode without PreviousFields a cancel or an
// unfunded/expired removal
// (https://xrpl.org/docs/references/protocol/transactions/metadata).
func (b *Book) ApplyTx(tx *Tx) []Execution {
	var out []Execution
	for i := range tx.Nodes {
		n := &tx.Nodes[i]
		if n.EntryType != "Offer" || n.Index == "" {
			continue
		}
		gets, err1 := ParseAmount(n.Final.TakerGets)
		pays, err2 := ParseAmount(n.Final.TakerPays)
		if err1 != nil || err2 != nil {
			continue
		}
		side, size, ok := b.classify(gets, pays)
		if !ok || !inOpenBook(n.Final.DomainID, n.Final.Flags) {
			continue // another book, or a permissioned DEX's
		}
		switch n.Action {
		case Created:
			q, ok := offerQuality(n.Final.BookDirectory, "", gets, pays)
			if !ok {
				continue
			}
			funded := size
			if tx.OwnerFunds != "" && n.Final.Account == tx.Account {
				funded = min(size, fundedFromOwnerFunds(side, tx.OwnerFunds, gets, size))
			}
			b.insert(&Offer{ID: n.Index, Account: n.Final.Account, Side: side, Quality: q, SizeDrops: size, FundedDrops: funded, Expiration: n.Final.Expiration})
		case Modified, Deleted:
			if ex, ok := b.consumed(n, side, gets, pays, tx.Hash); ok {
				out = append(out, ex)
			}
			o := b.offers[n.Index]
			if n.Action == Deleted {
				delete(b.offers, n.Index)
				continue
			}
			if o == nil {
				q, ok := offerQuality(n.Final.BookDirectory, "", gets, pays)
				if !ok {
					continue
				}
				b.insert(&Offer{ID: n.Index, Account: n.Final.Account, Side: side, Quality: q, SizeDrops: size, FundedDrops: size, Expiration: n.Final.Expiration})
				continue
			}
			used := o.SizeDrops - size
			o.SizeDrops, o.Expiration = size, n.Final.Expiration
			o.FundedDrops = max(0, min(size, o.FundedDrops-max(used, 0)))
		}
	}
	return out
}

// consumed reads the consumption of a modified or deleted offer from its
// PreviousFields: the difference of the XRP legs and of the issued legs.
func (b *Book) consumed(n *Node, side Side, gets, pays Amount, hash string) (Execution, bool) {
	if n.Previous == nil || len(n.Previous.TakerGets) == 0 {
		return Execution{}, false
	}
	pg, err := ParseAmount(n.Previous.TakerGets)
	if err != nil {
		return Execution{}, false
	}
	pp := pays
	if len(n.Previous.TakerPays) > 0 {
		if pp, err = ParseAmount(n.Previous.TakerPays); err != nil {
			return Execution{}, false
		}
	}
	var xrp int64
	var iou *big.Rat
	if side == Ask {
		xrp = pg.Drops - gets.Drops
		iou = new(big.Rat).Sub(pp.Rat(), pays.Rat())
	} else {
		xrp = pp.Drops - pays.Drops
		iou = new(big.Rat).Sub(pg.Rat(), gets.Rat())
	}
	if xrp <= 0 || iou.Sign() <= 0 {
		return Execution{}, false
	}
	q := Decimal{}
	if o := b.offers[n.Index]; o != nil {
		q = o.Quality
	} else if qq, ok := offerQuality(n.Final.BookDirectory, "", pg, pp); ok {
		q = qq
	}
	price := iou.Mul(iou, big.NewRat(DropsPerXRP, xrp))
	taker := Ask // consuming a bid: the taker sold XRP
	if side == Ask {
		taker = Bid
	}
	return Execution{Source: "offer", OfferID: n.Index, Side: taker, Quality: q, XRPDrops: xrp, Price: price, TxHash: hash}, true
}

// fundedFromOwnerFunds converts owner_funds (in the TakerGets asset) into
// the funded XRP leg of a new offer.
func fundedFromOwnerFunds(side Side, ownerFunds string, gets Amount, size int64) int64 {
	if side == Ask {
		d, err := ParseDrops(ownerFunds)
		if err != nil {
			return size
		}
		return max(d, 0)
	}
	f, err := ParseDecimal(ownerFunds)
	if err != nil || gets.Value.Sign() <= 0 {
		return size
	}
	// funded XRP = size × min(1, funds / gets)
	if f.Cmp(gets.Value) >= 0 {
		return size
	}
	if f.Sign() <= 0 {
		return 0
	}
	r := f.Rat()
	r.Quo(r, gets.Value.Rat())
	r.Mul(r, new(big.Rat).SetInt64(size))
	return new(big.Int).Quo(r.Num(), r.Denom()).Int64()
}

// BookState is an immutable copy of one side-sorted book: offers best
// first, oldest first within a level.
type BookState struct {
	Bids, Asks []Offer
}

// Snapshot copies the book in book order.
func (b *Book) Snapshot() BookState {
	var s BookState
	for _, o := range b.offers {
		if o.Side == Bid {
			s.Bids = append(s.Bids, *o)
		} else {
			s.Asks = append(s.Asks, *o)
		}
	}
	sortOffers(s.Bids)
	sortOffers(s.Asks)
	return s
}

// sortOffers orders a side: lower quality first (better for the taker on
// both sides, since a bid's quality is drops per unit), then arrival.
func sortOffers(os []Offer) {
	sort.Slice(os, func(i, j int) bool {
		if c := cmpQuality(os[i].Quality, os[j].Quality); c != 0 {
			return c < 0
		}
		return os[i].Seq < os[j].Seq
	})
}

// At returns the book as a taker sees it in the ledger after one that
// closed at closeTime (Ripple-epoch seconds): offers past their
// Expiration count as unfunded (FundedDrops 0), so they are neither
// liquidity nor filled against. The state is not changed; without an
// expired offer it is returned as it is.
func (s BookState) At(closeTime uint32) BookState {
	return BookState{Bids: unexpired(s.Bids, closeTime), Asks: unexpired(s.Asks, closeTime)}
}

func unexpired(os []Offer, closeTime uint32) []Offer {
	i := slices.IndexFunc(os, func(o Offer) bool { return o.FundedDrops > 0 && o.Expired(closeTime) })
	if i < 0 {
		return os
	}
	out := slices.Clone(os)
	for j := i; j < len(out); j++ {
		if out[j].Expired(closeTime) {
			out[j].FundedDrops = 0
		}
	}
	return out
}

// Side returns the offers of one side.
func (s BookState) Side(side Side) []Offer {
	if side == Bid {
		return s.Bids
	}
	return s.Asks
}

// Level is one price level: the offers sharing a quality.
type Level struct {
	Quality     Decimal
	Price       *big.Rat // issued currency per XRP
	FundedDrops int64
	Offers      int
}

// Levels aggregates the first n funded levels of a side (n <= 0: all).
// Offers with nothing funded are left out: they cannot trade.
func (s BookState) Levels(side Side, n int) []Level {
	var out []Level
	for _, o := range s.Side(side) {
		if o.FundedDrops <= 0 {
			continue
		}
		if k := len(out); k > 0 && cmpQuality(out[k-1].Quality, o.Quality) == 0 {
			out[k-1].FundedDrops += o.FundedDrops
			out[k-1].Offers++
			continue
		}
		if n > 0 && len(out) == n {
			break
		}
		out = append(out, Level{Quality: o.Quality, Price: qualityPrice(side, o.Quality), FundedDrops: o.FundedDrops, Offers: 1})
	}
	return out
}

// String is for test failures.
func (o Offer) String() string {
	return fmt.Sprintf("%s %s q=%s size=%d funded=%d", o.Side, o.ID, o.Quality, o.SizeDrops, o.FundedDrops)
}
