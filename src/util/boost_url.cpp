// Boost.URL is used header-only (Debian ships its headers with libboost1.81-dev, not a compiled library): its
// implementation is compiled once, here.
#include <boost/url/src.hpp>
