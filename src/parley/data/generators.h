// Synthetic data sets with known ground truth, for tests and for scale. Every generator draws
// all its randomness from the Rng it is given, so the same seed gives byte-identical data
// (with the same build and math library). Each generator advances the Rng; pass a Fork() to
// keep other streams unaffected. Generators are pure functions of their arguments and may
// run concurrently on different Rngs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "parley/core/rng.h"
#include "parley/data/dataset.h"

namespace parley {

// A Gaussian mixture for K-means: k centres spread over the box [0, separation)^dim (best of
// 10 uniform candidates each, so centres keep apart), then `rows` points, each from a
// uniformly chosen centre plus N(0, spread^2) noise per coordinate. kDense; label = the true
// cluster id 0..k-1; true_centres = the k centres (k * dim, row-major). The ratio
// separation / spread sets how hard the clusters are to tell apart.
// REQUIRES: dim >= 1, k >= 1, spread >= 0, separation >= 0.
Dataset GenerateMixture(size_t rows, size_t dim, int k, double spread, double separation, Rng& rng);

// Sparse binary classification shaped like text: feature frequencies follow a power law
// (Zipf, exponent 1.1, frequent features scattered over the index range), rows have a
// log-normal number of distinct non-zeros with mean about nnz_per_row, values are
// tf-idf-like (rare features weigh more) and positive, and each row has unit L2 norm.
// Labels are -1/+1: the sign of <w*, x> for a random w* (Gaussian, scaled by the square root
// of each feature's document frequency so that frequent features carry the signal) made
// orthogonal to the mean row (so classes are about balanced and need no bias), each flipped
// with probability label_noise. A linear model learns the clean labels well from a few
// thousand rows (about 85% test accuracy with 3000 rows x 2000 features x 20 non-zeros). kSparse with num_features = features. Fast: 500k rows x 50k features in a
// few seconds.
// REQUIRES: features >= 1, nnz_per_row >= 1, 0 <= label_noise <= 1.
Dataset GenerateSparseBinary(size_t rows, uint32_t features, double nnz_per_row, double label_noise,
                             Rng& rng);

// Low-rank ratings: rating(u, i) = 3.5 + b_u + b_i + <p_u, q_i> + noise * N(0, 1), clipped to
// [1, 5], with rank-`rank` factors and biases drawn once. Users and items are picked with
// power-law popularity (Zipf, exponent 0.6, popular ids scattered); no (user, item) pair
// repeats. kRatings with num_users = users and num_items = items (some may have no rating).
// At most users * items ratings are made; when the request fills more than a third of all
// pairs, pairs are drawn uniformly instead (popularity is then flat).
// REQUIRES: users >= 1, items >= 1, rank >= 1, noise >= 0.
Dataset GenerateRatings(uint32_t users, uint32_t items, int rank, size_t ratings, double noise,
                        Rng& rng);

}  // namespace parley
