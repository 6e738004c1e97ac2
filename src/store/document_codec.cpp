#include "store/document_codec.h"

#include <zlib.h>

namespace vigil {

namespace {

constexpr char kCodecZlibDictionaryV1 = '\x01';

// Never edit: rows written with it must stay readable. A new dictionary is a new codec.
// zlib prefers matches near the dictionary's end, so the commonest strings come last.
constexpr std::string_view kDictionaryV1 =
    R"("kubernetesDetails":{"ebsVolumeDetails":{"ecsClusterDetails":{"containerDetails":{)"
    R"("eksClusterDetails":{"s3BucketDetails":[{"defaultServerSideEncryption":{"encryptionType":")"
    R"("publicAccess":{"permissionConfiguration":{"bucketLevelPermissions":{"accessControlList":{)"
    R"("allowsPublicReadAccess":false,"allowsPublicWriteAccess":false},"bucketPolicy":{)"
    R"("blockPublicAccess":{"ignorePublicAcls":false,"restrictPublicBuckets":false,)"
    R"("blockPublicAcls":false,"blockPublicPolicy":false}},"accountLevelPermissions":{)"
    R"("effectivePermission":"NOT_PUBLIC"},"owner":{"id":"},"type":"Destination","createdAt":)"
    R"("accessKeyDetails":{"accessKeyId":"ASIA","principalId":"","userName":"","userType":"IAMUser"})"
    R"("awsApiCallAction":{"api":"","serviceName":"","callerType":"Remote IP","errorCode":")"
    R"("userAgent":"","remoteAccountDetails":{"accountId":"","affiliated":false},"domainDetails":{)"
    R"("dnsRequestAction":{"domain":"","protocol":"UDP","blocked":false},)"
    R"("portProbeAction":{"blocked":false,"portProbeDetails":[{"localPortDetails":{"port":)"
    R"("localIpDetails":{"ipAddressV4":"10.0.0.)"
    R"("evidence":{"threatIntelligenceDetails":[{"threatListName":"","threatNames":["]}]},)"
    R"("additionalInfo":{"value":"{\"threatListName\":\"\",\"sample\":true}","type":"default"},)"
    R"("productCodes":[{"productCodeId":"","productCodeType":""}],"iamInstanceProfile":{"arn":)"
    R"("arn:aws:iam::","id":""},"platform":"","instanceState":"running","availabilityZone":")"
    R"("imageId":"ami-","imageDescription":"","launchTime":"","instanceType":"m5.large",)"
    R"("networkInterfaces":[{"ipv6Addresses":[],"networkInterfaceId":"eni-","privateDnsName":")"
    R"(ip-10-0-0-1.ec2.internal","privateIpAddress":"10.0.0.1","privateIpAddresses":[{)"
    R"("subnetId":"subnet-","vpcId":"vpc-","securityGroups":[{"groupName":"","groupId":"sg-"}],)"
    R"("publicDnsName":"ec2-","publicIp":""}],"tags":[{"key":"Name","value":""}],)"
    R"("resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-",)"
    R"("service":{"serviceName":"guardduty","detectorId":"","featureName":"FlowLogs",)"
    R"("action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{)"
    R"("connectionDirection":"INBOUND","remoteIpDetails":{"ipAddressV4":"","organization":{)"
    R"("asn":"","asnOrg":"","isp":"","org":""},"country":{"countryName":""},"city":{"cityName":""},)"
    R"("geoLocation":{"lat":0,"lon":0}},"remotePortDetails":{"port":,"portName":"Unknown"},)"
    R"("localPortDetails":{"port":22,"portName":"SSH"},"protocol":"TCP","blocked":false}},)"
    R"("resourceRole":"TARGET","eventFirstSeen":"2026-","eventLastSeen":"2026-",)"
    R"("archived":false,"count":1,"userFeedback":"USEFUL"},"severity":8,"confidence":5,)"
    R"("createdAt":"2026-","updatedAt":"2026-","title":"","description":"",)"
    R"({"accountId":"","arn":"arn:aws:guardduty:us-east-1:","detector/","/finding/",)"
    R"("id":"","partition":"aws","region":"us-east-1","schemaVersion":"2.0","type":"",)";

}  // namespace

std::string CompressDocument(std::string_view json) {
  z_stream stream{};
  deflateInit(&stream, Z_BEST_SPEED);
  deflateSetDictionary(&stream, reinterpret_cast<const Bytef*>(kDictionaryV1.data()),
                       static_cast<uInt>(kDictionaryV1.size()));
  std::string out(1 + deflateBound(&stream, static_cast<uLong>(json.size())), '\0');
  out[0] = kCodecZlibDictionaryV1;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(json.data()));
  stream.avail_in = static_cast<uInt>(json.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data() + 1);
  stream.avail_out = static_cast<uInt>(out.size() - 1);
  deflate(&stream, Z_FINISH);  // deflateBound guarantees room: Z_STREAM_END
  out.resize(1 + stream.total_out);
  deflateEnd(&stream);
  return out;
}

StatusOr<std::string> DecompressDocument(std::string_view stored) {
  if (stored.empty() || stored[0] != kCodecZlibDictionaryV1) {
    return Status::Internal("a stored finding has an unknown document codec");
  }
  z_stream stream{};
  inflateInit(&stream);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stored.data() + 1));
  stream.avail_in = static_cast<uInt>(stored.size() - 1);
  std::string out;
  char buffer[16384];
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    if (result == Z_NEED_DICT) {
      result = inflateSetDictionary(&stream, reinterpret_cast<const Bytef*>(kDictionaryV1.data()),
                                    static_cast<uInt>(kDictionaryV1.size()));
      if (result == Z_OK) continue;
    }
    if (result != Z_OK && result != Z_STREAM_END) {
      inflateEnd(&stream);
      return Status::Internal("a stored finding document is corrupt");
    }
    out.append(buffer, sizeof(buffer) - stream.avail_out);
    if (result == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return Status::Internal("a stored finding document is truncated");
    }
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace vigil
