package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"neo/engine"
)

// benchView times m.View() alone.
func benchView(b *testing.B, m *Model) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// liveAt is the live view of s at w×h.
func liveAt(b *testing.B, s *engine.State, w, h int) *Model {
	m, _ := MustLiveModel(b, s)
	resize(b, m, w, h)
	return m
}

// historyAt is the history view of n sessions at w×h, a page down.
func historyAt(b *testing.B, n, w, h int) *Model {
	m, _ := MustHistoryModel(b, n, w, h)
	press(b, m, "pgdown", "down")
	return m
}

func BenchmarkLiveView(b *testing.B) {
	benchView(b, liveAt(b, fakeState(), 160, 48))
}

func BenchmarkHistoryView(b *testing.B) {
	for _, n := range []int{1000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchView(b, historyAt(b, n, 160, 48)) })
	}
}

// BenchmarkLiveViewColour draws with a true-colour profile, as on a real
// terminal (tests otherwise run without one and draw no colour).
func BenchmarkLiveViewColour(b *testing.B) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(prev)
	benchView(b, liveAt(b, fakeState(), 160, 48))
}

// BenchmarkView200x60 draws the live and the history view on a large
// terminal (200×60), the size the golden tests also cover.
func BenchmarkView200x60(b *testing.B) {
	b.Run("live", func(b *testing.B) { benchView(b, liveAt(b, fakeState(), 200, 60)) })
	b.Run("live-xrpl", func(b *testing.B) { benchView(b, liveAt(b, fakeXRPLState(), 200, 60)) })
	b.Run("history", func(b *testing.B) { benchView(b, historyAt(b, 100_000, 200, 60)) })
}
