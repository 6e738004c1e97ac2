#include "ingest/decompress.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace vigil {
namespace {

// gzip of `plain` made by zlib's deflate, as gzip(1) and the AWS log writers produce it.
std::string Gzip(std::string_view plain) {
  z_stream stream{};
  // 16 + MAX_WBITS: gzip wrapper; 8: default memory level.
  EXPECT_EQ(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string compressed(deflateBound(&stream, plain.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  return compressed;
}

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

}  // namespace
}  // namespace vigil
