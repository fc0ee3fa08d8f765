package eval

import "math"

// Cutoff is the rank depth of every metric.
const Cutoff = 10

// NDCG is nDCG@Cutoff with binary gains.
func NDCG(ranked []string, relevant map[string]bool) float64 {
	var dcg, ideal float64
	for i, id := range ranked[:min(len(ranked), Cutoff)] {
		if relevant[id] {
			dcg += 1 / math.Log2(float64(i+2))
		}
	}
	for i := range min(len(relevant), Cutoff) {
		ideal += 1 / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// Recall is Recall@Cutoff.
func Recall(ranked []string, relevant map[string]bool) float64 {
	if len(relevant) == 0 {
		return 0
	}
	hit := 0
	for _, id := range ranked[:min(len(ranked), Cutoff)] {
		if relevant[id] {
			hit++
		}
	}
	return float64(hit) / float64(len(relevant))
}

// MRR is the reciprocal rank of the first relevant result within Cutoff.
func MRR(ranked []string, relevant map[string]bool) float64 {
	for i, id := range ranked[:min(len(ranked), Cutoff)] {
		if relevant[id] {
			return 1 / float64(i+1)
		}
	}
	return 0
}
