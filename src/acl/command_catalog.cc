#include "acl/command_catalog.h"

#include "common/strings.h"

namespace lodestone::acl {

uint64_t CategoryBit(std::string_view name) {
  for (size_t i = 0; i < kCategoryNames.size(); i++) {
    if (EqualsIgnoreCase(name, kCategoryNames[i])) return 1ull << i;
  }
  return 0;
}

int CommandCatalog::Add(std::string name, uint64_t categories, int parent, bool no_auth) {
  int id = int(commands_.size());
  by_name_[name] = id;
  commands_.push_back(CatalogCommand{std::move(name), categories, parent, {}, no_auth});
  if (parent >= 0) commands_[parent].subcommands.push_back(id);
  return id;
}

int CommandCatalog::Find(std::string_view name) const {
  auto it = by_name_.find(ToLowerCopy(name));
  return it == by_name_.end() ? -1 : it->second;
}

}  // namespace lodestone::acl
