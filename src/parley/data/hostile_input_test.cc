// Hostile input (issue 19): files whose headers, first lines or labels promise more than they
// hold. Each must end in an error naming the file and what was wrong, after allocating no more
// than the file holds. The classes tried are listed in docs/reliability.md.
#include <gtest/gtest.h>

#include <string>

#include "parley/data/csv_reader.h"
#include "parley/data/dataset.h"
#include "parley/data/file_io.h"
#include "parley/data/idx_reader.h"
#include "parley/data/libsvm_reader.h"
#include "parley/data/ratings_reader.h"
#include "parley/data/row_reader.h"
#include "parley/data/test_files.h"
#include "parley/models/model.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::PutU32;
using testing_files::ScratchDir;

std::string IdxHeader(uint32_t magic, std::initializer_list<uint32_t> dims) {
  std::string s;
  PutU32(s, magic);
  for (uint32_t d : dims) PutU32(s, d);
  return s;
}

// Reads every row of `spec` through RowReader (the reader each MPI rank streams with).
Status StreamAll(const std::string& spec) {
  IdMap users, items;
  StatusOr<std::unique_ptr<RowReader>> r = RowReader::Open(spec, users, items);
  if (!r.ok()) return r.status();
  const Dataset* row = nullptr;
  do {
    PARLEY_RETURN_IF_ERROR((*r)->Next(&row));
  } while (row != nullptr);
  return OkStatus();
}

// 4 x 2^31 x 2^31 = 2^64 bytes: in 64-bit arithmetic the product wraps to 0, which an empty
// data section matched; the stream reader then sized an image of 2^62 bytes.
TEST(HostileInput, IdxHeaderWhoseSizeWrapsIsTruncatedData) {
  ScratchDir dir;
  const std::string images = IdxHeader(0x803, {4, 1u << 31, 1u << 31});
  const std::string labels = IdxHeader(0x801, {4}) + std::string(4, '\1');
  for (bool gz : {false, true}) {
    SCOPED_TRACE(gz ? "gzip" : "plain");
    const std::string i = gz ? dir.WriteGz("w-images-idx3-ubyte.gz", images)
                             : dir.Write("w-images-idx3-ubyte", images);
    const std::string l = gz ? dir.WriteGz("w-labels-idx1-ubyte.gz", labels)
                             : dir.Write("w-labels-idx1-ubyte", labels);
    ExpectErrorWith(ReadIdx(i, l).status(),
                    {i, "byte 16: truncated data", "4 x 2147483648 x 2147483648",
                     "the file holds 0"});
    ExpectErrorWith(StreamAll(i), {i, "byte 16: truncated data", "4 x 2147483648 x 2147483648"});
  }
}

// One image of 65536 x 65536 pixels (4 GiB) promised, 10 bytes held.
TEST(HostileInput, IdxImagesLargerThanTheFileAreTruncatedData) {
  ScratchDir dir;
  const std::string i =
      dir.Write("b-images-idx3-ubyte", IdxHeader(0x803, {1, 65536, 65536}) + std::string(10, 'x'));
  dir.Write("b-labels-idx1-ubyte", IdxHeader(0x801, {1}) + std::string(1, '\0'));
  ExpectErrorWith(StreamAll(i), {i, "truncated data", "header promises 4294967296 data bytes",
                                 "the file holds 10"});
  ExpectErrorWith(ReadIdxFile(i, 3).status(), {i, "truncated data", "the file holds 10"});
}

TEST(HostileInput, IdxLabelsPromisingMoreThanHeldAreTruncatedData) {
  ScratchDir dir;
  const std::string l = dir.Write("l", IdxHeader(0x801, {0xffffffffu}) + "abc");
  ExpectErrorWith(ReadIdxFile(l, 1).status(),
                  {l, "byte 8: truncated data", "promises 4294967295 data bytes", "holds 3"});
}

// A wide first row followed by blank lines: the reservation was rows x width of the first row
// (here 10^5 x 100 floats, 40 MB, for a 100 KB file); now the text bounds it.
TEST(HostileInput, CsvReservationIsBoundedByTheText) {
  std::string text;
  for (int c = 0; c < 100; ++c) text += c ? ",1" : "1";
  text += "\n" + std::string(100000, '\n');
  StatusOr<Dataset> d = ParseDenseCsv(text, "wide.csv");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 1u);
  EXPECT_LE(d->dense.x.capacity() * sizeof(float), 2 * text.size() + sizeof(float));
  EXPECT_LE(d->label.capacity() * sizeof(float), 2 * text.size());
}

TEST(HostileInput, LibsvmAndRatingsReservationsAreBoundedByTheText) {
  const std::string text = "1 1:1\n" + std::string(100000, '\n');
  StatusOr<Dataset> d = ParseLibsvm(text, "blank.svm");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_LE(d->sparse.row_ptr.capacity() * sizeof(d->sparse.row_ptr[0]), 5 * text.size());
  IdMap users, items;
  StatusOr<Dataset> r = ParseRatings("1,2,3\n" + std::string(100000, '\n'), "blank.csv", users,
                                     items);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LE(r->ratings.user.capacity() * sizeof(uint32_t), text.size());
}

// A line with no end in sight: refused at the bound, plain or gzip, whole-file or streamed.
TEST(HostileInput, LinesAtTheBoundAreRefusedWithTheirLineNumber) {
  ScratchDir dir;
  const std::string text = "1 1:1\n1 2:1\n" + std::string(5000, '7') + "\n1 3:1\n";
  for (bool gz : {false, true}) {
    SCOPED_TRACE(gz ? "gzip" : "plain");
    const std::string p = gz ? dir.WriteGz("long.svm.gz", text) : dir.Write("long.svm", text);
    StatusOr<std::unique_ptr<FileLines>> lines = FileLines::Open(p, 4096);
    ASSERT_TRUE(lines.ok()) << lines.status().ToString();
    std::string_view line;
    int n = 0;
    while ((*lines)->Next(&line)) ++n;
    EXPECT_EQ(n, 2);
    ExpectErrorWith((*lines)->status(), {p + ":3: a line of 4096 bytes or more"});
    StatusOr<std::unique_ptr<LineStream>> stream = LineStream::Open(p, 4096);
    ASSERT_TRUE(stream.ok());
    while ((*stream)->Next(&line)) {
    }
    ExpectErrorWith((*stream)->status(), {p + ":3: a line of 4096 bytes or more"});
  }
  // The last line, without '\n', and longer than a streamed block.
  const std::string p = dir.WriteGz("tail.svm.gz", "1 1:1\n" + std::string(3 << 20, ' '));
  StatusOr<std::unique_ptr<LineStream>> stream = LineStream::Open(p, 1 << 20);
  ASSERT_TRUE(stream.ok());
  std::string_view line;
  while ((*stream)->Next(&line)) {
  }
  ExpectErrorWith((*stream)->status(), {p + ":2: a line of 1 MiB or more"});
}

// A gzip file is parsed as a stream: 16 MiB of blank lines (16 KB compressed) then a bad row
// gets the same error, with the same line number, as the plain file.
TEST(HostileInput, GzipInputIsParsedAsAStream) {
  ScratchDir dir;
  const std::string text = "1 1:1\n" + std::string(16 << 20, '\n') + "1 x:1\n";
  const std::string gz = dir.WriteGz("bomb.svm.gz", text);
  const std::string plain = dir.Write("bomb.svm", text);
  const std::string line = std::to_string((16 << 20) + 2);
  ExpectErrorWith(ReadLibsvm(gz).status(), {gz + ":" + line + ":"});
  ExpectErrorWith(ReadLibsvm(plain).status(), {plain + ":" + line + ":"});
  // Valid gzip files of every text format read as their plain twins do.
  const std::string csv = "y,a,b\n1,0.5,2\n0,1,3\n";
  StatusOr<Dataset> a = ReadDenseCsv(dir.WriteGz("d.csv.gz", csv));
  StatusOr<Dataset> b = ReadDenseCsv(dir.Write("d.csv", csv));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->dense.x, b->dense.x);
  EXPECT_EQ(a->label, b->label);
  IdMap u1, i1, u2, i2;
  StatusOr<Dataset> r1 = ReadRatings(dir.WriteGz("r.csv.gz", "userId,movieId,rating\n1,2,4\n"),
                                     u1, i1);
  StatusOr<Dataset> r2 = ReadRatings(dir.Write("r.csv", "userId,movieId,rating\n1,2,4\n"), u2, i2);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->ratings.rating, r2->ratings.rating);
}

Dataset DenseWithLabels(std::vector<float> labels) {
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = "labels.csv";
  d.dense.cols = 1;
  d.dense.x.assign(labels.size(), 1.0f);
  d.label = std::move(labels);
  return d;
}

// A label of 10^6 built a softmax of 10^6 classes; one of 2^31 or more was undefined
// behaviour in a cast to int.
TEST(HostileInput, HugeClassLabelsAreRefusedByName) {
  for (float big : {1e6f, 3e9f, 1e30f}) {
    const Dataset d = DenseWithLabels({0, 1, big});
    EXPECT_EQ(d.NumClasses(), kMaxClasses + 1);
    for (const char* kind : {"softmax", "mlp"}) {
      ModelOptions o;
      o.kind = kind;
      ExpectErrorWith(MakeModel(o, d).status(),
                      {std::string(kind) + " takes class labels 0..C-1 with C at most 65536",
                       "the largest label of labels.csv is"});
    }
  }
  const Dataset ok = DenseWithLabels({0, 1, 65535});
  EXPECT_EQ(ok.NumClasses(), 65536);
}

}  // namespace
}  // namespace parley
