// Package litmus runs two-thread memory-ordering litmus tests with
// sync/atomic, to check the machine (or emulator) the tests run on rather
// than purezmq.
//
// Go's memory model makes sync/atomic operations sequentially consistent,
// so both outcomes counted here are forbidden: a correct CPU and toolchain
// never produce one. Natively the tests require zero. Under a user-mode
// emulator (PUREZMQ_EMULATED set by `make test-arm`) they count and report
// instead: a non-zero count there is the emulator translating the guest's
// ordered loads and stores into weaker host ones, and it is the evidence an
// emulator-only skip elsewhere must cite (see Check).
package litmus
