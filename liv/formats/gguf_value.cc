// The ordered metadata store and its typed getters' errors.

#include "liv/formats/gguf_value.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace nas::liv {

size_t GgufArray::size() const {
  return std::visit(
      [](const auto& v) -> size_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
          return 0;
        } else {
          return v.size();
        }
      },
      elements);
}

std::string DescribeType(const GgufValue& value) {
  if (const auto* array = std::get_if<GgufArray>(&value)) {
    return absl::StrCat("ARRAY[", GgufTypeName(array->element_type()), "]");
  }
  return GgufTypeName(TypeOf(value));
}

absl::Status GgufMetadata::Add(std::string key, GgufValue value) {
  if (const auto* array = std::get_if<GgufArray>(&value);
      array != nullptr && array->element_type() == GgufType::kArray) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": metadata key '", key, "': nested arrays are not supported"));
  }
  if (index_.contains(key)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": duplicate metadata key '", key, "'"));
  }
  index_.emplace(key, entries_.size());
  entries_.push_back({std::move(key), std::move(value)});
  return absl::OkStatus();
}

const GgufValue* GgufMetadata::Find(std::string_view key) const {
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &entries_[it->second].value;
}

absl::StatusOr<const GgufValue*> GgufMetadata::FindOrError(std::string_view key) const {
  const GgufValue* value = Find(key);
  if (value == nullptr) {
    return absl::NotFoundError(absl::StrCat(source_, ": no metadata key '", std::string(key), "'"));
  }
  return value;
}

absl::Status GgufMetadata::WrongType(std::string_view key, const GgufValue& value,
                                     std::string_view wanted) const {
  return absl::InvalidArgumentError(absl::StrCat(source_, ": metadata key '", std::string(key),
                                                 "' is ", DescribeType(value), ", not ",
                                                 std::string(wanted)));
}

}  // namespace nas::liv
