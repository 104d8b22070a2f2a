// How many threads neurona's large matrix products may use, and which library computes them.
//
// Work is cut into tiles whose bounds depend only on the matrices' shapes, never on the number of
// threads, and each tile is computed the same way whichever thread takes it: the same seed gives
// the same bits on one thread or many. Small products (the tutorial's network) never use a
// second thread, where waking it would cost more than the work.
//
// Products of 2^20 multiply-adds or more go through OpenBLAS, opened (dlopen) at the first such
// product when libopenblas.so.0 is there, else through Eigen; OpenBLAS chooses its kernel for
// the CPU, and is passed over for Eigen when that kernel is slower (an old SSE one, which it
// falls back to on a CPU it does not know). So the same seed gives the same bits on the same
// machine and libraries, and another CPU or a machine without OpenBLAS may differ in the last
// bits of large products. Opening it sets OpenBLAS's own thread count to 1 for the whole process
// (openblas_set_num_threads), as neurona's tiles are what threads share: a program that uses
// OpenBLAS's threads itself sets its count again after neurona's first large product. When the
// environment gives OpenBLAS no thread count, OPENBLAS_NUM_THREADS=1 is set while it loads (and
// removed after), so that it starts no threads of its own. Under an address-space limit
// (ulimit -v) too small for OpenBLAS's work buffers, 128 MiB a thread, it is not opened: OpenBLAS
// 0.3.21 would try a refused mapping again forever.
#pragma once

#include <string>

namespace neurona {

// 0 means one thread per core. Throws UsageError for a negative count.
void set_thread_count(int threads);

// The count in force: what set_thread_count gave, or the number of cores.
int thread_count();

// What computes the products of 2^20 multiply-adds or more, as `neurona --version` prints it:
// "OpenBLAS <its configuration>, kernel <its kernel>", or "Eigen <version>" and why OpenBLAS is
// not used. Opens OpenBLAS if no product has yet. A thread's first product through OpenBLAS
// throws std::bad_alloc when the address-space limit no longer leaves room for its buffer.
std::string large_product_library();

}  // namespace neurona
