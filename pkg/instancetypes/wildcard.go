package instancetypes

// Wildcard reports whether s matches the EC2 filter pattern p: * matches any
// run of characters, ? any single character, and \ makes the next character
// literal. Matching is case-sensitive and works on runes.
func Wildcard(p, s string) bool {
	pr, sr := []rune(p), []rune(s)
	// Classic greedy matcher with one backtrack point for the last *.
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(sr) {
		if pi < len(pr) {
			switch c := pr[pi]; {
			case c == '*':
				starP, starS = pi, si
				pi++
				continue
			case c == '?':
				pi++
				si++
				continue
			case c == '\\' && pi+1 < len(pr):
				if pr[pi+1] == sr[si] {
					pi += 2
					si++
					continue
				}
			case c == sr[si]:
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(pr) && pr[pi] == '*' {
		pi++
	}
	return pi == len(pr)
}
