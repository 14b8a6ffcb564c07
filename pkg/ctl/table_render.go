package ctl

import (
	"math"
	"strings"
	"unicode/utf8"
)

// multiTable and section port awscli/table.py (MultiTable, Section).
type multiTable struct {
	sections []*section
	cur      *section
	width    int
}

type section struct {
	title   string
	headers []string
	rows    [][]string
	indent  int
	widths  []int
}

func (t *multiTable) newSection(title string, indent int) {
	t.cur = &section{title: title, indent: indent}
	t.sections = append(t.sections, t.cur)
}

func (s *section) addHeader(h []string) {
	s.updateWidths(h)
	s.headers = h
}

func (s *section) addRow(r []string) {
	s.rows = append(s.rows, r)
	s.updateWidths(r)
}

func (s *section) updateWidths(r []string) {
	if len(s.widths) == 0 {
		s.widths = make([]int, len(r))
	}
	for i, e := range r {
		if i < len(s.widths) && textLen(e) > s.widths[i] {
			s.widths[i] = textLen(e)
		}
	}
}

func textLen(s string) int { return utf8.RuneCountInString(s) }

func (s *section) columnWidths(padding, maxWidth int) []int {
	out := make([]int, len(s.widths))
	sum := 0
	for i, w := range s.widths {
		out[i] = w + padding
		sum += out[i]
	}
	if maxWidth <= 0 || sum == 0 {
		return out
	}
	scale := float64(maxWidth) / float64(sum)
	total := 0
	for i, w := range out {
		out[i] = int(math.RoundToEven(scale * float64(w)))
		total += out[i]
	}
	for off := total - maxWidth; off != 0; {
		for k := range out {
			i := k
			if off < 0 {
				i = len(out) - 1 - k
			}
			if off > 0 {
				out[i]--
				off--
			} else {
				out[i]++
				off++
			}
			if off == 0 {
				break
			}
		}
	}
	return out
}

func (s *section) totalWidth() int {
	total := 2 + 2*s.indent
	for _, w := range s.columnWidths(0, 0) {
		total += w + 4
	}
	return max(textLen(s.title)+2+2*s.indent, total)
}

func (t *multiTable) maxWidth() int {
	w := 0
	for _, s := range t.sections {
		w = max(w, s.totalWidth())
	}
	return w
}

func (t *multiTable) render() string {
	width := t.maxWidth()
	if width > t.width {
		t.verticalize()
		width = t.maxWidth()
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("-", width) + "\n")
	for _, s := range t.sections {
		s.render(&b, width)
	}
	return b.String()
}

// verticalize turns single-row sections into key/value rows when the
// table is too wide for the terminal (convert_to_vertical_table).
func (t *multiTable) verticalize() {
	for i, s := range t.sections {
		if len(s.rows) != 1 || len(s.headers) == 0 {
			continue
		}
		n := &section{title: s.title, indent: s.indent}
		for j, h := range s.headers {
			n.addRow([]string{h, s.rows[0][j]})
		}
		t.sections[i] = n
	}
}

func (s *section) render(b *strings.Builder, width int) {
	pre, post := strings.Repeat("|", s.indent), strings.Repeat("|", s.indent)
	line := func(text string) { b.WriteString(pre + text + post + "\n") }
	width -= 2 * s.indent
	if s.title != "" {
		line(centerText(s.title, width, "|", "|"))
		if len(s.headers) == 0 && len(s.rows) == 0 {
			line("+" + strings.Repeat("-", width-2) + "+")
		}
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, width)
		line(lineBreak(widths))
		var cur strings.Builder
		for i, h := range s.headers {
			cur.WriteString(centerText(h, widths[i], edge(i), "|"))
		}
		line(cur.String())
	}
	if len(s.rows) == 0 {
		return
	}
	widths := s.columnWidths(4, width)
	line(lineBreak(widths))
	for _, r := range s.rows {
		var cur strings.Builder
		for i, e := range r {
			if i < len(widths) {
				cur.WriteString(alignLeft(e, widths[i], edge(i), "|"))
			}
		}
		line(cur.String())
	}
	line(lineBreak(widths))
}

func edge(i int) string {
	if i == 0 {
		return "|"
	}
	return ""
}

func lineBreak(widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + strings.Repeat("-", max(w-2, 0)) + "+")
		} else {
			b.WriteString(strings.Repeat("-", max(w-1, 0)) + "+")
		}
	}
	return b.String()
}

func centerText(text string, length int, left, right string) string {
	n := textLen(text)
	start := length/2 - n/2 - 1
	start = max(start, 0)
	so := len(left) + start + n
	rs := max(length-len(right)-so, 0)
	return left + strings.Repeat(" ", start) + text + strings.Repeat(" ", rs) + right
}

func alignLeft(text string, length int, left, right string) string {
	n := textLen(text)
	pad := 2
	if length-(n+pad+len(left)+len(right)) < 0 {
		pad = 0
	}
	so := len(left) + pad + n
	return left + strings.Repeat(" ", pad) + text + strings.Repeat(" ", max(length-so-len(right), 0)) + right
}
