// SHA-256, HMAC-SHA256 and constant-time comparison, through OpenSSL: the primitives
// AWS Signature Version 4 is built from. Nothing here is hand-rolled crypto.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX; its header stays out of ours

namespace vigil {

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// The HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// `bytes` as lowercase hex, two digits a byte.
std::string HexEncode(std::string_view bytes);

// True when `a` and `b` are equal. For equal lengths the time taken does not depend on
// the contents (CRYPTO_memcmp), so comparing a secret-derived value leaks nothing; lengths
// are not secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// SHA-256 over data that arrives in pieces. Not thread-safe; one object per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view piece);
  // The digest of every piece given so far, as 64 lowercase hex digits. Call once.
  std::string FinishHex();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> context_;
};

}  // namespace vigil
