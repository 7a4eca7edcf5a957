// References read from GGUF checkpoints: a space names a tiny LFM2 GGUF by a path relative
// to the space file; loading makes it absolute, resolves the reference's spec from the
// header (labelled by the file's name), and its measure requests name the file by its
// base name with the file's weight type. Missing, non-LFM2 and inexpressible files are
// space errors naming the reference and the path.
#include "star/gguf_reference.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "google/protobuf/util/message_differencer.h"
#include "liv/model/spec_source.h"
#include "star/measure_requests.h"
#include "star/search_space.h"
#include "tests/liv/formats/lfm2_gguf_file.h"
#include "tests/star/campaign_test_util.h"

namespace nas::star {
namespace {

namespace fs = std::filesystem;
using ::google::protobuf::util::MessageDifferencer;

// TempDir()/NAME.textproto: the tiny space whose first reference is `gguf`.
std::string SpaceWithGguf(const std::string& name, const std::string& gguf) {
  return testing::WriteTinySpace(name, {"127.0.0.1:50061"}, {"127.0.0.1:50063"},
                                 [&](SearchSpace& space) {
                                   Reference* first = space.mutable_references(0);
                                   first->Clear();
                                   first->set_gguf(gguf);
                                 });
}

std::string Absolute(const std::string& relative) {
  return fs::absolute(fs::path(::testing::TempDir()) / relative).lexically_normal().string();
}

class GgufReferenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::create_directories(Absolute("gguf-reference-models"));
    ASSERT_TRUE(liv::testing::WriteTinyLfm2Gguf(Absolute("gguf-reference-models/tiny-lfm2.gguf"),
                                                liv::GgmlType::kQ8_0)
                    .ok());
  }
};

TEST_F(GgufReferenceTest, ResolvesTheSpecFromTheFileRelativeToTheSpace) {
  const std::string path = SpaceWithGguf("gguf_space", "gguf-reference-models/tiny-lfm2.gguf");
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(path);
  ASSERT_TRUE(space.ok()) << space.status();
  const Reference& reference = space->references(0);
  EXPECT_EQ(reference.gguf(), Absolute("gguf-reference-models/tiny-lfm2.gguf"));
  EXPECT_EQ(ReferenceLabel(reference), "tiny-lfm2");

  absl::StatusOr<ArchSpec> spec = ResolveReference(reference);
  ASSERT_TRUE(spec.ok()) << spec.status();
  ArchSpec expected = liv::LoadArchSpec(liv::testing::kTinyLfm2Spec).value();
  expected.set_name("tiny-lfm2");
  EXPECT_TRUE(MessageDifferencer::Equals(*spec, expected)) << spec->ShortDebugString();

  absl::StatusOr<GgufReferenceModel> model = ReadGgufReference(reference.gguf());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->weight_type, "q8_0");
  EXPECT_EQ(model->file_name, "tiny-lfm2.gguf");
}

TEST_F(GgufReferenceTest, RequestsNameTheFileAndItsWeightType) {
  absl::StatusOr<SearchSpace> space =
      LoadSearchSpace(SpaceWithGguf("gguf_requests", "gguf-reference-models/tiny-lfm2.gguf"));
  ASSERT_TRUE(space.ok()) << space.status();
  ASSERT_EQ(space->weight_type(), "f32");
  absl::StatusOr<GgufReferenceModel> model = ReadGgufReference(space->references(0).gguf());
  ASSERT_TRUE(model.ok()) << model.status();
  agent::MeasureRequest request =
      MakeMeasureRequest(*space, space->devices(0), model->spec, "id-1");
  UseGgufModel(*model, &request);
  EXPECT_EQ(request.model_case(), agent::MeasureRequest::kGguf);
  EXPECT_EQ(request.gguf(), "tiny-lfm2.gguf");
  EXPECT_EQ(request.weight_type(), "q8_0");
  EXPECT_EQ(request.gguf_fingerprint(),
            liv::testing::FileFingerprint(space->references(0).gguf()));
  EXPECT_EQ(request.request_id(), "id-1");
  EXPECT_EQ(request.seed(), kMeasurementSeed);
  EXPECT_EQ(request.deadline_seconds(), space->devices(0).deadline_seconds());
}

// A checkpoint's measurements have their own key: never those of its architecture with
// random weights, here, in a reuse store or in an agent's request ids.
TEST_F(GgufReferenceTest, ACheckpointIsMeasuredUnderItsOwnKey) {
  absl::StatusOr<SearchSpace> space =
      LoadSearchSpace(SpaceWithGguf("gguf_key", "gguf-reference-models/tiny-lfm2.gguf"));
  ASSERT_TRUE(space.ok()) << space.status();
  const DeviceClass& device = space->devices(0);
  const std::string plain = ProtocolKey(*space, device);
  EXPECT_EQ(CandidateProtocolKey(*space, device, "tiny-lfm2"), plain + "-gguf-tiny-lfm2.gguf");
  EXPECT_EQ(CandidateProtocolKey(*space, device, "tiny-transformer"), plain);  // a spec
  EXPECT_EQ(CandidateProtocolKey(*space, device, ""), plain);                  // searched
}

TEST_F(GgufReferenceTest, AbsolutePathsStayAsTheyAre) {
  const std::string absolute = Absolute("gguf-reference-models/tiny-lfm2.gguf");
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(SpaceWithGguf("gguf_absolute", absolute));
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_EQ(space->references(0).gguf(), absolute);
}

// The one-line error of loading a space whose first reference is `gguf`, without its
// "FILE:LINE:COL: " prefix (checked by the bad-space tests).
std::string LoadError(const std::string& name, const std::string& gguf) {
  absl::StatusOr<SearchSpace> space = LoadSearchSpace(SpaceWithGguf(name, gguf));
  EXPECT_FALSE(space.ok());
  EXPECT_EQ(space.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(space.status().message());
  const size_t at = message.find(": references[");
  return at == std::string::npos ? message : message.substr(at + 2);
}

TEST_F(GgufReferenceTest, ErrorsNameTheReferenceAndThePath) {
  EXPECT_EQ(LoadError("gguf_missing", "gguf-reference-models/absent.gguf"),
            "references[0].gguf: cannot open " + Absolute("gguf-reference-models/absent.gguf") +
                ": No such file or directory");

  const std::string llama = Absolute("gguf-reference-models/llama.gguf");
  ASSERT_TRUE(liv::testing::WriteGgufOfArchitecture(llama, "llama").ok());
  EXPECT_EQ(LoadError("gguf_llama", "gguf-reference-models/llama.gguf"),
            "references[0].gguf: " + llama + ": unsupported architecture llama (only lfm2)");

  ArchSpec small_vocab = liv::LoadArchSpec(liv::testing::kTinyLfm2Spec).value();
  small_vocab.set_vocab_size(128);
  const std::string other = Absolute("gguf-reference-models/vocab128.gguf");
  ASSERT_TRUE(liv::testing::WriteLfm2Gguf(small_vocab, other).ok());
  EXPECT_EQ(LoadError("gguf_vocab", "gguf-reference-models/vocab128.gguf"),
            "references[0].gguf: " + other +
                " is not expressible in this space: vocab_size: 128 differs from the space's "
                "(256)");

  EXPECT_EQ(LoadError("gguf_empty", ""),
            "references[0].gguf: empty (the path of an LFM2 GGUF file)");
}

}  // namespace
}  // namespace nas::star
