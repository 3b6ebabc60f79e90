#include <retrace/testing/guest_test.hpp>

using ::testing::HasSubstr;

class Greeter : public retrace::GuestTest {
protected:
  void declare(retrace::Scenario& s) override {
    s.kernel("greeter")                 // found through RETRACE_GUEST_PATH
        .budget(1'000'000)              // a run can never hang
        .when_output("name? ", "Ada\r") // answer the prompt
        .jitter(500);                   // ...up to 500 instructions late, by seed
  }
};

RETRACE_TEST_F(Greeter, GreetsByName) {
  const auto outcome = run();
  EXPECT_THAT(outcome, retrace::Passed());
  EXPECT_THAT(outcome, retrace::UartOutput(HasSubstr("hello, Ada")));
}
