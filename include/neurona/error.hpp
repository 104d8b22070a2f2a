// The errors neurona throws. Every message says what went wrong, where, what was expected and what
// was found, so that a caller can print it as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace neurona {

// Base of every error the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file or its contents cannot be used: missing, unreadable, malformed, or not fitting the
// network.
class InputError : public Error {
 public:
  using Error::Error;
};

// A setting is out of range or contradicts another (a learning rate <= 0, layers like "3,0,1").
class UsageError : public Error {
 public:
  using Error::Error;
};

// Shapes handed to a public call do not fit each other (a 4-column X for a 3-input network).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// Training produced a loss that is NaN or infinite; the message names the epoch and a hint.
class DivergenceError : public Error {
 public:
  using Error::Error;
};

}  // namespace neurona
