package tui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func BenchmarkLiveView(b *testing.B) {
	m, _ := MustLiveModel(b, fakeState())
	resize(b, m, 160, 48)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

func BenchmarkHistoryView(b *testing.B) {
	for _, n := range []int{1000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m, _ := MustHistoryModel(b, n, 160, 48)
			press(b, m, "pgdown", "down")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = m.View()
			}
		})
	}
}

// BenchmarkLiveViewColour draws with a true-colour profile, as on a real
// terminal (tests otherwise run without one and draw no colour).
func BenchmarkLiveViewColour(b *testing.B) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(prev)
	m, _ := MustLiveModel(b, fakeState())
	resize(b, m, 160, 48)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

// BenchmarkView200x60 draws the live and the history view on a large
// terminal (200×60), the size the golden tests also cover.
func BenchmarkView200x60(b *testing.B) {
	b.Run("live", func(b *testing.B) {
		m, _ := MustLiveModel(b, fakeState())
		resize(b, m, 200, 60)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = m.View()
		}
	})
	b.Run("live-xrpl", func(b *testing.B) {
		m, _ := MustLiveModel(b, fakeXRPLState())
		resize(b, m, 200, 60)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = m.View()
		}
	})
	b.Run("history", func(b *testing.B) {
		m, _ := MustHistoryModel(b, 100_000, 200, 60)
		press(b, m, "pgdown", "down")
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = m.View()
		}
	})
}
