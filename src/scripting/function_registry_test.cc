// Tests for the FUNCTION registry (function_registry.h) and the DUMP payload
// format (function_dump.h). Library code is not run here: libraries are
// built by hand, as the loader would after running them.
#include "scripting/function_registry.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/crc64.h"
#include "scripting/function_dump.h"

namespace lodestone {
namespace {

std::shared_ptr<const FunctionLibrary> Library(FunctionRegistry& registry, std::string name,
                                               std::vector<std::string> functions) {
  auto library = std::make_shared<FunctionLibrary>();
  library->id = registry.NextLibraryId();
  library->name = name;
  library->engine = "LUA";
  library->code = "#!lua name=" + name + "\n-- code";
  library->body_offset = library->code.find('\n');
  for (auto& fn : functions) library->functions.push_back(FunctionInfo{fn, std::nullopt, 0});
  return library;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(FunctionMetadataTest, Shebang) {
  LibraryMetadata md;
  std::string err;
  ASSERT_TRUE(ParseLibraryMetadata("#!lua name=mylib\nreturn 1", &md, &err));
  EXPECT_EQ(md.engine, "lua");
  EXPECT_EQ(md.name, "mylib");
  EXPECT_EQ(md.body_offset, 16u);
  ASSERT_TRUE(ParseLibraryMetadata("#!LUA NAME=\"foo\"\n", &md, &err));
  EXPECT_EQ(md.name, "foo");
  EXPECT_FALSE(ParseLibraryMetadata("return 1", &md, &err));
  EXPECT_EQ(err, "Missing library metadata");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua name=x", &md, &err));
  EXPECT_EQ(err, "Invalid library metadata");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua\nx", &md, &err));
  EXPECT_EQ(err, "Library name was not given");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua name=a name=b\nx", &md, &err));
  EXPECT_EQ(err, "Invalid metadata value, name argument was given multiple times");
  EXPECT_FALSE(ParseLibraryMetadata("#!lua name=a foo=bar\nx", &md, &err));
  EXPECT_EQ(err, "Invalid metadata value given: foo=bar");
  ASSERT_TRUE(ParseLibraryMetadata("#! name=test\nx", &md, &err));
  EXPECT_EQ(md.engine, "");
}

TEST(FunctionMetadataTest, Names) {
  EXPECT_TRUE(IsValidFunctionName("abc_DEF_123"));
  EXPECT_FALSE(IsValidFunctionName(""));
  EXPECT_FALSE(IsValidFunctionName("a b"));
  EXPECT_FALSE(IsValidFunctionName("bad\\0format"));
  EXPECT_FALSE(IsValidFunctionName(std::string("a\0b", 3)));
}

TEST(FunctionRegistryTest, AddReplaceDelete) {
  FunctionRegistry registry;
  std::string err;
  uint64_t g0 = registry.generation();
  ASSERT_TRUE(registry.Add(Library(registry, "lib1", {"f1", "f2"}), false, &err));
  EXPECT_GT(registry.generation(), g0);
  auto set = registry.Snapshot();
  EXPECT_EQ(set->libraries().size(), 1u);
  EXPECT_EQ(set->function_count(), 2u);
  EXPECT_EQ(set->code_bytes(), std::string("#!lua name=lib1\n-- code").size() + 4 + 4);
  ASSERT_NE(set->FindFunction("F1"), nullptr);
  EXPECT_EQ(set->FindFunction("F1")->library->name, "lib1");

  EXPECT_FALSE(registry.Add(Library(registry, "lib1", {"f9"}), false, &err));
  EXPECT_EQ(err, "Library 'lib1' already exists");
  EXPECT_FALSE(registry.Add(Library(registry, "lib2", {"f3", "F2"}), false, &err));
  EXPECT_EQ(err, "Function F2 already exists");
  EXPECT_EQ(registry.Snapshot()->function_count(), 2u);

  // REPLACE may reuse the replaced library's function names.
  ASSERT_TRUE(registry.Add(Library(registry, "lib1", {"f2", "f4"}), true, &err));
  auto replaced = registry.Snapshot();
  EXPECT_EQ(replaced->FindFunction("f1"), nullptr);
  EXPECT_NE(replaced->FindFunction("f4"), nullptr);
  // The old snapshot is untouched.
  EXPECT_NE(set->FindFunction("f1"), nullptr);

  EXPECT_FALSE(registry.Delete("LIB1"));  // library names are case-sensitive
  EXPECT_TRUE(registry.Delete("lib1"));
  EXPECT_EQ(registry.Snapshot()->function_count(), 0u);
  EXPECT_EQ(registry.Snapshot()->code_bytes(), 0u);
  registry.Add(Library(registry, "lib3", {"f5"}), false, &err);
  registry.Flush();
  EXPECT_TRUE(registry.Snapshot()->libraries().empty());
}

TEST(FunctionRegistryTest, RestorePolicies) {
  FunctionRegistry registry;
  std::string err;
  ASSERT_TRUE(registry.Add(Library(registry, "lib1", {"f1"}), false, &err));
  ASSERT_TRUE(registry.Add(Library(registry, "lib2", {"f2"}), false, &err));

  using Policy = FunctionRegistry::RestorePolicy;
  EXPECT_FALSE(registry.Restore({Library(registry, "lib1", {"f9"})}, Policy::kAppend, &err));
  EXPECT_EQ(err, "Library lib1 already exists");
  EXPECT_FALSE(registry.Restore({Library(registry, "lib1", {"f2"})}, Policy::kReplace, &err));
  EXPECT_EQ(err, "Function f2 already exists");
  EXPECT_NE(registry.Snapshot()->FindFunction("f1"), nullptr);  // all or nothing

  ASSERT_TRUE(registry.Restore({Library(registry, "lib1", {"f7"})}, Policy::kReplace, &err));
  EXPECT_EQ(registry.Snapshot()->FindFunction("f1"), nullptr);
  EXPECT_NE(registry.Snapshot()->FindFunction("f7"), nullptr);
  ASSERT_TRUE(registry.Restore({Library(registry, "lib9", {"f2"})}, Policy::kFlush, &err));
  EXPECT_EQ(registry.Snapshot()->libraries().size(), 1u);
  ASSERT_TRUE(registry.Restore({Library(registry, "lib3", {"f3"})}, Policy::kAppend, &err));
  EXPECT_EQ(registry.Snapshot()->libraries().size(), 2u);
}

TEST(FunctionDumpTest, RoundTrip) {
  FunctionRegistry registry;
  std::string err;
  auto big = std::make_shared<FunctionLibrary>(*Library(registry, "big", {"f"}));
  big->code += std::string(20000, 'x');
  ASSERT_TRUE(registry.Add(big, false, &err));
  ASSERT_TRUE(registry.Add(Library(registry, "small", {"g"}), false, &err));
  std::string payload = DumpFunctions(*registry.Snapshot());
  std::vector<std::string> codes;
  ASSERT_TRUE(ParseFunctionDump(payload, &codes, &err)) << err;
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0], big->code);
  EXPECT_EQ(codes[1], "#!lua name=small\n-- code");

  codes.clear();
  ASSERT_TRUE(ParseFunctionDump(DumpFunctions(FunctionSet()), &codes, &err));
  EXPECT_TRUE(codes.empty());
}

TEST(FunctionDumpTest, ReadsRedisLzfPayload) {
  // FUNCTION DUMP of Redis 7.0.15 (RDB version 10, LZF-compressed code).
  std::string payload = Unhex(
      "f5c3405d406d1f23216c7561206e616d653d6d796c69620a72656469732e72656769737465725f0b66756e6374"
      "696f6e28276d79400b02272c2040066012196b6579732c2061726773292072657475726e202768656c6c6f20e0"
      "0805052720656e64290a00cc0a7cdab0e1080f");
  std::vector<std::string> codes;
  std::string err;
  ASSERT_TRUE(ParseFunctionDump(payload, &codes, &err)) << err;
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0],
            "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return "
            "'hello hello hello hello' end)");
}

TEST(FunctionDumpTest, Errors) {
  std::vector<std::string> codes;
  std::string err;
  EXPECT_FALSE(ParseFunctionDump("bad_payload", &codes, &err));
  EXPECT_EQ(err, "DUMP payload version or checksum are wrong");
  EXPECT_FALSE(ParseFunctionDump("short", &codes, &err));

  FunctionRegistry registry;
  registry.Add(Library(registry, "lib", {"f"}), false, &err);
  std::string payload = DumpFunctions(*registry.Snapshot());
  std::string flipped = payload;
  flipped[3] ^= 1;
  EXPECT_FALSE(ParseFunctionDump(flipped, &codes, &err));
  EXPECT_EQ(err, "DUMP payload version or checksum are wrong");
  // Valid footers around truncated or foreign bodies.
  auto with_footer = [](std::string body) {
    body.push_back(12);
    body.push_back(0);
    uint64_t crc = Crc64(0, body.data(), body.size());
    for (int i = 0; i < 8; i++) body.push_back(char(crc >> (8 * i)));
    return body;
  };
  std::string body = payload.substr(0, payload.size() - 10);
  for (size_t len = 1; len < body.size(); len++) {
    EXPECT_FALSE(ParseFunctionDump(with_footer(body.substr(0, len)), &codes, &err)) << len;
    EXPECT_EQ(err, "Failed loading library payload");
  }
  EXPECT_FALSE(ParseFunctionDump(with_footer("\x01" "abc"), &codes, &err));
  EXPECT_EQ(err, "given type is not a function");
  EXPECT_FALSE(ParseFunctionDump(with_footer("\xf6"), &codes, &err));
  EXPECT_EQ(err, "Pre-GA function format not supported");
  // A corrupt LZF string (back reference before the start) is refused.
  EXPECT_FALSE(ParseFunctionDump(with_footer("\xf5\xc3\x02\x05\x20\x10"), &codes, &err));
  EXPECT_EQ(err, "Failed loading library payload");
}

}  // namespace
}  // namespace lodestone
