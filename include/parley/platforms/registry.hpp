#pragma once

#include <span>
#include <string_view>

#include "parley/platforms/platform.hpp"

namespace parley::platforms {

/// Every platform parley knows, in the order of config::kPlatforms. Immutable.
std::span<const Platform> all();

/// The entry of platform `name`; null for an unknown one.
const Platform* find(std::string_view name);

}  // namespace parley::platforms
