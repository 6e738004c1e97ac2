#include "http/credentials_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>

#include "core/ids.h"

namespace vigil::http {

namespace {

// A larger file is a mistake (a log, a binary), not a list of keys.
constexpr size_t kMaxFileBytes = 1024 * 1024;

enum class Field { kAccessKeyId, kSecretAccessKey, kAccountId };
constexpr Field kFields[] = {Field::kAccessKeyId, Field::kSecretAccessKey, Field::kAccountId};

// Each format spells the fields its own way.
std::string_view FieldName(Field field, CredentialsFormat format) {
  const bool json = format == CredentialsFormat::kJson;
  switch (field) {
    case Field::kAccessKeyId:
      return json ? "accessKeyId" : "access_key_id";
    case Field::kSecretAccessKey:
      return json ? "secretAccessKey" : "secret_access_key";
    case Field::kAccountId:
      return json ? "accountId" : "account_id";
  }
  return "";
}

std::optional<Field> FieldNamed(std::string_view name, CredentialsFormat format) {
  for (Field field : kFields) {
    if (FieldName(field, format) == name) return field;
  }
  return std::nullopt;
}

std::string& FieldOf(Principal& principal, Field field) {
  switch (field) {
    case Field::kAccessKeyId:
      return principal.access_key_id;
    case Field::kSecretAccessKey:
      return principal.secret_access_key;
    case Field::kAccountId:
      break;
  }
  return principal.account_id;
}

// What is wrong with `value` for `field`; empty when it is fine. Never quotes a secret.
std::string CheckValue(Field field, std::string_view value, CredentialsFormat format) {
  const std::string name(FieldName(field, format));
  switch (field) {
    case Field::kAccessKeyId: {
      // It travels in the credential scope, where '/', ',' and spaces would break parsing.
      const bool valid = !value.empty() && value.size() <= 128 &&
                         std::all_of(value.begin(), value.end(),
                                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
      return valid ? "" : name + " must be 1-128 letters, digits or '_'";
    }
    case Field::kSecretAccessKey:
      return value.empty() ? name + " must not be empty" : "";
    case Field::kAccountId:
      return IsAccountId(value) ? "" : name + " must be 12 digits";
  }
  return "";
}

Status ErrorAt(std::string_view name, size_t line, std::string_view message) {
  return Status::InvalidInput(std::string(name) + ":" + std::to_string(line) + ": " +
                              std::string(message));
}

// Collects principals as either parser meets them, checking each field as it is set.
class PrincipalList {
 public:
  PrincipalList(CredentialsFormat format, std::string_view name) : format_(format), name_(name) {}

  void Begin(size_t line) {
    current_ = Principal{};
    set_.clear();
    line_ = line;
  }
  Status Set(Field field, std::string value, size_t line) {
    if (!set_.insert(field).second) {
      return ErrorAt(name_, line, std::string(FieldName(field, format_)) + " is given twice");
    }
    if (std::string problem = CheckValue(field, value, format_); !problem.empty()) {
      return ErrorAt(name_, line, problem);
    }
    FieldOf(current_, field) = std::move(value);
    return Status::Ok();
  }
  Status End() {
    for (Field field : kFields) {
      if (!set_.contains(field)) {
        return ErrorAt(name_, line_,
                       "the principal has no " + std::string(FieldName(field, format_)));
      }
    }
    if (!access_keys_.insert(current_.access_key_id).second) {
      return ErrorAt(name_, line_, "access key " + current_.access_key_id + " is listed twice");
    }
    principals_.push_back(std::move(current_));
    return Status::Ok();
  }
  StatusOr<std::vector<Principal>> Take(size_t last_line) {
    if (principals_.empty()) return ErrorAt(name_, last_line, "no principals are listed");
    return std::move(principals_);
  }

 private:
  const CredentialsFormat format_;
  const std::string_view name_;
  std::vector<Principal> principals_;
  std::set<std::string> access_keys_;
  Principal current_;
  std::set<Field> set_;
  size_t line_ = 0;
};

// A boost::json SAX handler for exactly {"principals": [{...}, ...]}. The parser is fed a
// byte at a time with `line` kept current, so every error names the line it is on.
class JsonHandler {
 public:
  static constexpr size_t max_object_size = 1000;
  static constexpr size_t max_array_size = 100000;
  static constexpr size_t max_key_size = 1000;
  static constexpr size_t max_string_size = 10000;

  JsonHandler(PrincipalList& list, std::string_view name) : list_(list), name_(name) {}

  size_t line = 1;
  Status error;  // the first problem found; the parser stops there

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }

  bool on_object_begin(boost::system::error_code& ec) {
    if (state_ == State::kTop) return Move(State::kRoot);
    if (state_ == State::kPrincipals) {
      list_.Begin(line);
      return Move(State::kPrincipal);
    }
    return Misplaced(ec);
  }
  bool on_object_end(size_t, boost::system::error_code& ec) {
    if (state_ == State::kRoot) {
      if (!seen_principals_) return Fail(ec, "the file has no \"principals\" array");
      return Move(State::kDone);
    }
    // kPrincipal: the only other object that can end.
    return Check(list_.End(), ec) && Move(State::kPrincipals);
  }
  bool on_array_begin(boost::system::error_code& ec) {
    return state_ == State::kPrincipalsValue ? Move(State::kPrincipals) : Misplaced(ec);
  }
  bool on_array_end(size_t, boost::system::error_code&) { return Move(State::kRoot); }

  bool on_key_part(boost::json::string_view part, size_t, boost::system::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }
  bool on_key(boost::json::string_view part, size_t, boost::system::error_code& ec) {
    text_.append(part.data(), part.size());
    const std::string key = std::move(text_);
    text_.clear();
    if (state_ == State::kRoot) {
      if (key != "principals") {
        return Fail(ec, "unknown key \"" + key + "\" (the file holds \"principals\")");
      }
      if (seen_principals_) return Fail(ec, "\"principals\" is given twice");
      seen_principals_ = true;
      return Move(State::kPrincipalsValue);
    }
    field_ = FieldNamed(key, CredentialsFormat::kJson);
    if (!field_) {
      return Fail(ec, "unknown key \"" + key +
                          "\" (a principal has accessKeyId, secretAccessKey and accountId)");
    }
    return Move(State::kPrincipalValue);
  }

  bool on_string_part(boost::json::string_view part, size_t, boost::system::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }
  bool on_string(boost::json::string_view part, size_t, boost::system::error_code& ec) {
    text_.append(part.data(), part.size());
    std::string value = std::move(text_);
    text_.clear();
    if (state_ != State::kPrincipalValue) return Misplaced(ec);
    return Check(list_.Set(*field_, std::move(value), line), ec) && Move(State::kPrincipal);
  }

  bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t, boost::json::string_view, boost::system::error_code& ec) {
    return Misplaced(ec);
  }
  bool on_uint64(uint64_t, boost::json::string_view, boost::system::error_code& ec) {
    return Misplaced(ec);
  }
  bool on_double(double, boost::json::string_view, boost::system::error_code& ec) {
    return Misplaced(ec);
  }
  bool on_bool(bool, boost::system::error_code& ec) { return Misplaced(ec); }
  bool on_null(boost::system::error_code& ec) { return Misplaced(ec); }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  enum class State {
    kTop,              // before the document
    kRoot,             // in the top object, before a key
    kPrincipalsValue,  // after "principals":
    kPrincipals,       // in the array
    kPrincipal,        // in a principal, before a key
    kPrincipalValue,   // after one of its keys
    kDone,
  };

  bool Move(State next) {
    state_ = next;
    return true;
  }
  bool Fail(boost::system::error_code& ec, const std::string& message) {
    error = ErrorAt(name_, line, message);
    ec = boost::json::error::syntax;  // stops the parser; `error` says why
    return false;
  }
  bool Check(Status status, boost::system::error_code& ec) {
    if (status.ok()) return true;
    error = std::move(status);
    ec = boost::json::error::syntax;
    return false;
  }
  // A value of the wrong kind where it stands.
  bool Misplaced(boost::system::error_code& ec) {
    switch (state_) {
      case State::kTop:
        return Fail(ec, "the file must be a JSON object: {\"principals\": [...]}");
      case State::kPrincipalsValue:
        return Fail(ec, "\"principals\" must be an array of objects");
      case State::kPrincipals:
        return Fail(ec, "each principal must be an object");
      case State::kPrincipalValue:
        return Fail(
            ec, std::string(FieldName(*field_, CredentialsFormat::kJson)) + " must be a string");
      default:
        return Fail(ec, "unexpected value");
    }
  }

  PrincipalList& list_;
  const std::string_view name_;
  State state_ = State::kTop;
  bool seen_principals_ = false;
  std::optional<Field> field_;
  std::string text_;  // a key or string arriving in parts
};

StatusOr<std::vector<Principal>> ParseJson(std::string_view text, std::string_view name) {
  PrincipalList list(CredentialsFormat::kJson, name);
  boost::json::basic_parser<JsonHandler> parser(boost::json::parse_options{}, list, name);
  boost::system::error_code ec;
  JsonHandler& handler = parser.handler();
  for (size_t i = 0; i < text.size() && !ec; ++i) {
    parser.write_some(true, text.data() + i, 1, ec);
    if (text[i] == '\n') ++handler.line;
  }
  if (!ec) parser.write_some(false, nullptr, 0, ec);
  if (!handler.error.ok()) return handler.error;
  if (ec) return ErrorAt(name, handler.line, "not valid JSON: " + ec.message());
  return list.Take(handler.line);
}

StatusOr<std::vector<Principal>> ParseToml(std::string_view text, std::string_view name) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(name));
  } catch (const toml::parse_error& error) {
    return ErrorAt(name, error.source().begin.line,
                   "not valid TOML: " + std::string(error.description()));
  }
  PrincipalList list(CredentialsFormat::kToml, name);
  size_t last_line = 1;
  for (const auto& [key, value] : root) {
    const size_t line = key.source().begin.line;
    last_line = std::max<size_t>(last_line, line);
    if (key.str() != "principals") {
      return ErrorAt(
          name, line,
          "unknown key \"" + std::string(key.str()) + "\" (the file holds [[principals]] tables)");
    }
    const toml::array* principals = value.as_array();
    if (principals == nullptr || !principals->is_array_of_tables()) {
      return ErrorAt(name, line, "principals must be [[principals]] tables");
    }
    for (const toml::node& node : *principals) {
      const toml::table& table = *node.as_table();
      const size_t table_line = table.source().begin.line;
      last_line = std::max<size_t>(last_line, table_line);
      list.Begin(table_line);
      for (const auto& [field_key, field_value] : table) {
        const size_t field_line = field_key.source().begin.line;
        const std::optional<Field> field = FieldNamed(field_key.str(), CredentialsFormat::kToml);
        if (!field) {
          return ErrorAt(name, field_line,
                         "unknown key \"" + std::string(field_key.str()) +
                             "\" (a principal has access_key_id, secret_access_key and "
                             "account_id)");
        }
        const std::optional<std::string> text_value = field_value.value<std::string>();
        if (!field_value.is_string() || !text_value) {
          return ErrorAt(
              name, field_line,
              std::string(FieldName(*field, CredentialsFormat::kToml)) + " must be a string");
        }
        VIGIL_RETURN_IF_ERROR(list.Set(*field, *text_value, field_line));
      }
      VIGIL_RETURN_IF_ERROR(list.End());
    }
  }
  return list.Take(last_line);
}

}  // namespace

StatusOr<std::vector<Principal>> ParseCredentials(std::string_view text, CredentialsFormat format,
                                                  std::string_view name) {
  return format == CredentialsFormat::kJson ? ParseJson(text, name) : ParseToml(text, name);
}

StatusOr<std::vector<Principal>> LoadCredentialsFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::InvalidInput(path + ": cannot be read");
  std::string text;
  text.resize(kMaxFileBytes + 1);
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.bad()) return Status::InvalidInput(path + ": cannot be read");
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kMaxFileBytes) {
    return Status::InvalidInput(path + ": larger than " + std::to_string(kMaxFileBytes) +
                                " bytes; not a credentials file");
  }
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool json = path.ends_with(".json") || (first != std::string::npos && text[first] == '{');
  return ParseCredentials(text, json ? CredentialsFormat::kJson : CredentialsFormat::kToml, path);
}

}  // namespace vigil::http
