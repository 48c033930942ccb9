// The process-wide execution mode switch.
#include "flowlet/execution_mode.h"

#include <atomic>

namespace flowlet {
namespace {

std::atomic<bool>& EagerFlag() {
  static std::atomic<bool> flag{false};
  return flag;
}

}  // namespace

void enable_eager_execution() { EagerFlag().store(true); }

void disable_eager_execution() { EagerFlag().store(false); }

bool executing_eagerly() { return EagerFlag().load(); }

}  // namespace flowlet
