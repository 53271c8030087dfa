// The measure mode's stopwatch, shared by the float32 and int8 searches
// (plan/measure.cpp, plan/qmeasure.cpp): runs a candidate up to
// kRunsPerCandidate times within the budget and reports its fastest run.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>

namespace ndconv {
namespace dispatch {

class CandidateTimer {
 public:
  // Runs per candidate, the fastest kept (by CPU time: the first run of a
  // fresh plan is cold, and a run the scheduler interrupted only counts
  // more): the third only if the first two were within kDropFactor of the
  // best so far.
  static constexpr int kRunsPerCandidate = 3;
  static constexpr double kDropFactor = 1.10;

  explicit CandidateTimer(double budget_s) : budget_s_(budget_s) {}

  // Whether another run fits the budget (the first always does).
  bool fits() const { return runs_ == 0 || spent_s_ + shortest_run_s_ <= budget_s_; }

  // The fastest CPU time of up to kRunsPerCandidate calls of run(), or a
  // negative number when the budget allowed none. best_s: the fastest
  // candidate so far (0: none), which a clearly slower one stops short of.
  template <class Run>
  double time(Run&& run, double best_s) {
    double fastest = 0;
    int n = 0;
    while (n < kRunsPerCandidate && fits()) {
      const double wall0 = wall_seconds(), cpu0 = thread_seconds();
      run();
      const double cpu = thread_seconds() - cpu0, wall = wall_seconds() - wall0;
      spent_s_ += wall;
      shortest_run_s_ = runs_++ == 0 ? wall : std::min(shortest_run_s_, wall);
      fastest = n++ == 0 ? cpu : std::min(fastest, cpu);
      if (n == 2 && best_s > 0 && fastest > kDropFactor * best_s) break;  // will not win
    }
    return n == 0 ? -1.0 : fastest;
  }

  int runs() const { return runs_; }
  double spent_s() const { return spent_s_; }

 private:
  // The calling thread's CPU time: what candidates are compared by (time the
  // scheduler gives to other processes on a shared machine is not counted).
  static double thread_seconds() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
  }
  static double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }

  double budget_s_;
  double spent_s_ = 0, shortest_run_s_ = 0;
  int runs_ = 0;
};

}  // namespace dispatch
}  // namespace ndconv
