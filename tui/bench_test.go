package tui

import (
	"fmt"
	"testing"
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
