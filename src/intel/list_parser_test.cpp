#include "intel/list_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {
namespace {

// Host-order address from its four octets, so expectations read like the input.
constexpr uint32_t Ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

Ipv4Range Single(uint32_t address) { return Ipv4Range{address, address}; }

std::vector<size_t> BadLineNumbers(const ParsedList& list) {
  std::vector<size_t> numbers;
  for (const BadLine& bad : list.bad_lines) numbers.push_back(bad.line);
  return numbers;
}

// ---- Formats by name ----

TEST(ListParserFormatTest, NamesRoundTrip) {
  for (const ListFormat format :
       {ListFormat::kTxt, ListFormat::kStix, ListFormat::kOtxCsv, ListFormat::kAlienVault,
        ListFormat::kProofPoint, ListFormat::kFireEye}) {
    EXPECT_EQ(ParseListFormat(ListFormatName(format)), format) << ListFormatName(format);
  }
  EXPECT_EQ(ListFormatName(ListFormat::kOtxCsv), "OTX_CSV");
  EXPECT_EQ(ParseListFormat("FIRE_EYE"), ListFormat::kFireEye);
}

TEST(ListParserFormatTest, RejectsUnknownNames) {
  EXPECT_EQ(ParseListFormat("txt"), std::nullopt);
  EXPECT_EQ(ParseListFormat("CSV"), std::nullopt);
  EXPECT_EQ(ParseListFormat(""), std::nullopt);
}

// ---- Addresses and entries ----

TEST(ListParserIpv4Test, ParsesDottedQuads) {
  EXPECT_EQ(ParseIpv4Address("198.51.100.1"), Ip(198, 51, 100, 1));
  EXPECT_EQ(ParseIpv4Address("0.0.0.0"), 0u);
  EXPECT_EQ(ParseIpv4Address("255.255.255.255"), UINT32_MAX);
}

TEST(ListParserIpv4Test, RejectsMalformedAddresses) {
  for (const char* text : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "010.1.1.1",
                           "1.2.3.04", "+1.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.",
                           "1.2.3.1000", "a.b.c.d", "1.2.3.4/24", "-1.2.3.4"}) {
    EXPECT_EQ(ParseIpv4Address(text), std::nullopt) << text;
  }
}

// The digit-by-digit parser ParseIpv4Address replaced, as the reference it must agree with.
std::optional<uint32_t> ReferenceIpv4Address(std::string_view text) {
  uint32_t address = 0;
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const size_t start = pos;
    uint32_t value = 0;
    while (pos < text.size() && pos - start < 3 && text[pos] >= '0' && text[pos] <= '9') {
      value = value * 10 + static_cast<uint32_t>(text[pos] - '0');
      ++pos;
    }
    const size_t digits = pos - start;
    if (digits == 0 || (digits > 1 && text[start] == '0') || value > 255) return std::nullopt;
    address = (address << 8) | value;
  }
  if (pos != text.size()) return std::nullopt;
  return address;
}

// Both forms of ParseIpv4Address agree with the reference on `text`, the second also when
// the text is followed by readable bytes that look like more address.
void ExpectAgreement(const std::string& text) {
  const std::optional<uint32_t> expected = ReferenceIpv4Address(text);
  ASSERT_EQ(ParseIpv4Address(text), expected) << "'" << text << "'";
  const std::string in_buffer = text + "1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9";
  uint32_t address = 0;
  const std::string_view view(in_buffer.data(), text.size());
  ASSERT_EQ(ParseIpv4Address(view, in_buffer.data() + in_buffer.size(), address),
            expected.has_value())
      << "'" << text << "'";
  if (expected) {
    ASSERT_EQ(address, *expected) << "'" << text << "'";
  }
}

TEST(ListParserIpv4Test, AgreesWithADigitByDigitParser) {
  // Strings of digits, dots and a few other characters, 0 to 18 long: mostly near misses.
  std::mt19937 random(17);
  constexpr char kAlphabet[] = "0123456789012345678901.....:x -/";
  for (int i = 0; i < 300000; ++i) {
    std::string text;
    const size_t length = random() % 19;
    for (size_t j = 0; j < length; ++j) text += kAlphabet[random() % (sizeof(kAlphabet) - 1)];
    ExpectAgreement(text);
  }
  // And well-formed addresses of every octet length, with leading zeros and out of range.
  for (int i = 0; i < 300000; ++i) {
    std::string text;
    for (int octet = 0; octet < 4; ++octet) {
      if (octet > 0) text += '.';
      text +=
          (random() % 16 == 0 ? "0" : "") + std::to_string(random() % (random() % 2 ? 256 : 1000));
    }
    ExpectAgreement(text);
  }
}

TEST(ListParserIpv4Test, ParsesCidrsIgnoringHostBits) {
  EXPECT_EQ(ParseIpv4Entry("192.0.2.0/24"), (Ipv4Range{Ip(192, 0, 2, 0), Ip(192, 0, 2, 255)}));
  EXPECT_EQ(ParseIpv4Entry("192.0.2.77/24"), (Ipv4Range{Ip(192, 0, 2, 0), Ip(192, 0, 2, 255)}));
  EXPECT_EQ(ParseIpv4Entry("10.1.2.3/8"), (Ipv4Range{Ip(10, 0, 0, 0), Ip(10, 255, 255, 255)}));
}

TEST(ListParserIpv4Test, CidrEdges) {
  EXPECT_EQ(ParseIpv4Entry("0.0.0.0/0"), (Ipv4Range{0, UINT32_MAX}));
  EXPECT_EQ(ParseIpv4Entry("203.0.113.9/0"), (Ipv4Range{0, UINT32_MAX}));
  EXPECT_EQ(ParseIpv4Entry("203.0.113.9/32"), Single(Ip(203, 0, 113, 9)));
  EXPECT_EQ(ParseIpv4Entry("203.0.113.9/31"), (Ipv4Range{Ip(203, 0, 113, 8), Ip(203, 0, 113, 9)}));
  EXPECT_EQ(ParseIpv4Entry("128.0.0.0/1"), (Ipv4Range{Ip(128, 0, 0, 0), UINT32_MAX}));
  for (const char* text : {"1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/8x",
                           "1.2.3.4/100", "1.2.3/8", "/8"}) {
    EXPECT_EQ(ParseIpv4Entry(text), std::nullopt) << text;
  }
}

TEST(ListParserIpv4Test, ParsesRanges) {
  EXPECT_EQ(ParseIpv4Entry("192.0.2.0-192.0.2.9"), (Ipv4Range{Ip(192, 0, 2, 0), Ip(192, 0, 2, 9)}));
  EXPECT_EQ(ParseIpv4Entry("192.0.2.5-192.0.2.5"), Single(Ip(192, 0, 2, 5)));
  EXPECT_EQ(ParseIpv4Entry("192.0.2.9-192.0.2.0"), std::nullopt);
  EXPECT_EQ(ParseIpv4Entry("192.0.2.0-"), std::nullopt);
  EXPECT_EQ(ParseIpv4Entry("bad-host.example.com"), std::nullopt);
}

TEST(ListParserIpv4Test, RecognizesIpv6) {
  EXPECT_TRUE(LooksLikeIpv6("2001:db8::1"));
  EXPECT_TRUE(LooksLikeIpv6("2001:DB8::/32"));
  EXPECT_TRUE(LooksLikeIpv6("::ffff:192.0.2.1"));
  EXPECT_FALSE(LooksLikeIpv6("192.0.2.1"));
  EXPECT_FALSE(LooksLikeIpv6("example.com"));
  EXPECT_FALSE(LooksLikeIpv6("http://example.com"));
}

// ---- TXT ----

TEST(ListParserTxtTest, ParsesTheReferenceExample) {
  const ParsedList list = ParseList(ListFormat::kTxt,
                                    "192.0.2.1\n"
                                    "192.0.2.0/24\n"
                                    "example.com\n"
                                    "*.example.org\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(192, 0, 2, 1)),
                                                 {Ip(192, 0, 2, 0), Ip(192, 0, 2, 255)}}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"example.com", "*.example.org"}));
  EXPECT_EQ(list.lines, 4u);
  EXPECT_EQ(list.entries(), 4u);
  EXPECT_EQ(list.bad_line_count, 0u);
  EXPECT_TRUE(list.bad_lines.empty());
}

TEST(ListParserTxtTest, ToleratesBomCrlfBlankLinesSpacesAndComments) {
  const ParsedList list = ParseList(ListFormat::kTxt,
                                    "\xEF\xBB\xBF# Emerging threats, 2024-05-01\r\n"
                                    "\r\n"
                                    "  198.51.100.7  \r\n"
                                    "\t203.0.113.0/25\r\n"
                                    "   # indented comment\r\n"
                                    "\r\n"
                                    "Evil.Example.NET.\r\n"
                                    "198.51.100.20-198.51.100.29");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 7)),
                                                 {Ip(203, 0, 113, 0), Ip(203, 0, 113, 127)},
                                                 {Ip(198, 51, 100, 20), Ip(198, 51, 100, 29)}}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"evil.example.net"}));
  EXPECT_EQ(list.lines, 4u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserTxtTest, ReportsBadLinesWithNumbersAndReasons) {
  const ParsedList list = ParseList(ListFormat::kTxt,
                                    "# header comment\n"
                                    "192.0.2.1\n"
                                    "1.2.3.4 # trailing comments are not allowed\n"
                                    "\n"
                                    "256.1.1.1\n"
                                    "192.0.2.0/33\n"
                                    "192.0.2.9-192.0.2.1\n"
                                    "localhost\n"
                                    "http://example.com/path\n"
                                    "xyz\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(192, 0, 2, 1))}));
  EXPECT_EQ(list.lines, 8u);
  EXPECT_EQ(list.bad_line_count, 7u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{3, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(list.bad_lines[0].reason,
            "not an IPv4 address, CIDR or domain: '1.2.3.4 # trailing comments are not allowed'");
  EXPECT_EQ(list.bad_lines[2].reason, "CIDR prefix length must be 0-32: '192.0.2.0/33'");
  EXPECT_EQ(list.bad_lines[3].reason, "range starts after it ends: '192.0.2.9-192.0.2.1'");
  EXPECT_EQ(list.bad_lines[6].reason, "not an IPv4 address, CIDR or domain: 'xyz'");
}

TEST(ListParserTxtTest, CountsIpv6AsIgnored) {
  const ParsedList list =
      ParseList(ListFormat::kTxt, "2001:db8::1\n2001:db8:1::/48\n192.0.2.1\n::1\n");
  EXPECT_EQ(list.ipv6_ignored, 3u);
  EXPECT_EQ(list.entries(), 1u);
  EXPECT_EQ(list.lines, 4u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserTxtTest, ValidatesDomains) {
  const std::string label63(63, 'a');
  const std::string label64(64, 'a');
  // Four labels of 63 and three dots make 255 characters, over the limit of 253.
  const std::string too_long = label63 + "." + label63 + "." + label63 + "." + label63;
  const ParsedList list =
      ParseList(ListFormat::kTxt,
                "xn--bcher-kva.example\n"
                "a-b.c-d.example\n" +
                    label63 + ".example.com\n" + label64 + ".example.com\n" + too_long +
                    "\n"
                    "under_score.example.com\n"
                    "double..dot.com\n"
                    ".leading.com\n"
                    "*.com\n"
                    "*.*.example.com\n"
                    "example.com..\n"
                    "caf\xC3\xA9.example\n");
  EXPECT_EQ(list.domains, (std::vector<std::string>{"xn--bcher-kva.example", "a-b.c-d.example",
                                                    label63 + ".example.com"}));
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(list.bad_lines.back().reason,
            "not an IPv4 address, CIDR or domain: 'caf?"
            "?.example'");
}

TEST(ListParserTxtTest, WildcardDomainsAreLowercasedAndKept) {
  const ParsedList list = ParseList(ListFormat::kTxt, "*.Example.ORG.\n*.a.b.example\n");
  EXPECT_EQ(list.domains, (std::vector<std::string>{"*.example.org", "*.a.b.example"}));
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserTxtTest, EmptyAndCommentOnlyFilesAreEmptyLists) {
  for (const char* content : {"", "\n\n", "\xEF\xBB\xBF", "# nothing here\r\n#\r\n"}) {
    const ParsedList list = ParseList(ListFormat::kTxt, content);
    EXPECT_EQ(list.entries(), 0u);
    EXPECT_EQ(list.lines, 0u);
    EXPECT_EQ(list.bad_line_count, 0u);
  }
}

TEST(ListParserTxtTest, CapsReportedBadLinesButCountsThemAll) {
  std::string content;
  for (int i = 0; i < 250; ++i) content += "not-an-entry\n";
  content += "192.0.2.1\n";
  const ParsedList list = ParseList(ListFormat::kTxt, content);
  EXPECT_EQ(list.bad_line_count, 250u);
  ASSERT_EQ(list.bad_lines.size(), ParsedList::kMaxReportedBadLines);
  EXPECT_EQ(list.bad_lines.front().line, 1u);
  EXPECT_EQ(list.bad_lines.back().line, ParsedList::kMaxReportedBadLines);
  EXPECT_EQ(list.entries(), 1u);
  EXPECT_EQ(list.lines, 251u);
}

TEST(ListParserTxtTest, QuotesLongAndBinaryValuesBoundedAndPrintable) {
  std::string content(500, 'x');
  content.append("\na\x01\xff");
  const ParsedList list = ParseList(ListFormat::kTxt, content);
  ASSERT_EQ(list.bad_lines.size(), 2u);
  EXPECT_LT(list.bad_lines[0].reason.size(), 140u);
  EXPECT_TRUE(list.bad_lines[0].reason.ends_with("...'"));
  EXPECT_EQ(list.bad_lines[1].reason,
            "not an IPv4 address, CIDR or domain: 'a?"
            "?'");
}

TEST(ListParserTxtTest, KeepsDuplicatesInFileOrder) {
  const ParsedList list = ParseList(ListFormat::kTxt, "192.0.2.1\n192.0.2.1\nA.example\na.example");
  EXPECT_EQ(list.ranges.size(), 2u);
  EXPECT_EQ(list.domains, (std::vector<std::string>{"a.example", "a.example"}));
}

// ---- STIX ----

constexpr char kStixReferenceExample[] =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"
    xmlns:cybox="http://cybox.mitre.org/cybox-2"
    xmlns:AddressObject="http://cybox.mitre.org/objects#AddressObject-2"
    xmlns:DomainNameObj="http://cybox.mitre.org/objects#DomainNameObject-1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <stix:Observables cybox_major_version="2" cybox_minor_version="1">
  <cybox:Observable><cybox:Object>
  <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
    <AddressObject:Address_Value condition="InclusiveBetween">192.0.2.0##comma##192.0.2.255</AddressObject:Address_Value>
  </cybox:Properties>
  </cybox:Object></cybox:Observable>
  <cybox:Observable><cybox:Object>
  <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
    <AddressObject:Address_Value>198.51.100.1</AddressObject:Address_Value></cybox:Properties>
  </cybox:Object></cybox:Observable>
  <cybox:Observable><cybox:Object>
  <cybox:Properties xsi:type="DomainNameObj:DomainNameObjectType">
    <DomainNameObj:Value condition="Equals">bad.example.com</DomainNameObj:Value></cybox:Properties>
  </cybox:Object></cybox:Observable>
 </stix:Observables>
</stix:STIX_Package>
)";

TEST(ListParserStixTest, ParsesTheReferenceExample) {
  const ParsedList list = ParseList(ListFormat::kStix, kStixReferenceExample);
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{{Ip(192, 0, 2, 0), Ip(192, 0, 2, 255)},
                                                 Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"bad.example.com"}));
  EXPECT_EQ(list.lines, 3u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserStixTest, ParsesListsCategoriesAndOtherPrefixes) {
  const ParsedList list = ParseList(ListFormat::kStix, R"(<root>
<Properties type="AddressObjectType" category="ipv4-addr">
  <Address_Value condition="Equals" apply_condition="ANY">198.51.100.1##comma##198.51.100.2##comma##203.0.113.0/24</Address_Value>
</Properties>
<Properties category="ipv4-addr">
  <a:Address_Value condition="Equals" apply_condition="ANY">198.51.100.3, 198.51.100.4</a:Address_Value>
</Properties>
<Properties><Address_Value>  198.51.100.5  </Address_Value></Properties>
<Properties category="ipv6-addr"><Address_Value>2001:db8::1##comma##2001:db8::2</Address_Value></Properties>
<Properties category="e-mail"><Address_Value>someone@example.com</Address_Value></Properties>
<Properties xsi:type="DomainNameObj:DomainNameObjectType">
  <DNO:Value condition="Equals" apply_condition="ANY">One.Example.com##comma##two.example.com.</DNO:Value>
</Properties>
<WhoisObj:Domain_Name><URIObj:Value>whois.example.net</URIObj:Value></WhoisObj:Domain_Name>
<Domain_Name>bare.example.org</Domain_Name>
<Properties xsi:type="URIObj:URIObjectType" type="Domain Name"><URIObj:Value>uri.example.org</URIObj:Value></Properties>
<Properties xsi:type="URIObj:URIObjectType" type="URL"><URIObj:Value>http://not-a-domain.example/</URIObj:Value></Properties>
<DomainNameObj:Value><![CDATA[cdata.example.com]]></DomainNameObj:Value>
</root>)");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1)),
                                                 Single(Ip(198, 51, 100, 2)),
                                                 {Ip(203, 0, 113, 0), Ip(203, 0, 113, 255)},
                                                 Single(Ip(198, 51, 100, 3)),
                                                 Single(Ip(198, 51, 100, 4)),
                                                 Single(Ip(198, 51, 100, 5))}));
  EXPECT_EQ(list.domains,
            (std::vector<std::string>{"one.example.com", "two.example.com", "whois.example.net",
                                      "bare.example.org", "uri.example.org", "cdata.example.com"}));
  EXPECT_EQ(list.ipv6_ignored, 2u);
  EXPECT_EQ(list.lines, 14u);
  EXPECT_EQ(list.bad_line_count, 0u) << (list.bad_lines.empty() ? "" : list.bad_lines[0].reason);
}

TEST(ListParserStixTest, ReportsBadValuesWithTheirLines) {
  const ParsedList list =
      ParseList(ListFormat::kStix,
                "<root>\n"                                          // 1
                "<Address_Value>198.51.100.1</Address_Value>\n"     // 2
                "<Address_Value>not-an-ip</Address_Value>\n"        // 3
                "<Address_Value condition=\"InclusiveBetween\">\n"  // 4
                "  192.0.2.9##comma##192.0.2.1</Address_Value>\n"   // 5
                "<Address_Value condition=\"StartsWith\">10.</Address_Value>\n"
                "<DomainNameObj:Value>198.51.100.7</DomainNameObj:Value>\n"  // 7
                "<Address_Value/>\n"                                         // 8
                "</root>\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.lines, 6u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{3, 4, 6, 7, 8}));
  EXPECT_EQ(list.bad_lines[0].reason, "not an IPv4 address or CIDR: 'not-an-ip'");
  EXPECT_EQ(list.bad_lines[1].reason,
            "InclusiveBetween needs 'first##comma##last' IPv4 addresses: "
            "'192.0.2.9##comma##192.0.2.1'");
  EXPECT_EQ(list.bad_lines[2].reason, "condition 'StartsWith' is not supported");
  EXPECT_EQ(list.bad_lines[3].reason, "not a domain: '198.51.100.7'");
  EXPECT_EQ(list.bad_lines[4].reason, "empty indicator");
}

TEST(ListParserStixTest, MalformedXmlIsOneBadLineAndNoEntries) {
  const ParsedList list = ParseList(ListFormat::kStix,
                                    "<root>\n"
                                    "<Address_Value>198.51.100.1</Address_Value>\n"
                                    "<Address_Value>198.51.100.2</Wrong>\n"
                                    "</root>\n");
  EXPECT_EQ(list.entries(), 0u);
  EXPECT_EQ(list.lines, 0u);
  EXPECT_EQ(list.bad_line_count, 1u);
  ASSERT_EQ(list.bad_lines.size(), 1u);
  EXPECT_EQ(list.bad_lines[0].line, 3u);
  EXPECT_TRUE(list.bad_lines[0].reason.starts_with("malformed XML: ")) << list.bad_lines[0].reason;
}

TEST(ListParserStixTest, ToleratesBomCrlfAndEmptyFiles) {
  const ParsedList list = ParseList(ListFormat::kStix,
                                    "\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<root>\r\n"
                                    "<Address_Value>\r\n 198.51.100.1 \r\n</Address_Value>\r\n"
                                    "<Address_Value>bad</Address_Value>\r\n</root>\r\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{6}));

  for (const char* content : {"", "  \r\n", "\xEF\xBB\xBF"}) {
    const ParsedList empty = ParseList(ListFormat::kStix, content);
    EXPECT_EQ(empty.entries(), 0u);
    EXPECT_EQ(empty.bad_line_count, 0u);
  }
  EXPECT_EQ(ParseList(ListFormat::kStix, "not xml at all").bad_line_count, 1u);
}

TEST(ListParserStixTest, SurvivesDeepNesting) {
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "<a>";
  content += "<Address_Value>198.51.100.1</Address_Value>";
  for (int i = 0; i < 100000; ++i) content += "</a>";
  const ParsedList list = ParseList(ListFormat::kStix, content);
  EXPECT_EQ(list.entries(), 1u);
}

// ---- OTX_CSV ----

TEST(ListParserOtxCsvTest, ParsesTheReferenceExample) {
  const ParsedList list = ParseList(ListFormat::kOtxCsv,
                                    "Indicator type, Indicator, Description\n"
                                    "CIDR, 192.0.2.0/24, example\n"
                                    "IPv4, 198.51.100.1, example\n"
                                    "Domain name, example.net, example\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{{Ip(192, 0, 2, 0), Ip(192, 0, 2, 255)},
                                                 Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"example.net"}));
  EXPECT_EQ(list.lines, 3u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserOtxCsvTest, ToleratesNoHeaderQuotesIpv6AndReportsOtherTypes) {
  const ParsedList list = ParseList(ListFormat::kOtxCsv,
                                    "\xEF\xBB\xBFIPv4,198.51.100.1,Scanning host\r\n"        // 1
                                    "\"hostname\",\"c2.Example.com\",\"C2, beaconing\"\r\n"  // 2
                                    "IPv6, 2001:db8::1, v6 host\r\n"                         // 3
                                    "FileHash-SHA256, e3b0c44298fc1c14, dropper\r\n"         // 4
                                    "IPv4, example.com, wrong type\r\n"                      // 5
                                    "Domain name, 198.51.100.9, wrong type\r\n"              // 6
                                    "just-one-cell\r\n"                                      // 7
                                    "# a comment\r\n"                                        // 8
                                    "IPv4, , empty\r\n");                                    // 9
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"c2.example.com"}));
  EXPECT_EQ(list.ipv6_ignored, 1u);
  EXPECT_EQ(list.lines, 8u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{4, 5, 6, 7, 9}));
  EXPECT_EQ(list.bad_lines[0].reason, "unsupported indicator type 'FileHash-SHA256'");
  EXPECT_EQ(list.bad_lines[1].reason, "not an IPv4 address or CIDR: 'example.com'");
  EXPECT_EQ(list.bad_lines[2].reason, "not a domain: '198.51.100.9'");
  EXPECT_EQ(list.bad_lines[3].reason, "expected 'type, indicator, description': 'just-one-cell'");
  EXPECT_EQ(list.bad_lines[4].reason, "empty indicator");
}

TEST(ListParserOtxCsvTest, OnlyTheFirstLineCanBeAHeader) {
  const ParsedList list = ParseList(
      ListFormat::kOtxCsv, "IPv4, 198.51.100.1, x\nIndicator type, Indicator, Description\n");
  EXPECT_EQ(list.entries(), 1u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{2}));
}

// ---- ALIEN_VAULT ----

TEST(ListParserAlienVaultTest, ParsesTheReferenceExample) {
  const ParsedList list =
      ParseList(ListFormat::kAlienVault,
                "198.51.100.1#4#2#Malicious Host#US##0.0,0.0#3\n"
                "www.example.com#4#2#Malicious Host#PL##52.2393989563,21.0361995697#3\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"www.example.com"}));
  EXPECT_EQ(list.lines, 2u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserAlienVaultTest, HandlesCommentsBomCrlfIpv6AndBadLines) {
  const ParsedList list = ParseList(ListFormat::kAlienVault,
                                    "\xEF\xBB\xBF# reputation.data generated 2024-05-01\r\n"  // 1
                                    "\r\n"                                                    // 2
                                    " 203.0.113.5 #3#2#Scanning Host#CN#Beijing#39.9,116.3#2\r\n"
                                    "2001:db8::5#3#2#Scanning Host#CN##0.0,0.0#2\r\n"  // 4
                                    "#4#2#Malicious Host#US##0.0,0.0#3\r\n"            // 5: comment
                                    "not an ip#4#2#Malicious Host#US##0.0,0.0#3\r\n"   // 6
                                    "198.51.100.77\r\n");                              // 7
  EXPECT_EQ(list.ranges,
            (std::vector<Ipv4Range>{Single(Ip(203, 0, 113, 5)), Single(Ip(198, 51, 100, 77))}));
  EXPECT_EQ(list.ipv6_ignored, 1u);
  EXPECT_EQ(list.lines, 4u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{6}));
  EXPECT_EQ(list.bad_lines[0].reason, "not an IPv4 address, CIDR or domain: 'not an ip'");
}

// ---- PROOF_POINT ----

TEST(ListParserProofPointTest, ParsesTheReferenceExample) {
  const ParsedList list = ParseList(ListFormat::kProofPoint,
                                    "ip, category, score, first_seen, last_seen, ports (|)\n"
                                    "198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\n"
                                    "203.0.113.1, 1, 100, 2000-01-01, 2000-01-01, 80\n");
  EXPECT_EQ(list.ranges,
            (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1)), Single(Ip(203, 0, 113, 1))}));
  EXPECT_EQ(list.lines, 2u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserProofPointTest, ParsesDomainListsAndReportsBadRows) {
  const ParsedList list = ParseList(ListFormat::kProofPoint,
                                    "\xEF\xBB\xBF"
                                    "domain, category, score, first_seen, last_seen, ports (|)\r\n"
                                    "Malware.Example.com, 33, 127, 2024-01-01, 2024-05-01,\r\n"
                                    "\r\n"
                                    "2001:db8::7, 1, 100, 2000-01-01, 2000-01-01, 443|80\r\n"
                                    "bogus value, 1, 100, 2000-01-01, 2000-01-01,\r\n"
                                    "ip, category, score, first_seen, last_seen, ports (|)\r\n");
  EXPECT_EQ(list.domains, (std::vector<std::string>{"malware.example.com"}));
  EXPECT_EQ(list.ipv6_ignored, 1u);
  EXPECT_EQ(list.lines, 4u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{5, 6}));
  EXPECT_EQ(list.bad_lines[0].reason, "not an IPv4 address, CIDR or domain: 'bogus value'");
}

TEST(ListParserProofPointTest, ToleratesAMissingHeader) {
  const ParsedList list =
      ParseList(ListFormat::kProofPoint, "198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\n");
  EXPECT_EQ(list.entries(), 1u);
  EXPECT_EQ(list.lines, 1u);
}

// ---- FIRE_EYE ----

constexpr char kFireEyeHeader[] =
    "reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, "
    "webLink, emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, "
    "recipient, emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, sha256, "
    "description, fileType, packer, userAgent, registry, fileCompilationDateTime, filePath, asn, "
    "cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, registrantEmail, "
    "registrantName, networkType, url, malwareFamily, malwareFamilyId, actor, actorId, "
    "observationTime\n";

constexpr char kFireEyeReferenceRow[] =
    "01-00000002, Example, Test, Operational, threat, 1494944400, "
    "https://www.example.com/report/01-00000002, https://www.example.com/report/01-00000002, , , "
    ", , , , , , , , , , , , , , , , , , , , , , , , Related, 198.51.100.1, , , , , network, , "
    "Ursnif, 12ab7bc4-62ed-49fa-99e3-14b92afc41bf, , ,1494944400\n";

// Builds an iSIGHT row of 47 cells with the given cidr, domain and ip cells.
std::string FireEyeRow(std::string_view cidr, std::string_view domain, std::string_view ip) {
  std::string row = "01-00000003, \"Title, with comma\", Test, Operational, threat, 1494944400";
  for (int column = 6; column < 47; ++column) {
    row += ", ";
    if (column == 31) row += cidr;
    if (column == 32) row += domain;
    if (column == 35) row += ip;
  }
  return row + "\n";
}

TEST(ListParserFireEyeTest, ParsesTheReferenceExample) {
  const ParsedList list =
      ParseList(ListFormat::kFireEye, std::string(kFireEyeHeader) + kFireEyeReferenceRow);
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.lines, 1u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserFireEyeTest, ReadsEveryIndicatorOfARowWithoutAHeader) {
  const ParsedList list =
      ParseList(ListFormat::kFireEye, std::string(kFireEyeReferenceRow) +
                                          FireEyeRow("203.0.113.0/24", "C2.Example.net", "") +
                                          FireEyeRow("", "", "") +  // a file-hash-only row
                                          FireEyeRow("192.0.2.0/30", "evil.example", "192.0.2.1"));
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1)),
                                                 {Ip(203, 0, 113, 0), Ip(203, 0, 113, 255)},
                                                 {Ip(192, 0, 2, 0), Ip(192, 0, 2, 3)},
                                                 Single(Ip(192, 0, 2, 1))}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"c2.example.net", "evil.example"}));
  EXPECT_EQ(list.lines, 4u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

TEST(ListParserFireEyeTest, UsesTheHeaderToFindColumns) {
  const ParsedList list = ParseList(ListFormat::kFireEye,
                                    "\xEF\xBB\xBFreportId,domain,ip,cidr\r\n"
                                    "01-1,bad.example.com,198.51.100.1,\r\n"
                                    "01-2,,2001:db8::1,192.0.2.0/24\r\n");
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1)),
                                                 {Ip(192, 0, 2, 0), Ip(192, 0, 2, 255)}}));
  EXPECT_EQ(list.domains, (std::vector<std::string>{"bad.example.com"}));
  EXPECT_EQ(list.ipv6_ignored, 1u);
  EXPECT_EQ(list.lines, 2u);
}

TEST(ListParserFireEyeTest, ReportsOneBadLinePerRowAndShortRows) {
  const ParsedList list =
      ParseList(ListFormat::kFireEye,
                std::string(kFireEyeHeader) +                                     // 1
                    FireEyeRow("192.0.2.0/40", "not a domain", "198.51.100.1") +  // 2
                    "01-00000004, short, row\n" +                                 // 3
                    FireEyeRow("", "198.51.100.8", ""));                          // 4
  EXPECT_EQ(list.ranges, (std::vector<Ipv4Range>{Single(Ip(198, 51, 100, 1))}));
  EXPECT_EQ(list.lines, 3u);
  EXPECT_EQ(list.bad_line_count, 3u);
  EXPECT_EQ(BadLineNumbers(list), (std::vector<size_t>{2, 3, 4}));
  EXPECT_EQ(list.bad_lines[0].reason,
            "cidr column: CIDR prefix length must be 0-32: '192.0.2.0/40'");
  EXPECT_EQ(list.bad_lines[1].reason, "expected at least 36 columns, found 3");
  EXPECT_EQ(list.bad_lines[2].reason, "domain column: not a domain: '198.51.100.8'");
}

TEST(ListParserFireEyeTest, EmptyFileAndHeaderOnly) {
  EXPECT_EQ(ParseList(ListFormat::kFireEye, "").lines, 0u);
  const ParsedList list = ParseList(ListFormat::kFireEye, kFireEyeHeader);
  EXPECT_EQ(list.lines, 0u);
  EXPECT_EQ(list.bad_line_count, 0u);
}

// ---- All formats ----

TEST(ListParserAllFormatsTest, EmptyContentIsAnEmptyList) {
  for (int index = 0; index < 6; ++index) {
    const ParsedList list = ParseList(static_cast<ListFormat>(index), "");
    EXPECT_EQ(list.entries(), 0u) << index;
    EXPECT_EQ(list.lines, 0u) << index;
    EXPECT_EQ(list.bad_line_count, 0u) << index;
  }
}

TEST(ListParserAllFormatsTest, BinaryGarbageIsReportedNotFatal) {
  const std::string garbage("\x00\xff\xfe,#\"<\n\x01\x02##comma##\r\r\n\"", 22);
  for (int index = 0; index < 6; ++index) {
    const ParsedList list = ParseList(static_cast<ListFormat>(index), garbage);
    EXPECT_EQ(list.entries(), 0u) << index;
    EXPECT_LE(list.bad_lines.size(), list.bad_line_count) << index;
  }
}

}  // namespace
}  // namespace vigil
