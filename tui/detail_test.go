package tui

import (
	"strings"
	"testing"
)

// detailOn is the detail view of the fourth session of the history, as the
// goldens open it, at w×h.
func detailOn(t *testing.T, w, h int) *Model {
	t.Helper()
	m := historyOn(t, ThemeMono, w, h)
	press(t, m, "down", "down", "down", "enter")
	if m.view != viewDetail || m.detail.report == nil {
		t.Fatalf("view=%v report=%v: want the detail with its report", m.view, m.detail.report != nil)
	}
	return m
}

// From 150 columns the report stands beside the charts: every row of the
// charts, the titles too, keeps the report in its column (the drift
// chart's title row had the report's next row glued to the title).
func TestDetailReportColumnStaysInPlace(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{160, 48}, {200, 60}, {250, 70}} {
		m := detailOn(t, sz.w, sz.h)
		chartW := sz.w - clampInt(sz.w*2/5, 50, 100) - liveGap
		rows := strings.Split(plainView(m), "\n")
		for _, title := range []string{"VALUE vs HOLD", "DRIFT"} {
			found := false
			for _, row := range rows {
				if !strings.HasPrefix(row, title) {
					continue
				}
				found = true
				r := []rune(row)
				if gap := string(r[chartW : chartW+liveGap]); gap != "  " {
					t.Errorf("%dx%d: the %s title row runs into the report's column: %q", sz.w, sz.h, title, row)
				}
			}
			if !found {
				t.Errorf("%dx%d: no %s title row", sz.w, sz.h, title)
			}
		}
	}
}
