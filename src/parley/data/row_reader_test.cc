#include "parley/data/row_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "parley/data/file_io.h"
#include "parley/data/read.h"
#include "parley/data/test_files.h"
#include "parley/data/text_scan.h"

namespace parley {
namespace {

using testing_files::ExpectSameDataset;
using testing_files::PutU32;
using testing_files::ScratchDir;

// Every row of `spec` through a RowReader, put back together with the reader's Header.
StatusOr<Dataset> Stream(const std::string& spec, IdMap& users, IdMap& items, size_t* rows_seen = nullptr) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<RowReader> r, RowReader::Open(spec, users, items));
  Dataset rows;
  bool first = true;
  size_t seen = 0;
  const Dataset* row = nullptr;
  while (true) {
    PARLEY_RETURN_IF_ERROR(r->Next(&row));
    if (row == nullptr) break;
    EXPECT_EQ(row->rows(), 1u);
    if (first) rows = row->Empty();
    first = false;
    rows.Append(*row);
    ++seen;
  }
  EXPECT_EQ(r->rows(), seen);
  if (rows_seen) *rows_seen = seen;
  Dataset out = r->Header();
  EXPECT_EQ(out.rows(), 0u);
  out.Append(rows);
  return out;
}

// The streamed file equals ReadDataset's, rows and metadata.
void ExpectStreamsLikeRead(const std::string& spec) {
  SCOPED_TRACE(spec);
  IdMap u1, i1, u2, i2;
  StatusOr<Dataset> read = ReadDataset(spec, u1, i1);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  StatusOr<Dataset> streamed = Stream(spec, u2, i2);
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  ExpectSameDataset(*streamed, *read);
  EXPECT_EQ(u1.external, u2.external);
  EXPECT_EQ(i1.external, i2.external);
}

// The streamed file fails exactly as ReadDataset does.
void ExpectFailsLikeRead(const std::string& spec) {
  SCOPED_TRACE(spec);
  IdMap u1, i1, u2, i2;
  StatusOr<Dataset> read = ReadDataset(spec, u1, i1);
  ASSERT_FALSE(read.ok());
  StatusOr<Dataset> streamed = Stream(spec, u2, i2);
  ASSERT_FALSE(streamed.ok());
  EXPECT_EQ(streamed.status().code(), read.status().code());
  EXPECT_EQ(streamed.status().message(), read.status().message());
}

std::string IdxImages(uint32_t n, uint32_t rows, uint32_t cols, size_t data_bytes) {
  std::string s;
  PutU32(s, 0x803), PutU32(s, n), PutU32(s, rows), PutU32(s, cols);
  for (size_t i = 0; i < data_bytes; ++i) s.push_back(static_cast<char>(i * 37 % 256));
  return s;
}

std::string IdxLabels(uint32_t n) {
  std::string s;
  PutU32(s, 0x801), PutU32(s, n);
  for (uint32_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % 10));
  return s;
}

TEST(LineStream, GivesTheLinesLineCursorGives) {
  ScratchDir dir;
  const std::string long_line(3 << 20, 'x');  // longer than the stream's block
  for (const std::string& text :
       {std::string(""), std::string("\n"), std::string("a"), std::string("a\n\nb"), std::string("a\r\nb\r\n\r\n"),
        "1 2:3\n" + long_line + "\nend", long_line}) {
    for (bool gz : {false, true}) {
      const std::string p = gz ? dir.WriteGz("t.gz", text) : dir.Write("t.txt", text);
      StatusOr<std::unique_ptr<LineStream>> s = LineStream::Open(p);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      LineCursor cursor(text);
      std::string_view want, got;
      while (cursor.Next(&want)) {
        ASSERT_TRUE((*s)->Next(&got)) << "line " << cursor.line_number();
        EXPECT_EQ(got, want);
        EXPECT_EQ((*s)->line_number(), cursor.line_number());
      }
      EXPECT_FALSE((*s)->Next(&got));
      EXPECT_TRUE((*s)->status().ok());
    }
  }
}

TEST(LineStream, MissingFileAndTruncatedGzip) {
  ScratchDir dir;
  EXPECT_EQ(LineStream::Open(dir.Path("none.svm")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LineStream::Open(dir.Path("")).status().code(), StatusCode::kInvalidArgument);  // a directory
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "1 " + std::to_string(i + 1) + ":1\n";
  const std::string whole = dir.WriteGz("whole.gz", text);
  std::string bytes;
  {
    std::ifstream in(whole, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cut = dir.Write("cut.gz", bytes.substr(0, bytes.size() / 2));
  StatusOr<std::unique_ptr<LineStream>> s = LineStream::Open(cut);
  ASSERT_TRUE(s.ok());
  std::string_view line;
  while ((*s)->Next(&line)) {
  }
  EXPECT_EQ((*s)->status().code(), StatusCode::kDataLoss);
  StatusOr<FileBytes> read = ReadFileBytes(cut);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ((*s)->status().message(), read.status().message());
}

TEST(RowReader, StreamsEveryFormatLikeReadDataset) {
  ScratchDir dir;
  // LIBSVM, plain and gzipped, with comments, qid, blank lines, CRLF and no final newline.
  const std::string svm = "1 qid:3 2:1 7:0.5 # c\r\n\n# only a comment\n-1 1:2\n+1 3:-1 40:1";
  ExpectStreamsLikeRead(dir.Write("a.svm", svm));
  ExpectStreamsLikeRead(dir.WriteGz("a.svm.gz", svm));
  ExpectStreamsLikeRead("libsvm:" + dir.Write("b.txt", "0 1:1\n1\n"));  // a row without features
  // Dense CSV with a header, and with its centres file.
  const std::string csv = dir.Write("m.csv", "y,a,b\n0,1,2\n\n1,3.5,-4\n2,5,6\n");
  ExpectStreamsLikeRead("csv:" + csv);
  dir.Write("m.csv.centres", "1,2\n3,4\n");
  ExpectStreamsLikeRead("csv:" + csv);
  ExpectStreamsLikeRead(dir.Write("plain.csv", "1,2,3\n4,5,6\n"));
  // Ratings: MovieLens ::, a quoted CSV header, ids remapped in file order.
  ExpectStreamsLikeRead(dir.Write("ratings.dat", "7::3::4::1\n2::3::5::1\n7::9::1.5::2\n"));
  ExpectStreamsLikeRead(dir.WriteGz("r.csv.gz", "\"userId\",\"movieId\",\"rating\"\n10,20,3\n11,20,4\n10,21,5\n"));
  // IDX, gzipped, labels found by name.
  const std::string images = dir.WriteGz("train-images-idx3-ubyte.gz", IdxImages(3, 2, 2, 12));
  dir.WriteGz("train-labels-idx1-ubyte.gz", IdxLabels(3));
  ExpectStreamsLikeRead(images);
}

TEST(RowReader, SharedIdMapsMapLikeReadDataset) {
  ScratchDir dir;
  const std::string train = dir.Write("train.dat", "5::1::3::0\n6::2::4::0\n");
  const std::string test = dir.Write("test.dat", "9::2::1::0\n5::7::2::0\n");
  IdMap u1, i1, u2, i2;
  ASSERT_TRUE(ReadDataset(train, u1, i1).ok());
  StatusOr<Dataset> a = ReadDataset(test, u1, i1);
  ASSERT_TRUE(Stream(train, u2, i2).ok());
  StatusOr<Dataset> b = Stream(test, u2, i2);
  ASSERT_TRUE(a.ok() && b.ok());
  ExpectSameDataset(*b, *a);
  EXPECT_EQ(b->ratings.num_users, 3u);
}

TEST(RowReader, BadInputFailsWithReadDatasetsErrors) {
  ScratchDir dir;
  // LIBSVM: a bad line, no rows, a truncated gzip file, a missing file.
  ExpectFailsLikeRead(dir.Write("bad.svm", "1 1:1\n1 2:1\n\n1 0:1\n"));
  ExpectFailsLikeRead(dir.Write("order.svm", "1 1:1\n1 5:1 3:1\n"));
  ExpectFailsLikeRead(dir.Write("wide.svm", "1 1:1\n1 4294967295:1\n"));
  ExpectFailsLikeRead(dir.Write("empty.svm", "# nothing\n\n"));
  ExpectFailsLikeRead(dir.Path("missing.svm"));
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "1 " + std::to_string(i % 97 + 1) + ":1\n";
  const std::string gz = dir.WriteGz("whole.svm.gz", text);
  std::string bytes;
  {
    std::ifstream in(gz, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ExpectFailsLikeRead(dir.Write("cut.svm.gz", bytes.substr(0, bytes.size() * 2 / 3)));
  // Dense CSV: a wrong column count, NaN, a header without rows, centres of the wrong width.
  ExpectFailsLikeRead("csv:" + dir.Write("cols.csv", "1,2,3\n4,5\n"));
  ExpectFailsLikeRead("csv:" + dir.Write("nan.csv", "1,2\n1,nan\n"));
  ExpectFailsLikeRead("csv:" + dir.Write("header.csv", "y,x\n\n"));
  dir.Write("w.csv.centres", "1,2,3\n");
  ExpectFailsLikeRead("csv:" + dir.Write("w.csv", "0,1,2\n"));
  // Ratings: a bad id, a header without a rating column, a header only.
  ExpectFailsLikeRead(dir.Write("r1.csv", "userId,movieId,rating\n1,2,3\nbob,2,3\n"));
  ExpectFailsLikeRead("ratings:" + dir.Write("r2.csv", "userId,movieId,score\n1,2,3\n"));
  ExpectFailsLikeRead(dir.Write("r3.csv", "userId,movieId,rating\n"));
  ExpectFailsLikeRead(dir.Write("r4.dat", "1::2::3::4\n1::2::3\n"));
  // IDX: wrong magic, truncated and overlong data, a count mismatch, no images.
  const std::string labels3 = dir.Write("l3", IdxLabels(3));
  std::string magic = IdxImages(3, 2, 2, 12);
  magic[3] = 0x01;
  ExpectFailsLikeRead("idx:" + dir.Write("magic", magic) + "," + labels3);
  ExpectFailsLikeRead("idx:" + dir.Write("short", IdxImages(3, 2, 2, 11)) + "," + labels3);
  ExpectFailsLikeRead("idx:" + dir.WriteGz("long.gz", IdxImages(3, 2, 2, 13)) + "," + labels3);
  ExpectFailsLikeRead("idx:" + dir.Write("head", IdxImages(3, 2, 2, 12).substr(0, 10)) + "," + labels3);
  ExpectFailsLikeRead("idx:" + dir.Write("tiny", std::string_view("\x00\x00", 2)) + "," + labels3);
  ExpectFailsLikeRead("idx:" + dir.Write("four", IdxImages(4, 2, 2, 16)) + "," + labels3);
  ExpectFailsLikeRead("idx:" + dir.Write("none", IdxImages(0, 2, 2, 0)) + "," + dir.Write("l0", IdxLabels(0)));
  ExpectFailsLikeRead("idx:" + dir.Write("nolabels", IdxImages(3, 2, 2, 12)) + "," + dir.Path("absent"));
}

TEST(RowReader, FashionMnistFromDebianStreamsLikeRead) {
  const std::string p = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (!FileExists(p)) GTEST_SKIP() << p << " absent (scripts/install-deps.sh data installs it)";
  ExpectStreamsLikeRead(p);
}

}  // namespace
}  // namespace parley
