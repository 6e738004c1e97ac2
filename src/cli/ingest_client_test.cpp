#include "cli/ingest_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil {
namespace {

TEST(ParseIngestAnswerTest, ReadsTheCountsAndTheFirstRejection) {
  auto counts =
      ParseIngestAnswer(R"({"records":81,"rejected":2,"findingsCreated":3,"findingsUpdated":1,)"
                        R"("rejectedRecords":[{"position":7,"reason":"14 fields, expected 14+"},)"
                        R"({"position":9,"reason":"bad address"}]})");
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->records, 81u);
  EXPECT_EQ(counts->rejected, 2u);
  EXPECT_EQ(counts->findings_created, 3u);
  EXPECT_EQ(counts->findings_updated, 1u);
  EXPECT_EQ(counts->first_rejection, "7: 14 fields, expected 14+");
}

TEST(ParseIngestAnswerTest, NoRejectionsLeaveTheFirstRejectionEmpty) {
  auto counts = ParseIngestAnswer(
      R"({"records":1,"rejected":0,"findingsCreated":0,"findingsUpdated":0,"rejectedRecords":[]})");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->first_rejection, "");
}

TEST(ParseIngestAnswerTest, AnythingElseIsAnError) {
  for (const char* body :
       {"", "<html>proxy error</html>", "[]", R"({"records":1})",
        R"({"records":"1","rejected":0,"findingsCreated":0,"findingsUpdated":0})",
        R"({"records":-1,"rejected":0,"findingsCreated":0,"findingsUpdated":0})"}) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(ParseIngestAnswer(body).ok());
  }
}

TEST(DescribeErrorAnswerTest, UsesTheMessageOfAGuardDutyError) {
  EXPECT_EQ(DescribeErrorAnswer(400, R"({"message":"not owned","__type":"InvalidInputException"})"),
            "HTTP 400: not owned");
  EXPECT_EQ(DescribeErrorAnswer(403, R"({"Message":"bad signature"})"), "HTTP 403: bad signature");
}

TEST(DescribeErrorAnswerTest, FallsBackToTheFirstLineOfTheBody) {
  EXPECT_EQ(DescribeErrorAnswer(502, "Bad Gateway\r\nmore"), "HTTP 502: Bad Gateway");
  EXPECT_EQ(DescribeErrorAnswer(500, ""), "HTTP 500");
  EXPECT_EQ(DescribeErrorAnswer(413, std::string(1000, 'x')).size(),
            std::string("HTTP 413: ").size() + 300 + 3);
}

// A local port with nothing listening on it (it was free a moment ago).
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(IngestClientTest, AServerThatIsNotListeningIsUnreachableAfterTheRetries) {
  IngestTarget target{"http://127.0.0.1:" + std::to_string(ClosedPort()), "d", "flowlogs",
                      "us-east-1", AwsCredentials{"111122223333", "secret", ""}};
  IngestClient client(target, RetryPolicy{3, std::chrono::milliseconds(1)});
  const PostResult result = client.Post("2 111122223333 eni-1 ...\n");
  EXPECT_EQ(result.outcome, PostResult::Outcome::kUnreachable);
  EXPECT_NE(result.error.find("cannot reach http://127.0.0.1:"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("(3 attempts)"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace vigil
