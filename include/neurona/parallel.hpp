// How many threads neurona's large matrix products may use.
//
// Work is cut into tiles whose bounds depend only on the matrices' shapes, never on the number of
// threads, and each tile is computed the same way whichever thread takes it: the same seed gives
// the same bits on one thread or many. Small products (the tutorial's network) never use a
// second thread, where waking it would cost more than the work.
#pragma once

namespace neurona {

// 0 means one thread per core. Throws UsageError for a negative count.
void set_thread_count(int threads);

// The count in force: what set_thread_count gave, or the number of cores.
int thread_count();

}  // namespace neurona
