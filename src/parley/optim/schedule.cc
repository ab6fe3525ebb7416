#include "parley/optim/schedule.h"

#include <cmath>
#include <utility>

namespace parley {

Status ValidateSchedule(const ScheduleOptions& o) {
  if (!(o.lr > 0) || !std::isfinite(o.lr))
    return InvalidArgument("--lr must be a positive finite number, got " + std::to_string(o.lr));
  if (o.kind == "constant") return OkStatus();
  if (o.kind == "invsqrt") {
    if (!(o.t0 > 0)) return InvalidArgument("--lr-t0 must be positive for --schedule invsqrt");
    return OkStatus();
  }
  if (o.kind == "step") {
    if (o.every <= 0) return InvalidArgument("--lr-every must be positive for --schedule step");
    if (!(o.factor > 0 && o.factor <= 1))
      return InvalidArgument("--lr-factor must be in (0, 1] for --schedule step");
    return OkStatus();
  }
  return InvalidArgument("--schedule must be one of constant, invsqrt, step; got '" + o.kind + "'");
}

Schedule::Schedule(ScheduleOptions o) : o_(std::move(o)) {
  if (o_.kind == "invsqrt") kind_ = Kind::kInvSqrt;
  if (o_.kind == "step") kind_ = Kind::kStep;
}

double Schedule::At(int64_t t) const {
  t += o_.start;
  switch (kind_) {
    case Kind::kInvSqrt:
      return o_.lr / std::sqrt(1.0 + static_cast<double>(t) / o_.t0);
    case Kind::kStep:
      return o_.lr * std::pow(o_.factor, static_cast<double>(t / o_.every));
    case Kind::kConstant:
      break;
  }
  return o_.lr;
}

}  // namespace parley
