#include "ingest/decompress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace vigil {
namespace {

std::string RandomText(size_t size) {
  std::mt19937 random(3);
  std::string text(size, ' ');
  for (char& c : text) c = static_cast<char>('a' + random() % 26);
  return text;
}

constexpr size_t kNoLimit = size_t{1} << 40;

TEST(DecompressTest, DetectsGzipByMagicBytes) {
  EXPECT_TRUE(IsGzip(Gzip("hello")));
  EXPECT_TRUE(IsGzip("\x1f\x8b"));
  EXPECT_FALSE(IsGzip(""));
  EXPECT_FALSE(IsGzip("\x1f"));
  EXPECT_FALSE(IsGzip("2 123456789010 eni-1"));
  EXPECT_FALSE(IsGzip("\x8b\x1f"));
}

TEST(GunzipTest, PlainContentPassesThrough) {
  const StatusOr<std::string> result = MaybeGunzip("{\"query_name\":\"a.com\"}\n", kNoLimit);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, "{\"query_name\":\"a.com\"}\n");
}

TEST(GunzipTest, RoundTrips) {
  for (const std::string& plain : {std::string(), std::string("one line\n"), RandomText(200'000),
                                   std::string(3'000'000, 'x')}) {
    const StatusOr<std::string> result = MaybeGunzip(Gzip(plain), kNoLimit);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(*result, plain);
  }
}

TEST(GunzipTest, InflatesConcatenatedMembers) {
  const std::string first = "2 123456789010 eni-1 first member\n";
  const std::string second = RandomText(100'000);
  const std::string third = "third\n";
  const StatusOr<std::string> result =
      MaybeGunzip(Gzip(first) + Gzip(second) + Gzip(third), kNoLimit);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, first + second + third);
}

TEST(GunzipTest, IgnoresZeroPaddingAfterTheLastMember) {
  const StatusOr<std::string> result =
      MaybeGunzip(Gzip("padded") + std::string(16, '\0'), kNoLimit);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, "padded");
}

TEST(GunzipTest, RejectsCorruptData) {
  const std::string good = Gzip(RandomText(10'000));
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 0x01);
  for (const std::string& corrupt :
       {flipped, bad_crc, good.substr(0, good.size() / 2), good.substr(0, good.size() - 1),
        std::string("\x1f\x8b"), std::string("\x1f\x8bnot gzip at all"), good + "trailing text"}) {
    const StatusOr<std::string> result = MaybeGunzip(corrupt, kNoLimit);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidInput);
  }
}

TEST(GunzipTest, EnforcesTheLimit) {
  const std::string plain(1'000'000, 'z');  // compresses about 1000-fold: a small bomb
  const std::string compressed = Gzip(plain);

  const StatusOr<std::string> over = MaybeGunzip(compressed, plain.size() - 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(over.status().message().find("over the limit"), std::string::npos);

  const StatusOr<std::string> exact = MaybeGunzip(compressed, plain.size());
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->size(), plain.size());

  // Across members too.
  const StatusOr<std::string> two_members = MaybeGunzip(compressed + compressed, plain.size() + 10);
  ASSERT_FALSE(two_members.ok());
  EXPECT_NE(two_members.status().message().find("over the limit"), std::string::npos);

  // Plain content is held to the same limit.
  EXPECT_FALSE(MaybeGunzip("twelve bytes", 11).ok());
  EXPECT_TRUE(MaybeGunzip("twelve bytes", 12).ok());
}

// GunzipStream fed `content` cut at `cuts` (increasing offsets): the plain content, or the
// error it gave.
StatusOr<std::string> StreamGunzip(std::string_view content, size_t max_bytes,
                                   const std::vector<size_t>& cuts) {
  std::string plain;
  GunzipStream stream(max_bytes, [&plain](std::string_view block) {
    EXPECT_LE(block.size(), GunzipStream::kBlockBytes);
    plain.append(block);
    return Status::Ok();
  });
  size_t from = 0;
  for (size_t cut : cuts) {
    cut = std::min(cut, content.size());
    VIGIL_RETURN_IF_ERROR(stream.Write(content.substr(from, cut - from)));
    from = cut;
  }
  VIGIL_RETURN_IF_ERROR(stream.Write(content.substr(from)));
  VIGIL_RETURN_IF_ERROR(stream.Finish());
  return plain;
}

// The same answer as MaybeGunzip: the same content, or an error with the same message.
void ExpectSameAsWhole(std::string_view content, size_t max_bytes,
                       const std::vector<size_t>& cuts) {
  const StatusOr<std::string> whole = MaybeGunzip(content, max_bytes);
  const StatusOr<std::string> streamed = StreamGunzip(content, max_bytes, cuts);
  ASSERT_EQ(streamed.ok(), whole.ok()) << (whole.ok() ? streamed : whole).status().ToString();
  if (whole.ok()) {
    EXPECT_EQ(*streamed, *whole);
  } else {
    EXPECT_EQ(streamed.status().code(), whole.status().code());
    EXPECT_EQ(streamed.status().message(), whole.status().message());
  }
}

std::vector<std::string> SmallContents() {
  const std::string good = Gzip("2 123456789010 eni-1 first line\nsecond line\n");
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 0x01);
  const std::string zeros(5, '\0');
  return {"",
          "a",
          "\x1f",
          "\x1f\x8b",
          "\x1fx plain after all",
          "plain text\nover two lines\n",
          good,
          good + Gzip("") + Gzip("third member\n"),
          good + zeros,
          good + zeros + good,
          good + "trailing text",
          good + "\x1f",
          good + "\x1f\x8b",
          good + "\x1f\x8b\x08",
          good + "\x1fx",
          flipped,
          bad_crc,
          good.substr(0, good.size() / 2),
          good.substr(0, good.size() - 1),
          "\x1f\x8bnot gzip at all"};
}

TEST(GunzipStreamTest, SameAsWholeCutAnywhere) {
  for (const std::string& content : SmallContents()) {
    SCOPED_TRACE(::testing::PrintToString(content));
    ExpectSameAsWhole(content, kNoLimit, {});
    for (size_t cut = 0; cut <= content.size(); ++cut) ExpectSameAsWhole(content, kNoLimit, {cut});
    std::vector<size_t> every_byte;
    for (size_t cut = 1; cut < content.size(); ++cut) every_byte.push_back(cut);
    ExpectSameAsWhole(content, kNoLimit, every_byte);
  }
}

TEST(GunzipStreamTest, SameAsWholeInRandomPieces) {
  const std::string large = RandomText(700'000);
  const std::string members = Gzip(large) + Gzip("x\n") + Gzip(std::string(900'000, 'y'));
  std::mt19937 random(7);
  for (const std::string& content : {members, members + std::string(3, '\0'), large}) {
    for (int round = 0; round < 5; ++round) {
      std::vector<size_t> cuts;
      for (size_t at = random() % 5000; at < content.size(); at += 1 + random() % 70'000) {
        cuts.push_back(at);
      }
      ExpectSameAsWhole(content, kNoLimit, cuts);
    }
  }
}

TEST(GunzipStreamTest, EnforcesTheLimitAsWholeDoes) {
  const std::string plain(1'000'000, 'z');
  const std::string compressed = Gzip(plain);
  for (const std::vector<size_t>& cuts : {std::vector<size_t>{}, std::vector<size_t>{1, 2, 100}}) {
    ExpectSameAsWhole(compressed, plain.size() - 1, cuts);
    ExpectSameAsWhole(compressed, plain.size(), cuts);
    ExpectSameAsWhole(compressed + compressed, plain.size() + 10, cuts);
    ExpectSameAsWhole("twelve bytes", 11, cuts);
    ExpectSameAsWhole("twelve bytes", 12, cuts);
  }
  // Nothing past the limit reaches the sink.
  size_t delivered = 0;
  GunzipStream stream(plain.size() - 1, [&delivered](std::string_view block) {
    delivered += block.size();
    return Status::Ok();
  });
  EXPECT_FALSE(stream.Write(compressed).ok());
  EXPECT_LE(delivered, plain.size() - 1);
}

TEST(GunzipStreamTest, AnErrorFromTheSinkStopsTheStream) {
  GunzipStream stream(kNoLimit, [](std::string_view) { return Status::InvalidInput("enough"); });
  const Status status = stream.Write(Gzip("some text"));
  EXPECT_EQ(status.message(), "enough");
  EXPECT_EQ(stream.Finish().message(), "enough");
}

}  // namespace
}  // namespace vigil
