package datasets

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// StratifyFields lists the fields Sample can stratify on.
var StratifyFields = []string{"grade", "category", "severity", "source"}

func stratumKey(field string) (func(*Incident) string, error) {
	switch field {
	case "":
		return func(*Incident) string { return "" }, nil
	case "grade":
		return func(in *Incident) string { return in.Label.Grade }, nil
	case "category":
		return func(in *Incident) string { return in.Category }, nil
	case "severity":
		return func(in *Incident) string { return in.Severity }, nil
	case "source":
		return func(in *Incident) string { return in.Source }, nil
	}
	return nil, fmt.Errorf("cannot stratify on %q; expected one of %s", field, strings.Join(StratifyFields, ", "))
}

// Sample draws n incidents without replacement, reproducibly for a seed,
// and returns them in their original order. With stratify set to a field
// of StratifyFields, each value of the field gets a share of n
// proportional to its size (largest remainders get the leftover places),
// so the sample keeps the set's mix. n larger than the set returns it all.
func Sample(incidents []Incident, n int, seed uint64, stratify string) ([]Incident, error) {
	if n < 0 {
		return nil, fmt.Errorf("sample size %d is negative", n)
	}
	key, err := stratumKey(stratify)
	if err != nil {
		return nil, err
	}
	n = min(n, len(incidents))

	strata := map[string][]int{}
	var order []string
	for i := range incidents {
		k := key(&incidents[i])
		if _, ok := strata[k]; !ok {
			order = append(order, k)
		}
		strata[k] = append(strata[k], i)
	}
	slices.Sort(order)

	quota := allocate(order, strata, n, len(incidents))
	rng := rand.New(rand.NewPCG(seed, 0x5a3b1e))
	var picked []int
	for _, k := range order {
		idx := strata[k]
		// Partial Fisher–Yates: the first quota[k] positions become a
		// uniform sample of the stratum.
		for i := range quota[k] {
			j := i + rng.IntN(len(idx)-i)
			idx[i], idx[j] = idx[j], idx[i]
		}
		picked = append(picked, idx[:quota[k]]...)
	}
	slices.Sort(picked)

	out := make([]Incident, len(picked))
	for i, p := range picked {
		out[i] = incidents[p]
	}
	return out, nil
}

// allocate splits n over strata in proportion to their sizes with the
// largest-remainder method; ties go to the larger stratum, then to the
// first key.
func allocate(order []string, strata map[string][]int, n, total int) map[string]int {
	quota := make(map[string]int, len(order))
	if total == 0 {
		return quota
	}
	type rem struct {
		key  string
		frac int
	}
	var rems []rem
	left := n
	for _, k := range order {
		exact := n * len(strata[k])
		quota[k] = exact / total
		left -= quota[k]
		rems = append(rems, rem{k, exact % total})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		return cmp.Or(cmp.Compare(b.frac, a.frac), cmp.Compare(len(strata[b.key]), len(strata[a.key])))
	})
	for i := 0; left > 0; i++ {
		quota[rems[i].key]++
		left--
	}
	return quota
}
