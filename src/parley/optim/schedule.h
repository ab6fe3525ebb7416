// Step-size schedules eta_t for step t = 0, 1, 2, ...
//   constant: eta_t = lr
//   invsqrt:  eta_t = lr / sqrt(1 + t / t0)
//   step:     eta_t = lr * factor^floor(t / every)
#pragma once

#include <cstdint>
#include <string>

#include "parley/core/status.h"

namespace parley {

struct ScheduleOptions {
  std::string kind = "constant";  // constant | invsqrt | step
  double lr = 0.1;
  double t0 = 1000;      // invsqrt: steps over which eta falls to lr/sqrt(2)
  int64_t every = 1000;  // step: steps between decays
  double factor = 0.5;   // step: multiplier per decay
  int64_t start = 0;     // the step the schedule starts from (a resumed run: the checkpoint's
                         // update count), so that its step sizes continue where they were
};

Status ValidateSchedule(const ScheduleOptions& o);

class Schedule {
 public:
  // The kind is parsed once here, so that At costs no string comparison (it is called once
  // per SGD step). REQUIRES: ValidateSchedule(o).ok()
  explicit Schedule(ScheduleOptions o);
  double At(int64_t t) const;
  const ScheduleOptions& options() const { return o_; }

 private:
  enum class Kind { kConstant, kInvSqrt, kStep };
  ScheduleOptions o_;
  Kind kind_ = Kind::kConstant;
};

}  // namespace parley
