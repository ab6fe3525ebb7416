// The Kronecker points file: the factors (u_i, v_i) and target y_i of every point, as text
// (docs/kron.md). A gzip-compressed file is read transparently.
//
//   # parley Kronecker points        <- lines starting with '#' are comments; blank lines skipped
//   kron 3 2                         <- header: the word "kron", then d1 and d2 (both >= 1)
//   0.5 1 0 -2 | 0.25 4              <- one point per line: y, the d1 values of u, a lone '|',
//   -1.25 0.5 0.5 0.5 | 1 -1            then the d2 values of v
//
// The point's input is x = u (x) v (d = d1 * d2 values, x[a * d2 + b] = u[a] * v[b]). Numbers
// are decimal, separated by spaces or tabs, read as float64 (a leading '+' is allowed).
// The header is the first line that is neither blank nor a comment; a comment may also follow
// the header. A spec may carry the prefix "kron:" ("kron:data/points.txt").
#pragma once

#include <string>

#include "parley/core/status.h"
#include "parley/kron/kron_data.h"

namespace parley {

// Reads a Kronecker points file ("[kron:]path").
// Errors (InvalidArgument, "<path>:<line>: <reason>"): a missing or malformed header, a line
// with the wrong number of u or v values or without the '|', a value that is not a number,
// NaN or Inf, a file without points; NotFound if the file does not exist.
StatusOr<KronData> ReadKron(const std::string& spec);

// As ReadKron, from text in memory; `name` is used in messages.
StatusOr<KronData> ParseKron(std::string_view text, const std::string& name);

// KronData::DenseView() for the dense models and `parley eval`, which hold floats.
// Errors: InvalidArgument naming the point when one of its values u_a * v_b, or its target,
// is beyond the range of a float (it would be Inf).
StatusOr<Dataset> KronDenseView(const KronData& data);

// ReadKron, then KronDenseView: the points as a kDense Dataset for the dense models.
StatusOr<Dataset> ReadKronDenseView(const std::string& spec);

// Whether `spec` names an existing file whose header line is a "kron" header (or carries the
// "kron:" prefix). Reads at most the first 64 KiB; any read error counts as false.
bool IsKronFile(const std::string& spec);

// Writes `data` in the format above, every number in the shortest form that reads back to
// the same double, atomically (path.tmp then rename).
// Errors: InvalidArgument if CheckKronData fails or the file cannot be written.
Status WriteKron(const KronData& data, const std::string& path);

}  // namespace parley
