// Findings: the criterion attribute catalogue and the per-finding projection that lets
// FindingCriteria run without parsing finding JSON.
#include "findings/projection.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <system_error>

#include "core/time.h"

namespace vigil {

namespace json = boost::json;

namespace {

using enum AttributeKind;

// The catalogue. Paths are the documented criterion names; where a documented name is
// not the model's member name, kModelPaths below says where the value really lives.
// Ids are stored in projections: append new rows, never renumber or reuse.
//
// Rows 1-69: the attributes of reference/guardduty-api.md 7b (ListFindings documentation),
// the extra ones of reference/guardduty-detection.md section 4 (ipAddressV6,
// remoteAccountDetails, domainWithSuffix, vpcOwnerAccountId, the console's
// service.localIpDetails.ipAddressV4) and the sortable ones (createdAt, eventFirstSeen,
// eventLastSeen, count), so sorting reads them from the projection too.
// Rows 70-102: other protection plans' fields (EKS, ECS, EBS malware scans, RDS,
// Lambda, runtime monitoring); Vigil never produces them but accepts criteria on them.
// Several (ipAddressV6, domainWithSuffix, rds*, lambda*, runtimeDetails, the
// kubernetesApiCallAction namespace) are newer than the Debian botocore model; they are
// read where a finding carries them under the documented name.
constexpr std::array<CriterionAttribute, 102> kCatalogue = {{
    {"accountId", 1, kString},
    {"region", 2, kString},
    {"confidence", 3, kNumber},
    {"id", 4, kString},
    {"severity", 5, kNumber},
    {"type", 6, kString},
    {"updatedAt", 7, kTimestamp},
    {"createdAt", 8, kTimestamp},
    {"resource.accessKeyDetails.accessKeyId", 9, kString},
    {"resource.accessKeyDetails.principalId", 10, kString},
    {"resource.accessKeyDetails.userName", 11, kString},
    {"resource.accessKeyDetails.userType", 12, kString},
    {"resource.instanceDetails.iamInstanceProfile.id", 13, kString},
    {"resource.instanceDetails.imageId", 14, kString},
    {"resource.instanceDetails.instanceId", 15, kString},
    {"resource.instanceDetails.outpostArn", 16, kString},
    {"resource.instanceDetails.networkInterfaces.ipv6Addresses", 17, kString},
    {"resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress", 18, kString},
    {"resource.instanceDetails.networkInterfaces.publicDnsName", 19, kString},
    {"resource.instanceDetails.networkInterfaces.publicIp", 20, kString},
    {"resource.instanceDetails.networkInterfaces.securityGroups.groupId", 21, kString},
    {"resource.instanceDetails.networkInterfaces.securityGroups.groupName", 22, kString},
    {"resource.instanceDetails.networkInterfaces.subnetId", 23, kString},
    {"resource.instanceDetails.networkInterfaces.vpcId", 24, kString},
    {"resource.instanceDetails.tags.key", 25, kString},
    {"resource.instanceDetails.tags.value", 26, kString},
    {"resource.resourceType", 27, kString},
    {"resource.s3BucketDetails.publicAccess.effectivePermissions", 28, kString},
    {"resource.s3BucketDetails.name", 29, kString},
    {"resource.s3BucketDetails.tags.key", 30, kString},
    {"resource.s3BucketDetails.tags.value", 31, kString},
    {"resource.s3BucketDetails.type", 32, kString},
    {"service.action.actionType", 33, kString},
    {"service.action.awsApiCallAction.api", 34, kString},
    {"service.action.awsApiCallAction.callerType", 35, kString},
    {"service.action.awsApiCallAction.errorCode", 36, kString},
    {"service.action.awsApiCallAction.userAgent", 37, kString},
    {"service.action.awsApiCallAction.serviceName", 38, kString},
    {"service.action.awsApiCallAction.remoteIpDetails.city.cityName", 39, kString},
    {"service.action.awsApiCallAction.remoteIpDetails.country.countryName", 40, kString},
    {"service.action.awsApiCallAction.remoteIpDetails.ipAddressV4", 41, kString},
    {"service.action.awsApiCallAction.remoteIpDetails.organization.asn", 42, kString},
    {"service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg", 43, kString},
    {"service.action.awsApiCallAction.remoteIpDetails.ipAddressV6", 44, kString},
    {"service.action.awsApiCallAction.remoteAccountDetails.accountId", 45, kString},
    {"service.action.awsApiCallAction.remoteAccountDetails.affiliated", 46, kBoolean},
    {"service.action.dnsRequestAction.domain", 47, kString},
    {"service.action.dnsRequestAction.domainWithSuffix", 48, kString},
    {"service.action.dnsRequestAction.vpcOwnerAccountId", 49, kString},
    {"service.action.networkConnectionAction.blocked", 50, kBoolean},
    {"service.action.networkConnectionAction.connectionDirection", 51, kString},
    {"service.action.networkConnectionAction.localPortDetails.port", 52, kNumber},
    {"service.action.networkConnectionAction.protocol", 53, kString},
    {"service.action.networkConnectionAction.localIpDetails.ipAddressV4", 54, kString},
    {"service.action.networkConnectionAction.localIpDetails.ipAddressV6", 55, kString},
    {"service.action.networkConnectionAction.remoteIpDetails.city.cityName", 56, kString},
    {"service.action.networkConnectionAction.remoteIpDetails.country.countryName", 57, kString},
    {"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4", 58, kString},
    {"service.action.networkConnectionAction.remoteIpDetails.ipAddressV6", 59, kString},
    {"service.action.networkConnectionAction.remoteIpDetails.organization.asn", 60, kString},
    {"service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg", 61, kString},
    {"service.action.networkConnectionAction.remotePortDetails.port", 62, kNumber},
    {"service.additionalInfo.threatListName", 63, kString},
    {"service.archived", 64, kBoolean},
    {"service.resourceRole", 65, kString},
    // Listed by the console's filter table although the model has no such member.
    {"service.localIpDetails.ipAddressV4", 66, kString},
    {"service.eventFirstSeen", 67, kTimestamp},
    {"service.eventLastSeen", 68, kTimestamp},
    {"service.count", 69, kNumber},
    {"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4", 70, kString},
    {"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV6", 71, kString},
    {"service.action.kubernetesApiCallAction.remoteIpDetails.organization.asn", 72, kString},
    {"service.action.kubernetesApiCallAction.namespace", 73, kString},
    {"service.action.kubernetesApiCallAction.requestUri", 74, kString},
    {"service.action.kubernetesApiCallAction.statusCode", 75, kNumber},
    {"resource.eksClusterDetails.name", 76, kString},
    {"resource.kubernetesDetails.kubernetesWorkloadDetails.name", 77, kString},
    {"resource.kubernetesDetails.kubernetesWorkloadDetails.namespace", 78, kString},
    {"resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image", 79, kString},
    {"resource.kubernetesDetails.kubernetesWorkloadDetails.containers.imagePrefix", 80, kString},
    {"resource.kubernetesDetails.kubernetesUserDetails.username", 81, kString},
    {"service.ebsVolumeScanDetails.scanId", 82, kString},
    {"service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.name", 83,
     kString},
    {"service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.severity", 84,
     kString},
    {"service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths.hash",
     85, kString},
    {"resource.ecsClusterDetails.name", 86, kString},
    {"resource.ecsClusterDetails.taskDetails.containers.image", 87, kString},
    {"resource.ecsClusterDetails.taskDetails.definitionArn", 88, kString},
    {"resource.containerDetails.image", 89, kString},
    {"resource.rdsDbInstanceDetails.dbInstanceIdentifier", 90, kString},
    {"resource.rdsDbInstanceDetails.dbClusterIdentifier", 91, kString},
    {"resource.rdsDbInstanceDetails.engine", 92, kString},
    {"resource.rdsDbInstanceDetails.tags.key", 93, kString},
    {"resource.rdsDbInstanceDetails.tags.value", 94, kString},
    {"resource.rdsDbUserDetails.user", 95, kString},
    {"service.runtimeDetails.process.executableSha256", 96, kString},
    {"service.runtimeDetails.process.name", 97, kString},
    {"service.runtimeDetails.process.executablePath", 98, kString},
    {"resource.lambdaDetails.functionName", 99, kString},
    {"resource.lambdaDetails.functionArn", 100, kString},
    {"resource.lambdaDetails.tags.key", 101, kString},
    {"resource.lambdaDetails.tags.value", 102, kString},
}};

// Encode emits entries in catalogue order, and the decoder stops once it passes the id it
// looks for, so the catalogue must be in ascending id order (and ids are 1..N).
constexpr bool IdsAreSequential() {
  for (size_t i = 0; i < kCatalogue.size(); ++i) {
    if (kCatalogue[i].id != i + 1) return false;
  }
  return true;
}
static_assert(IdsAreSequential(), "catalogue ids must be 1, 2, 3... in table order");

// Documented criterion names that differ from the model's member names.
struct ModelPath {
  std::string_view documented;
  std::string_view model;
};
constexpr std::array<ModelPath, 1> kModelPaths = {{
    // The docs say effectivePermissions; PublicAccess's member is effectivePermission.
    {"resource.s3BucketDetails.publicAccess.effectivePermissions",
     "resource.s3BucketDetails.publicAccess.effectivePermission"},
}};

// In GetFindings output additionalInfo is {"value": "<JSON text>", "type": ...}; the
// attribute names a member of that embedded document (EventBridge shows it inline).
constexpr std::string_view kAdditionalInfoPath = "service.additionalInfo";
constexpr std::string_view kThreatListNamePath = "service.additionalInfo.threatListName";

std::string_view ModelPathOf(std::string_view documented) {
  for (const ModelPath& mapping : kModelPaths) {
    if (mapping.documented == documented) return mapping.model;
  }
  return documented;
}

// ---- Encoding ----
//
//   format      1 byte: 1 = 16-bit offsets, 2 = 32-bit offsets (values over 64 KiB)
//   count       varint: how many attributes are present
//   bitmap      varint(byte count), then bit `id` set for each attribute present
//   offsets     per attribute present, ascending id: where its values end, relative
//               to the start of the values (little-endian, 16 or 32 bits)
//   values      per attribute present, per value in document order: varint(length) text
// Varints are LEB128. Finding an attribute is O(1): a bit test, a popcount over the
// bitmap (13 bytes today) and two offset reads; no walk over the other attributes,
// which matters because criteria evaluation looks up a few attributes in each of a
// million projections. The sample finding projects to ~650 bytes, under a third of its JSON.
constexpr char kFormatOffsets16 = 1;
constexpr char kFormatOffsets32 = 2;

void AppendVarint(uint32_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads a varint at `pos`. False on truncation or a value over 32 bits.
bool ReadLongVarint(std::string_view bytes, size_t& pos, uint32_t& value) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    if (pos >= bytes.size()) return false;
    const auto byte = static_cast<uint8_t>(bytes[pos++]);
    if (shift == 28 && byte > 0x0F) return false;
    result |= static_cast<uint32_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      value = result;
      return true;
    }
  }
  return false;
}

// Nearly all lengths fit one byte; keep that case inline.
inline bool ReadVarint(std::string_view bytes, size_t& pos, uint32_t& value) {
  if (pos < bytes.size() && static_cast<uint8_t>(bytes[pos]) < 0x80) {
    value = static_cast<uint8_t>(bytes[pos++]);
    return true;
  }
  return ReadLongVarint(bytes, pos, value);
}

// Portable popcount: without -mpopcnt, std::popcount becomes a libgcc call, which
// showed up at 20% of criteria evaluation.
constexpr unsigned PopCount(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555u);
  x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
  return static_cast<unsigned>((x * 0x0101010101010101u) >> 56);
}

// The number of bits set below bit `position` of `bitmap` (position < 8 * size).
size_t CountBitsBelow(const unsigned char* bitmap, size_t size, size_t position) {
  size_t bits = 0;
  for (size_t word_start = 0;; word_start += 8) {
    uint64_t word = 0;  // little-endian assembly, so bit i of the bitmap is bit i here
    const size_t available = std::min<size_t>(8, size - word_start);
    for (size_t i = 0; i < available; ++i) {
      word |= static_cast<uint64_t>(bitmap[word_start + i]) << (8 * i);
    }
    const size_t first_bit = word_start * 8;
    if (position < first_bit + 64) {
      const size_t keep = position - first_bit;
      return bits + PopCount(keep == 0 ? 0 : word & (~uint64_t{0} >> (64 - keep)));
    }
    bits += PopCount(word);
  }
}

uint32_t ReadOffset(const unsigned char* table, size_t index, size_t width) {
  const unsigned char* at = table + index * width;
  uint32_t offset = at[0] | static_cast<uint32_t>(at[1]) << 8;
  if (width == 4) offset |= static_cast<uint32_t>(at[2]) << 16 | static_cast<uint32_t>(at[3]) << 24;
  return offset;
}

// The values of attribute `id` (a run of varint-prefixed texts), empty when absent.
// Corrupt or truncated input reads as fewer values, never out of bounds: the bytes come
// from our own store, so damage means "no more values".
std::string_view FindValues(std::string_view encoded, uint16_t id) {
  if (encoded.empty() || (encoded[0] != kFormatOffsets16 && encoded[0] != kFormatOffsets32)) {
    return {};
  }
  const size_t width = encoded[0] == kFormatOffsets16 ? 2 : 4;
  size_t pos = 1;
  uint32_t present = 0;
  uint32_t bitmap_size = 0;
  if (!ReadVarint(encoded, pos, present) || !ReadVarint(encoded, pos, bitmap_size) ||
      bitmap_size > encoded.size() - pos) {
    return {};
  }
  const auto* bitmap = reinterpret_cast<const unsigned char*>(encoded.data() + pos);
  if (id / 8u >= bitmap_size || ((bitmap[id / 8] >> (id % 8)) & 1) == 0) return {};
  const size_t index = CountBitsBelow(bitmap, bitmap_size, id);
  pos += bitmap_size;
  if (index >= present || present > (encoded.size() - pos) / width) return {};
  const auto* offsets = reinterpret_cast<const unsigned char*>(encoded.data() + pos);
  const std::string_view values = encoded.substr(pos + present * width);
  const uint32_t begin = index == 0 ? 0 : ReadOffset(offsets, index - 1, width);
  const uint32_t end = ReadOffset(offsets, index, width);
  if (begin > end || end > values.size()) return {};
  return values.substr(begin, end - begin);
}

// Takes the next value off the front of `run`; false at its end (or at a damaged length).
inline bool NextValue(std::string_view& run, std::string_view& value) {
  size_t pos = 0;
  uint32_t length = 0;
  if (!ReadVarint(run, pos, length) || length > run.size() - pos) return false;
  value = run.substr(pos, length);
  run.remove_prefix(pos + length);
  return true;
}

void AppendValue(std::string_view value, std::string& out) {
  AppendVarint(static_cast<uint32_t>(value.size()), out);
  out.append(value);
}

// Appends the text form of a scalar JSON value (see projection.h); arrays fan out,
// objects and nulls yield nothing.
void AppendLeaf(const CriterionAttribute& attribute, const json::value& leaf, std::string& out) {
  char buffer[32];
  // Timestamps are ISO-8601 text in a Finding; a number there could be seconds or
  // milliseconds, so it is not guessed at.
  if (attribute.kind == kTimestamp && !leaf.is_string() && !leaf.is_array()) return;
  switch (leaf.kind()) {
    case json::kind::array:
      for (const json::value& element : leaf.get_array()) AppendLeaf(attribute, element, out);
      return;
    case json::kind::string: {
      const std::string_view text = leaf.get_string();
      if (attribute.kind != kTimestamp) {
        AppendValue(text, out);
        return;
      }
      const std::optional<int64_t> millis = ParseIsoMillis(text);
      if (!millis) return;  // not a time we can compare: leave the attribute unset
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), *millis);
      AppendValue(std::string_view(buffer, result.ptr - buffer), out);
      return;
    }
    case json::kind::int64: {
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), leaf.get_int64());
      AppendValue(std::string_view(buffer, result.ptr - buffer), out);
      return;
    }
    case json::kind::uint64: {
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), leaf.get_uint64());
      AppendValue(std::string_view(buffer, result.ptr - buffer), out);
      return;
    }
    case json::kind::double_: {
      // Shortest round-trip form: 8.0 -> "8", 5.5 -> "5.5".
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), leaf.get_double());
      AppendValue(std::string_view(buffer, result.ptr - buffer), out);
      return;
    }
    case json::kind::bool_:
      AppendValue(leaf.get_bool() ? "true" : "false", out);
      return;
    case json::kind::null:
    case json::kind::object:
      return;
  }
}

void AppendPath(const CriterionAttribute& attribute, const json::value& node, std::string_view path,
                std::string& out);

// Follows the dotted `path` (not empty) from `object`.
void AppendObjectPath(const CriterionAttribute& attribute, const json::object& object,
                      std::string_view path, std::string& out) {
  const size_t dot = path.find('.');
  const std::string_view segment = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (const json::value* child = object.if_contains(segment)) {
    AppendPath(attribute, *child, rest, out);
  }
}

// Follows the dotted `path` from `node`; an array at any step means "each element".
void AppendPath(const CriterionAttribute& attribute, const json::value& node, std::string_view path,
                std::string& out) {
  if (path.empty()) {
    AppendLeaf(attribute, node, out);
  } else if (const json::array* elements = node.if_array()) {
    for (const json::value& element : *elements) AppendPath(attribute, element, path, out);
  } else if (const json::object* object = node.if_object()) {
    AppendObjectPath(attribute, *object, path, out);
  }
}

// service.additionalInfo.threatListName: inline, or inside the JSON text of `value`.
void AppendAdditionalInfoMember(const CriterionAttribute& attribute, const json::object& finding,
                                std::string& out) {
  const std::string_view member = kThreatListNamePath.substr(kAdditionalInfoPath.size() + 1);
  const json::value* service = finding.if_contains("service");
  const json::object* service_object = service ? service->if_object() : nullptr;
  const json::value* info =
      service_object ? service_object->if_contains("additionalInfo") : nullptr;
  const json::object* info_object = info ? info->if_object() : nullptr;
  if (info_object == nullptr) return;
  if (const json::value* inline_value = info_object->if_contains(member)) {
    AppendLeaf(attribute, *inline_value, out);
    return;
  }
  const json::value* embedded = info_object->if_contains("value");
  if (embedded == nullptr || !embedded->is_string()) return;
  boost::system::error_code error;
  const json::value document = json::parse(embedded->get_string(), error);
  if (error) return;
  if (const json::object* document_object = document.if_object()) {
    if (const json::value* value = document_object->if_contains(member)) {
      AppendLeaf(attribute, *value, out);
    }
  }
}

}  // namespace

std::span<const CriterionAttribute> CriterionAttributes() { return kCatalogue; }

const CriterionAttribute* FindCriterionAttribute(std::string_view path) {
  for (const CriterionAttribute& attribute : kCatalogue) {
    if (attribute.path == path) return &attribute;
  }
  return nullptr;
}

std::string FindingProjection::Encode(const json::object& finding) {
  std::string values;
  values.reserve(512);
  std::array<unsigned char, kCatalogue.size() / 8 + 1> bitmap{};
  std::array<size_t, kCatalogue.size()> ends{};
  size_t present = 0;
  size_t bitmap_size = 0;
  for (const CriterionAttribute& attribute : kCatalogue) {
    const size_t start = values.size();
    if (attribute.path == kThreatListNamePath) {
      AppendAdditionalInfoMember(attribute, finding, values);
    } else {
      AppendObjectPath(attribute, finding, ModelPathOf(attribute.path), values);
    }
    if (values.size() == start) continue;
    bitmap[attribute.id / 8] |= static_cast<unsigned char>(1u << (attribute.id % 8));
    bitmap_size = attribute.id / 8 + 1;
    ends[present++] = values.size();
  }
  const bool wide = values.size() > UINT16_MAX;
  const size_t width = wide ? 4 : 2;
  std::string out;
  out.reserve(2 + bitmap_size + present * width + values.size());
  out.push_back(wide ? kFormatOffsets32 : kFormatOffsets16);
  AppendVarint(static_cast<uint32_t>(present), out);
  AppendVarint(static_cast<uint32_t>(bitmap_size), out);
  out.append(reinterpret_cast<const char*>(bitmap.data()), bitmap_size);
  for (size_t i = 0; i < present; ++i) {
    for (size_t shift = 0; shift < width * 8; shift += 8) {
      out.push_back(static_cast<char>((ends[i] >> shift) & 0xFF));
    }
  }
  out.append(values);
  return out;
}

void FindingProjection::ForEachValue(uint16_t id,
                                     const std::function<bool(std::string_view)>& visit) const {
  std::string_view run = FindValues(encoded_, id);
  std::string_view value;
  while (NextValue(run, value)) {
    if (!visit(value)) return;
  }
}

std::optional<std::string_view> FindingProjection::FirstValue(uint16_t id) const {
  std::string_view run = FindValues(encoded_, id);
  std::string_view value;
  if (NextValue(run, value)) return value;
  return std::nullopt;
}

}  // namespace vigil
