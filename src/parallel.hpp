// Inside the library: runs the tiles of one piece of work on the threads set_thread_count allows.
#pragma once

#include "neurona/matrix.hpp"

namespace neurona::detail {

// Calls tile(context, t) once for every t in [0, tiles), on up to thread_count() threads, the
// caller's among them, and returns when all are done. Tiles must write disjoint memory. The
// workers start on the first call that can use them, so a program whose work is all small starts
// none.
void run_tiles(Index tiles, void (*tile)(const void* context, Index t), const void* context);

// run_tiles for any callable tile(t), without the allocation a std::function may make.
template <class Tile>
void parallel_for(Index tiles, const Tile& tile) {
  run_tiles(
      tiles, [](const void* context, Index t) { (*static_cast<const Tile*>(context))(t); }, &tile);
}

}  // namespace neurona::detail
