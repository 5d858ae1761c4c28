package xrpl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The message shapes below follow the XRPL WebSocket API as documented at
// https://xrpl.org/docs/references/http-websocket-apis/ (response-formatting,
// error-formatting, subscribe, book_offers, amm_info, account_info,
// server_info). Unknown fields are ignored; missing optional fields stay
// zero.

// MsgKind says what a message from the server is.
type MsgKind int

// Kinds of server messages.
const (
	KindOther        MsgKind = iota // a stream this feed does not use
	KindResponse                    // the answer to a request (has id)
	KindLedgerClosed                // ledger stream: a new validated ledger
	KindTransaction                 // transaction from the books or accounts subscription
)

// rippleEpoch is 2000-01-01T00:00:00Z: ledger times count seconds from it
// ("seconds since the Ripple Epoch", https://xrpl.org/docs/references/protocol/data-types/basic-data-types#specifying-time).
const rippleEpoch = 946684800

// RippleTime converts seconds since the Ripple epoch to a time.
func RippleTime(sec uint32) time.Time { return time.Unix(rippleEpoch+int64(sec), 0).UTC() }

// Message is one decoded message from the server.
type Message struct {
	Kind   MsgKind
	ID     uint64 // request id echoed in a response; 0 when absent or not ours
	Status string // "success" or "error" on responses
	// Error is the error code of a failed request (e.g. "slowDown",
	// "tooBusy", "noNetwork", "actNotFound"); ErrorMessage its text.
	Error        string
	ErrorMessage string
	// Warning is "load" when the server says we are near its rate limit
	// (https://xrpl.org/docs/references/http-websocket-apis/api-conventions/rate-limiting).
	Warning string
	Result  json.RawMessage
	Ledger  *LedgerClosed
	Tx      *Tx
}

// LedgerClosed is a ledger stream message (also the ledger part of a
// subscribe response). Fees and reserves are in drops.
type LedgerClosed struct {
	LedgerIndex      uint32
	LedgerHash       string
	LedgerTime       uint32 // seconds since the Ripple epoch
	FeeBase          uint64
	ReserveBase      uint64
	ReserveInc       uint64
	TxnCount         int
	ValidatedLedgers string
}

// CloseTime is the ledger's close time.
func (l LedgerClosed) CloseTime() time.Time { return RippleTime(l.LedgerTime) }

// Tx is a validated transaction message with its metadata.
type Tx struct {
	Hash         string
	LedgerIndex  uint32
	Validated    bool
	EngineResult string
	Type         string // TransactionType
	Account      string
	OwnerFunds   string // tx_json.owner_funds, sent on order book streams
	Nodes        []Node
}

// NodeAction is what a transaction did to a ledger entry.
type NodeAction int

// Node actions of transaction metadata.
const (
	Created NodeAction = iota + 1
	Modified
	Deleted
)

// Node is one of a transaction's AffectedNodes. Final holds FinalFields (or
// NewFields for a created entry); Previous is nil when PreviousFields is
// absent, which for a deleted offer means it was cancelled or removed
// unfunded rather than consumed.
type Node struct {
	Action    NodeAction
	EntryType string
	Index     string
	Final     *Fields
	Previous  *Fields
}

// Fields are the ledger-entry fields this feed reads.
type Fields struct {
	Account       string          `json:"Account"`
	Sequence      uint32          `json:"Sequence"`
	Flags         uint32          `json:"Flags"`
	DomainID      string          `json:"DomainID"`   // Offer: of a permissioned DEX
	Expiration    uint32          `json:"Expiration"` // Offer: Ripple-epoch seconds, 0 = none
	TakerGets     json.RawMessage `json:"TakerGets"`
	TakerPays     json.RawMessage `json:"TakerPays"`
	BookDirectory string          `json:"BookDirectory"`
	Balance       json.RawMessage `json:"Balance"`
	HighLimit     json.RawMessage `json:"HighLimit"`
	LowLimit      json.RawMessage `json:"LowLimit"`
	TradingFee    *int64          `json:"TradingFee"`
	TransferRate  *uint64         `json:"TransferRate"`
	TickSize      *uint8          `json:"TickSize"`
}

// flexUint accepts a JSON number or a numeric string (ledger indexes are
// numbers in API v2 but strings in some older shapes).
type flexUint uint64

// UnmarshalJSON accepts 123, "123", null and the ledger shortcuts (0).
func (f *flexUint) UnmarshalJSON(b []byte) error {
	b = trimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		if s == "" || s == "validated" || s == "current" || s == "closed" {
			*f = 0
			return nil
		}
		b = []byte(s)
	}
	if bytes.Equal(b, []byte("null")) {
		*f = 0
		return nil
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("not an unsigned integer: %s", clip(string(b)))
	}
	*f = flexUint(v)
	return nil
}

// ledgerStream holds the fields of the ledger stream: a ledgerClosed
// message has them, and so does the subscribe result that starts the stream.
type ledgerStream struct {
	LedgerIndex      flexUint `json:"ledger_index"`
	LedgerHash       string   `json:"ledger_hash"`
	LedgerTime       flexUint `json:"ledger_time"`
	FeeBase          flexUint `json:"fee_base"`
	ReserveBase      flexUint `json:"reserve_base"`
	ReserveInc       flexUint `json:"reserve_inc"`
	ValidatedLedgers string   `json:"validated_ledgers"`
}

type envelope struct {
	ID           json.RawMessage `json:"id"`
	Type         string          `json:"type"`
	Status       string          `json:"status"`
	Error        string          `json:"error"`
	ErrorMessage string          `json:"error_message"`
	Warning      string          `json:"warning"`
	Result       json.RawMessage `json:"result"`

	// ledgerClosed
	ledgerStream
	TxnCount int `json:"txn_count"`

	// transaction
	// Decoded in the same pass as the envelope: one validation of the
	// input instead of one per nested document.
	Validated    bool      `json:"validated"`
	EngineResult string    `json:"engine_result"`
	Hash         string    `json:"hash"`
	TxJSON       *txBody   `json:"tx_json"`
	Transaction  *txBody   `json:"transaction"` // API v1 name
	Meta         *metaBody `json:"meta"`
	Metadata     *metaBody `json:"metadata"`
}

type txBody struct {
	TransactionType string `json:"TransactionType"`
	Account         string `json:"Account"`
	Hash            string `json:"hash"`
	OwnerFunds      string `json:"owner_funds"`
}

type rawNode struct {
	LedgerEntryType string  `json:"LedgerEntryType"`
	LedgerIndex     string  `json:"LedgerIndex"`
	FinalFields     *Fields `json:"FinalFields"`
	PreviousFields  *Fields `json:"PreviousFields"`
	NewFields       *Fields `json:"NewFields"`
}

type affected struct {
	CreatedNode  *rawNode `json:"CreatedNode"`
	ModifiedNode *rawNode `json:"ModifiedNode"`
	DeletedNode  *rawNode `json:"DeletedNode"`
}

type metaBody struct {
	AffectedNodes     []affected `json:"AffectedNodes"`
	TransactionResult string     `json:"TransactionResult"`
}

// Decode parses one WebSocket text message. It never panics on any input
// (FuzzDecode holds it to that) and returns an error for anything that is
// not a JSON object of a known shape.
func Decode(data []byte) (Message, error) {
	var env envelope
	if err := unmarshal(data, &env); err != nil {
		return Message{}, fmt.Errorf("decode message: %w", err)
	}
	m := Message{
		Status: env.Status, Error: env.Error, ErrorMessage: env.ErrorMessage,
		Warning: env.Warning, Result: env.Result,
	}
	if len(env.ID) > 0 {
		if id, err := strconv.ParseUint(string(trimSpace(env.ID)), 10, 64); err == nil {
			m.ID = id
		}
	}
	switch env.Type {
	case "response":
		m.Kind = KindResponse
	case "ledgerClosed":
		m.Kind = KindLedgerClosed
		if env.LedgerIndex == 0 {
			return Message{}, errors.New("decode ledgerClosed: no ledger_index")
		}
		m.Ledger = &LedgerClosed{
			LedgerIndex: uint32(env.LedgerIndex), LedgerHash: env.LedgerHash,
			LedgerTime: uint32(env.LedgerTime), FeeBase: uint64(env.FeeBase),
			ReserveBase: uint64(env.ReserveBase), ReserveInc: uint64(env.ReserveInc),
			TxnCount: env.TxnCount, ValidatedLedgers: env.ValidatedLedgers,
		}
	case "transaction":
		m.Kind = KindTransaction
		m.Tx = decodeTx(&env)
	default:
		if env.Status != "" || len(env.ID) > 0 {
			m.Kind = KindResponse // some servers omit "type" on responses
		}
	}
	return m, nil
}

func decodeTx(env *envelope) *Tx {
	tx := &Tx{
		Hash: env.Hash, LedgerIndex: uint32(env.LedgerIndex),
		Validated: env.Validated, EngineResult: env.EngineResult,
	}
	b := env.TxJSON
	if b == nil {
		b = env.Transaction // API v1 shape
	}
	if b != nil {
		tx.Type, tx.Account, tx.OwnerFunds = b.TransactionType, b.Account, b.OwnerFunds
		if tx.Hash == "" {
			tx.Hash = b.Hash
		}
	}
	mb := env.Meta
	if mb == nil {
		mb = env.Metadata
	}
	if mb == nil {
		return tx // unvalidated: no metadata; ignored later
	}
	if tx.EngineResult == "" {
		tx.EngineResult = mb.TransactionResult
	}
	tx.Nodes = make([]Node, 0, len(mb.AffectedNodes))
	for _, a := range mb.AffectedNodes {
		var n Node
		var r *rawNode
		switch {
		case a.CreatedNode != nil:
			n.Action, r = Created, a.CreatedNode
			n.Final = r.NewFields
		case a.ModifiedNode != nil:
			n.Action, r = Modified, a.ModifiedNode
			n.Final, n.Previous = r.FinalFields, r.PreviousFields
		case a.DeletedNode != nil:
			n.Action, r = Deleted, a.DeletedNode
			n.Final, n.Previous = r.FinalFields, r.PreviousFields
		default:
			continue
		}
		n.EntryType, n.Index = r.LedgerEntryType, r.LedgerIndex
		if n.Final == nil {
			n.Final = &Fields{}
		}
		tx.Nodes = append(tx.Nodes, n)
	}
	return tx
}

// BookOffer is an offer as listed by book_offers or a subscribe snapshot.
type BookOffer struct {
	Account         string          `json:"Account"`
	BookDirectory   string          `json:"BookDirectory"`
	Sequence        uint32          `json:"Sequence"`
	Flags           uint32          `json:"Flags"`
	DomainID        string          `json:"DomainID"`
	Expiration      uint32          `json:"Expiration"`
	TakerGets       json.RawMessage `json:"TakerGets"`
	TakerPays       json.RawMessage `json:"TakerPays"`
	Index           string          `json:"index"`
	OwnerFunds      string          `json:"owner_funds"`
	Quality         string          `json:"quality"`
	TakerGetsFunded json.RawMessage `json:"taker_gets_funded"`
	TakerPaysFunded json.RawMessage `json:"taker_pays_funded"`
}

// BookOffersResult is the result of book_offers. Marker is present when
// more pages follow; LedgerIndex is the validated ledger it was read from.
type BookOffersResult struct {
	LedgerIndex flexUint        `json:"ledger_index"`
	Offers      []BookOffer     `json:"offers"`
	Marker      json.RawMessage `json:"marker"`
	Validated   bool            `json:"validated"`
}

// SubscribeResult is the result of subscribe: the ledger stream's current
// ledger and, with snapshot:true, the book. With both:true rippled answers
// `bids` (the book as requested) and `asks` (the reverse book) instead of
// `offers` (rippled src/xrpld/rpc/handlers/Subscribe.cpp; the subscribe page
// of xrpl.org documents only `offers`). The labels are not trusted: each
// offer is classified by its TakerGets.
type SubscribeResult struct {
	ledgerStream
	Offers []BookOffer `json:"offers"`
	Bids   []BookOffer `json:"bids"`
	Asks   []BookOffer `json:"asks"`
}

// ServerInfoResult is the part of server_info this feed reads
// (https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/server-info-methods/server_info).
type ServerInfoResult struct {
	Info struct {
		ServerState     string  `json:"server_state"`
		LoadFactor      float64 `json:"load_factor"`
		CompleteLedgers string  `json:"complete_ledgers"`
		ValidatedLedger *struct {
			Age            float64 `json:"age"`
			Seq            uint32  `json:"seq"`
			BaseFeeXRP     float64 `json:"base_fee_xrp"`
			ReserveBaseXRP float64 `json:"reserve_base_xrp"`
			ReserveIncXRP  float64 `json:"reserve_inc_xrp"`
		} `json:"validated_ledger"`
	} `json:"info"`
}

// AccountInfoResult is the part of account_info this feed reads: the
// issuer's TransferRate (1e9 = no fee; 1002000000 = 0.2 %) and TickSize
// (https://xrpl.org/docs/references/protocol/ledger-data/ledger-entry-types/accountroot).
type AccountInfoResult struct {
	AccountData struct {
		Account      string `json:"Account"`
		TransferRate uint64 `json:"TransferRate"`
		TickSize     uint8  `json:"TickSize"`
	} `json:"account_data"`
	LedgerIndex flexUint `json:"ledger_index"`
}

// AMMInfoResult is the part of amm_info this feed reads. amount and amount2
// may come in either order ("This could be asset or asset2 from the
// request", https://xrpl.org/docs/references/http-websocket-apis/public-api-methods/path-and-order-book-methods/amm_info):
// they are classified by type like offers.
type AMMInfoResult struct {
	AMM struct {
		Account    string          `json:"account"`
		Amount     json.RawMessage `json:"amount"`
		Amount2    json.RawMessage `json:"amount2"`
		TradingFee int64           `json:"trading_fee"`
	} `json:"amm"`
	LedgerIndex flexUint `json:"ledger_index"`
}

// unmarshal is json.Unmarshal; one place to swap the decoder.
func unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
