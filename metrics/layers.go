package metrics

// layers returns each pipeline layer's share of rows and accuracy, in
// order of first appearance, or nil when no row names a layer. Rows with
// an empty layer (often failed rows) appear as the layer "".
func (v *viewContext) layers() []LayerMetrics {
	type counts struct{ rows, correct int }
	var order []string
	byLayer := map[string]*counts{}
	named := false
	total := 0
	v.eachRow(func(_ int32, r *scoredRow) {
		name := r.res.Layer
		named = named || name != ""
		c, ok := byLayer[name]
		if !ok {
			c = &counts{}
			byLayer[name] = c
			order = append(order, name)
		}
		c.rows++
		c.correct += b2i(r.has(flagCorrect))
		total++
	})
	if !named {
		return nil
	}

	conf := v.s.opts.Confidence
	out := make([]LayerMetrics, 0, len(order))
	for _, name := range order {
		c := byLayer[name]
		out = append(out, LayerMetrics{
			Layer:    name,
			Share:    Proportion(c.rows, total, conf),
			Accuracy: Proportion(c.correct, c.rows, conf),
		})
	}
	return out
}
