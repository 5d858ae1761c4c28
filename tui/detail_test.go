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

// The detail's drift chart gets the rows a chart needs to read (at 80x24
// it had two: +10.0% and -10.0%, the curve flattened between them), or it
// is one line: a sparkline of the session with its last value and range.
func TestDetailDriftChartReadsOrIsALine(t *testing.T) {
	for h := MinHeight; h <= 70; h++ {
		for summary := 1; summary <= 3; summary++ {
			if d := detailLayout(h, summary).driftH; d != 1 && d < minChartRows {
				t.Errorf("height %d, %d summary lines: a drift chart of %d rows", h, summary, d)
			}
		}
	}
	m := detailOn(t, 80, 24)
	rows := strings.Split(plainView(m), "\n")
	for i, r := range rows {
		if strings.HasPrefix(r, "DRIFT") {
			if next := rows[i+1]; !strings.HasPrefix(next, "trend ") || !strings.Contains(next, " last ") || !strings.Contains(next, " range ") {
				t.Errorf("80x24: the drift is not summed up in a line under its title: %q", next)
			}
			return
		}
	}
	t.Errorf("80x24: no drift title:\n%s", plainView(m))
}
