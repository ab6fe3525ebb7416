#include "parley/runtime/role_guard.h"

#include <exception>
#include <new>
#include <utility>

namespace parley {

std::string RoleName(const Role& role, int rank) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on the one-expression
  // concatenation with a conditional operand.
  std::string name = role.name;
  if (role.worker >= 0) name.append(" ").append(std::to_string(role.worker));
  name.append(" (rank ").append(std::to_string(rank)).append(")");
  return name;
}

bool RunGuarded(const Role& role, Node& node) {
  std::string what;
  try {
    role.run(node);
    return true;
  } catch (const NodeKilled&) {
    return false;
  } catch (const std::bad_alloc&) {
    what = "ran out of memory (std::bad_alloc): the data or the model needs more memory than "
           "this machine gives it";
  } catch (const std::exception& e) {
    what = std::string("failed with an exception: ") + e.what();
  } catch (...) {
    what = "failed with an exception of unknown type";
  }
  std::string message = RoleName(role, node.rank());
  message.append(" ").append(what);
  node.Fail(Internal(std::move(message)));
  return true;
}

}  // namespace parley
