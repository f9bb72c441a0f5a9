// Package interop holds purezmq's interoperability tests against real
// libzmq peers (pyzmq processes driven by internal/testpeer). It contains
// test code only.
package interop
