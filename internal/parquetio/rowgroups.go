// Package parquetio holds Parquet reading code shared by the dataset and
// run-store packages.
package parquetio

import (
	"errors"
	"runtime"
	"sync"

	"github.com/parquet-go/parquet-go"
)

// ReadRowGroups decodes every row group of a file into one preallocated
// slice, in file order. Row groups are decoded in parallel, GOMAXPROCS at
// a time, each by decode into its own part of the slice.
func ReadRowGroups[T any](groups []parquet.RowGroup, decode func(parquet.RowGroup, []T) error) ([]T, error) {
	starts := make([]int, len(groups)+1)
	for i, rg := range groups {
		starts[i+1] = starts[i] + int(rg.NumRows())
	}
	out := make([]T, starts[len(groups)])

	next := make(chan int, len(groups))
	for i := range groups {
		next <- i
	}
	close(next)
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(groups)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = decode(groups[i], out[starts[i]:starts[i+1]])
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
