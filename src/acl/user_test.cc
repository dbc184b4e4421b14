// Tests for ACL rules: parsing SETUSER arguments, describing users back,
// and checking commands, keys and channels against them.
#include "acl/user.h"

#include <gtest/gtest.h>

#include "acl/sha256.h"
#include "acl/user_registry.h"

namespace lodestone::acl {
namespace {

uint64_t Cats(std::initializer_list<const char*> names) {
  uint64_t bits = 0;
  for (const char* n : names) bits |= CategoryBit(n);
  return bits;
}

class AclUserTest : public ::testing::Test {
 protected:
  AclUserTest() {
    get_ = catalog_.Add("get", Cats({"read", "string", "fast"}));
    set_ = catalog_.Add("set", Cats({"write", "string", "slow"}));
    select_ = catalog_.Add("select", Cats({"connection", "fast"}));
    config_ = catalog_.Add("config", Cats({"slow"}));
    config_get_ = catalog_.Add("config|get", Cats({"admin", "slow", "dangerous"}), config_);
    config_set_ = catalog_.Add("config|set", Cats({"admin", "slow", "dangerous"}), config_);
    auth_ = catalog_.Add("auth", Cats({"connection", "fast"}), -1, true);
  }

  User Make(std::vector<std::string> ops) {
    User u("bob", false);
    Status st = u.ApplyAll(ops, catalog_, false);
    EXPECT_TRUE(st.ok()) << st.message();
    return u;
  }
  std::string Error(std::vector<std::string> ops) {
    User u("bob", false);
    Status st = u.ApplyAll(ops, catalog_, false);
    return st.ok() ? "" : st.message();
  }
  bool Allows(const User& u, int id, std::vector<std::string_view> args) {
    return u.Check(catalog_, id, args, {}, {}, nullptr) == Denial::kNone;
  }

  CommandCatalog catalog_;
  int get_, set_, select_, config_, config_get_, config_set_, auth_;
};

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  EXPECT_EQ(Sha256Hex(std::string(56, 'b')).size(), 64u);
}

TEST_F(AclUserTest, NewUserIsOffAndDescribed) {
  User u("bob", false);
  EXPECT_EQ(u.Describe(), "off sanitize-payload resetchannels -@all");
  EXPECT_FALSE(Allows(u, get_, {"get", "k"}));
  EXPECT_TRUE(Allows(u, auth_, {"auth", "x"}));  // no-auth commands always pass
}

TEST_F(AclUserTest, CommandRulesAreKeptInOrderWithoutRepeats) {
  User u = Make({"+@all", "-get", "+set", "-get"});
  EXPECT_EQ(u.root().DescribeCommands(), "+@all +set -get");
  EXPECT_FALSE(Allows(u, get_, {"get", "k"}));
  EXPECT_TRUE(Allows(u, set_, {"set", "k", "v"}));
  User v = Make({"+config|get", "+config"});
  EXPECT_EQ(v.root().DescribeCommands(), "-@all +config");
  EXPECT_TRUE(Allows(v, config_set_, {"config", "set", "a", "b"}));
}

TEST_F(AclUserTest, CategoriesAndSubcommands) {
  User u = Make({"+@string", "-@write", "+config|get"});
  EXPECT_TRUE(Allows(u, get_, {"get", "k"}));
  EXPECT_FALSE(Allows(u, set_, {"set", "k", "v"}));
  EXPECT_TRUE(Allows(u, config_get_, {"config", "get", "x"}));
  EXPECT_FALSE(Allows(u, config_set_, {"config", "set", "x", "y"}));
  EXPECT_EQ(u.root().DescribeCommands(), "-@all +@string -@write +config|get");
}

TEST_F(AclUserTest, FirstArgs) {
  User u = Make({"+select|0"});
  EXPECT_TRUE(Allows(u, select_, {"select", "0"}));
  EXPECT_FALSE(Allows(u, select_, {"select", "1"}));
  EXPECT_EQ(Error({"+config|get|x"}), "ERR Error in ACL SETUSER modifier '+config|get|x': "
                                       "Allowing first-arg of a subcommand is not supported");
  EXPECT_EQ(Error({"+select|"}), "ERR Error in ACL SETUSER modifier '+select|': Syntax error");
  EXPECT_EQ(Error({"+nosuch"}),
            "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
}

TEST_F(AclUserTest, Passwords) {
  User u = Make({"on", ">foo", ">bar", "<foo"});
  EXPECT_TRUE(u.PasswordMatches("bar"));
  EXPECT_FALSE(u.PasswordMatches("foo"));
  EXPECT_EQ(u.passwords().size(), 1u);
  EXPECT_EQ(u.passwords()[0], Sha256Hex("bar"));
  EXPECT_NE(Error({"#abc"}).find("exactly 64 characters"), std::string::npos);
  EXPECT_NE(Error({"<nope"}).find("does not exist"), std::string::npos);
  User n = Make({">x", "nopass"});
  EXPECT_TRUE(n.PasswordMatches("anything"));
  EXPECT_TRUE(n.passwords().empty());
}

TEST_F(AclUserTest, KeyPatterns) {
  User u = Make({"~a*", "%R~r*", "%W~w*"});
  EXPECT_EQ(u.root().DescribeKeys(), "~a* %R~r* %W~w*");
  EXPECT_TRUE(u.CheckKey("abc", kKeyReadWrite));
  EXPECT_TRUE(u.CheckKey("rx", kKeyRead));
  EXPECT_FALSE(u.CheckKey("rx", kKeyWrite));
  EXPECT_TRUE(u.CheckKey("wx", kKeyWrite));
  EXPECT_FALSE(u.CheckKey("zz", kKeyRead));
  EXPECT_NE(Error({"~*", "~a"}).find("'allkeys' flag"), std::string::npos);
  EXPECT_NE(Error({"%X~a"}).find("Syntax error"), std::string::npos);
  User m = Make({"%R~k", "%W~k"});
  EXPECT_EQ(m.root().DescribeKeys(), "~k");
}

TEST_F(AclUserTest, Channels) {
  User u = Make({"&news.*"});
  EXPECT_TRUE(u.CheckChannel("news.a", false));
  EXPECT_FALSE(u.CheckChannel("news.a", true));  // patterns must match literally
  EXPECT_TRUE(u.CheckChannel("news.*", true));
  EXPECT_EQ(u.root().Describe(), "resetchannels &news.* -@all");
}

TEST_F(AclUserTest, CheckReportsTheMostRelevantDenial) {
  User u = Make({"+get", "~a*"});
  std::vector<std::string_view> args = {"get", "b"};
  KeyAccess key{1, kKeyRead};
  int pos = -1;
  EXPECT_EQ(u.Check(catalog_, get_, args, {&key, 1}, {}, &pos), Denial::kKey);
  EXPECT_EQ(pos, 1);
  EXPECT_EQ(u.Check(catalog_, set_, args, {&key, 1}, {}, &pos), Denial::kCommand);
}

TEST_F(AclUserTest, Selectors) {
  User u = Make({"+get", "~a*", "(+set", "~b*)"});
  EXPECT_EQ(u.Describe(),
            "off sanitize-payload ~a* resetchannels -@all +get (~b* resetchannels -@all +set)");
  std::vector<std::string_view> args = {"set", "bx", "v"};
  KeyAccess key{1, kKeyWrite};
  EXPECT_EQ(u.Check(catalog_, set_, args, {&key, 1}, {}, nullptr), Denial::kNone);
  args[1] = "ax";
  EXPECT_EQ(u.Check(catalog_, set_, args, {&key, 1}, {}, nullptr), Denial::kKey);
  EXPECT_EQ(Error({"(+get"}), "ERR Unmatched parenthesis in acl selector starting at '(+get'.");
  User c = Make({"(+get)", "clearselectors"});
  EXPECT_EQ(c.selectors().size(), 1u);
}

TEST_F(AclUserTest, ResetAndUnrestricted) {
  User u = Make({"on", "nopass", "+@all", "~*", "&*"});
  EXPECT_TRUE(u.Unrestricted());
  User r = Make({"on", "nopass", "+@all", "~*", "&*", "reset"});
  EXPECT_FALSE(r.Unrestricted());
  EXPECT_EQ(r.Describe(), "off sanitize-payload resetchannels -@all");
}

TEST_F(AclUserTest, RegistryPublishesNewGenerations) {
  UserRegistry reg(catalog_);
  uint64_t g = reg.generation();
  EXPECT_TRUE(reg.Find("default")->Unrestricted());
  EXPECT_TRUE(reg.default_auto_auth());
  reg.SetDefaultPassword("pw", false);
  EXPECT_GT(reg.generation(), g);
  EXPECT_FALSE(reg.default_auto_auth());
  EXPECT_TRUE(reg.Find("default")->PasswordMatches("pw"));
  std::vector<std::string> ops = {"on", ">x"};
  EXPECT_TRUE(reg.SetUser("alice", ops, false).ok());
  EXPECT_EQ(reg.Users().size(), 2u);
  std::vector<std::string> names = {"alice", "nobody"};
  EXPECT_EQ(reg.DelUsers(names), 1);
}

TEST_F(AclUserTest, AclLogGroupsSimilarEntries) {
  UserRegistry reg(catalog_);
  LogEntry e;
  e.object = "get";
  e.username = "bob";
  e.created_ms = 1000;
  reg.Log(e, 128);
  reg.Log(e, 128);
  e.object = "set";
  reg.Log(e, 128);
  auto entries = reg.LogEntries(10);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].object, "set");
  EXPECT_EQ(entries[1].count, 2u);
  EXPECT_EQ(entries[0].entry_id, 1u);
}

TEST_F(AclUserTest, AclFile) {
  auto users = ParseAclFile("user alice on >p ~* +@all\n\nuser bob off (+get ~x)\n", "users.acl",
                            catalog_, false);
  ASSERT_TRUE(users.ok()) << users.message();
  EXPECT_EQ(users->size(), 3u);  // plus the default user
  auto bad = ParseAclFile("user alice on\nuser alice off\n", "users.acl", catalog_, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(),
            "WARNING: Duplicate user 'alice' found on line 2. WARNING: ACL errors detected, no "
            "change to the previously active ACL rules was performed");
}

}  // namespace
}  // namespace lodestone::acl
