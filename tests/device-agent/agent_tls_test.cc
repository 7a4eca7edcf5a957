// An agent serving TLS: a client that trusts its certificate gets through; a plaintext
// client does not. The certificate is made for 127.0.0.1 by openssl in the test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/device-agent/agent_test_util.h"

namespace nas::agent {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AgentTlsTest, ServesTlsToClientsThatTrustItsCertificate) {
  const std::string dir = ::testing::TempDir();
  const std::string cert = dir + "agent_cert.pem", key = dir + "agent_key.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + key + " -out " + cert +
      " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  AgentOptions options = testing::LocalOptions();
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  auto server = AgentServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();

  grpc::SslCredentialsOptions trust;
  trust.pem_root_certs = ReadAll(cert);
  auto secure = DeviceAgent::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::SslCredentials(trust)));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  HealthStatus health;
  grpc::Status status = secure->Health(&context, HealthRequest(), &health);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(health.serving());

  auto plain = testing::Connect((*server)->address());
  grpc::ClientContext plain_context;
  plain_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_FALSE(plain->Health(&plain_context, HealthRequest(), &health).ok());

  options.tls_key_file = dir + "missing.pem";
  auto broken = AgentServer::Start(options);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("--tls-key: cannot read"), std::string::npos);
}

}  // namespace
}  // namespace nas::agent
