package zmq4

// ZAP (RFC 27) is package socket's: a server asks the handler bound at
// zapEndpoint in this process (AuthStart's REP socket, or the program's own)
// about each client, with its address, as libzmq does.

const zapEndpoint = "inproc://zeromq.zap.01"
